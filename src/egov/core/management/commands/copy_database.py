from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from egov.core.errors import DomainError
from egov.core.sqlite_copy import copy_sqlite


class Command(BaseCommand):
    help = (
        "Sao chép cơ sở dữ liệu SQLite đang dùng (hoặc --source) sang tệp khác, an toàn cả khi ứng dụng đang "
        "ghi: dùng cơ chế sao lưu trực tuyến của SQLite, không chép tệp trực tiếp."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("target", help="Tệp đích, ví dụ var/egov-2025.sqlite3.")
        parser.add_argument("--source", help="Tệp nguồn; mặc định là cơ sở dữ liệu trong DATABASE_URL.")

    def handle(self, *args: Any, target: str, source: str | None = None, **options: Any) -> None:
        database = settings.DATABASES["default"]
        if source is None and database["ENGINE"] != "django.db.backends.sqlite3":
            raise CommandError("Lệnh này chỉ sao chép cơ sở dữ liệu SQLite; với PostgreSQL hãy dùng pg_dump.")
        try:
            size = copy_sqlite(source=Path(source or database["NAME"]), target=Path(target))
        except DomainError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(self.style.SUCCESS(f"Đã sao chép cơ sở dữ liệu sang {target} ({size:,} byte)."))
