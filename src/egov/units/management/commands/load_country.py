from django.core.management.base import BaseCommand

from egov.units.models import AdministrativeLevel, UnitKind
from egov.units.reference import ensure_levels_and_kinds
from egov.units.services import load_country


class Command(BaseCommand):
    help = (
        "Nạp mọi tỉnh, huyện, xã của cả nước từ danh mục của Tổng cục Thống kê (trước và từ 01/7/2025), để "
        "người ở tỉnh khác chọn được địa chỉ. Trừ địa bàn của tỉnh mình. Chạy lại an toàn."
    )

    def add_arguments(self, parser):
        parser.add_argument("--province", action="append", help="Chỉ nạp tỉnh có mã này (lặp lại được).")

    def handle(self, *args, province: list[str] | None = None, **options):
        ensure_levels_and_kinds(AdministrativeLevel, UnitKind)
        report = load_country(actor=None, provinces=province)
        created = ", ".join(f"{level}: {count}" for level, count in sorted(report.created.items())) or "0"
        self.stdout.write(
            f"Đã thêm {created}; {report.unchanged} đơn vị đã có; "
            f"{report.skipped_home} đơn vị thuộc địa bàn tỉnh mình được giữ nguyên."
        )
