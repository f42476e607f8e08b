from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand

from egov.onestop.processes import DATA_FILE, load_processes


class Command(BaseCommand):
    help = (
        "Nạp quy trình nội bộ (mặc định theo cấp và riêng từng thủ tục) từ tệp JSON; chạy lại không đổi gì."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("path", nargs="?", default=str(DATA_FILE), help="Tệp JSON quy trình.")

    def handle(self, *args: Any, path: str, **options: Any) -> None:
        written = load_processes(Path(path))
        self.stdout.write(f"Đã cập nhật {written} quy trình.")
