"""Trust a root certificate (e.g. the national root CA of NEAC, or of the Government Cipher Committee)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from egov.core.errors import DomainError
from egov.signing.services import add_trusted_root


class Command(BaseCommand):
    help = "Nạp chứng thư gốc tin cậy (PEM hoặc DER) để kiểm tra chữ ký số."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file")
        parser.add_argument("--name", default="")

    def handle(self, *args: Any, file: str, name: str, **options: Any) -> None:
        try:
            roots = add_trusted_root(data=Path(file).read_bytes(), name=name)
        except (DomainError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        for root in roots:
            self.stdout.write(self.style.SUCCESS(f"Đã tin cậy: {root.name} ({root.fingerprint[:16]}…)"))
