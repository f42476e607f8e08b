import datetime as dt

from django.core.management.base import BaseCommand

from egov.core.importing import run_import
from egov.units.services import UNIT_COLUMNS, import_units


class Command(BaseCommand):
    help = (
        "Nhập danh mục đơn vị hành chính từ tệp CSV (UTF-8) hoặc Excel (.xlsx) với các cột: mã, tên, "
        "mã cấp trên, [loại], [hiệu lực từ]. Tất cả hoặc không: có một dòng lỗi thì không lưu gì."
    )

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--source", default="", help="Nguồn dữ liệu ghi vào từng đơn vị.")
        parser.add_argument("--valid-from", default="2004-07-08", help="Ngày hiệu lực khi tệp không ghi.")
        parser.add_argument("--quiet", action="store_true")

    def handle(self, *args, path: str, source: str, valid_from: str, quiet: bool, **options):
        run_import(
            self,
            path,
            aliases=UNIT_COLUMNS,
            service=import_units,
            quiet=quiet,
            actor=None,
            source=source or path.rsplit("/", 1)[-1],
            default_valid_from=dt.date.fromisoformat(valid_from),
        )
