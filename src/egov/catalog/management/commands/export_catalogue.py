from pathlib import Path

from django.core.management.base import BaseCommand

from egov.catalog.excel import export_workbook


class Command(BaseCommand):
    help = (
        "Xuất danh mục thủ tục đang áp dụng ra tệp Excel (.xlsx), cùng định dạng với lệnh import_catalogue."
    )

    def add_arguments(self, parser):
        parser.add_argument("path")

    def handle(self, *args, path: str, **options):
        count = export_workbook(Path(path))
        self.stdout.write(self.style.SUCCESS(f"Đã xuất {count} thủ tục ra {path}."))
