import datetime as dt

from django.core.management.base import BaseCommand

from egov.agencies.services import AGENCY_COLUMNS, import_agencies
from egov.core.importing import run_import


class Command(BaseCommand):
    help = (
        "Nhập danh mục cơ quan từ tệp CSV (UTF-8) hoặc Excel (.xlsx): mã định danh, tên, loại, mã địa bàn, "
        "mã cơ quan cấp trên, một cửa, địa chỉ, điện thoại, thư điện tử. Tất cả hoặc không."
    )

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--valid-from", default="2018-01-01")
        parser.add_argument("--quiet", action="store_true")

    def handle(self, *args, path: str, valid_from: str, quiet: bool, **options):
        run_import(
            self,
            path,
            aliases=AGENCY_COLUMNS,
            service=import_agencies,
            quiet=quiet,
            actor=None,
            default_valid_from=dt.date.fromisoformat(valid_from),
        )
