from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from egov.catalog.excel import import_workbook, read_workbook
from egov.core.errors import DomainError


class Command(BaseCommand):
    help = (
        "Nhập danh mục thủ tục hành chính từ tệp Excel (.xlsx) hai trang “Thủ tục” và “Thành phần”. "
        "Tất cả hoặc không; nhập lại cùng tệp không thay đổi gì, thủ tục đã sửa thành phiên bản mới."
    )

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--quiet", action="store_true")

    def handle(self, *args, path: str, quiet: bool, **options):
        file = Path(path)
        if not file.is_file():
            raise CommandError(f"Không tìm thấy tệp “{path}”.")
        try:
            _sectors, specs, _errors = read_workbook(file)
            stream: Any = self.stderr._out
            bar: Any = tqdm(
                total=len(specs), desc=f"Nhập {file.name}", unit=" thủ tục", disable=quiet, file=stream
            )
            with bar:
                report = import_workbook(file, actor=None, progress=bar.update)
        except DomainError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        if report.errors:
            for message in report.errors:
                self.stderr.write(message)
            raise CommandError(f"Có {len(report.errors)} lỗi; không có thủ tục nào được lưu.")
        self.stdout.write(
            self.style.SUCCESS(
                f"{file.name}: thêm mới {report.created}, phiên bản mới {report.revised}, không đổi {report.unchanged}."
            )
        )
