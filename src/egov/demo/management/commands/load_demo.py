"""Load the demo province: Bình Phước as in 2018. Safe to run again: nothing is added twice."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from egov.accounts import services as accounts
from egov.accounts.models import User
from egov.accounts.roles import Role
from egov.agencies.models import Agency, AgencyKind, Department
from egov.agencies.reference import ensure_agency_kinds
from egov.agencies.services import AGENCY_COLUMNS, add_department, import_agencies
from egov.catalog.demo import load_demo_catalogue
from egov.core.errors import DomainError
from egov.core.tables import read_rows
from egov.demo.furniture import load_furniture
from egov.onestop.processes import load_processes
from egov.portal.models import SiteProfile
from egov.signing.demo import DEMO_PIN, ensure_demo_pki
from egov.units.models import AdministrativeLevel, AdministrativeUnit, UnitKind
from egov.units.reference import ensure_levels_and_kinds
from egov.units.services import UNIT_COLUMNS, import_units, load_country

PACKAGE = Path(__file__).resolve().parents[3]
UNITS_FILE = PACKAGE / "units/data/demo/binh-phuoc-2018.csv"
AGENCIES_FILE = PACKAGE / "agencies/data/binh-phuoc-2018-agencies.csv"
DEMO_PASSWORD = "Chinhquyen@2018"  # noqa: S105  (printed for the demo; never used outside it)
L1 = "H10"

# (e-mail, full name, agency code, role, department)
STAFF: list[tuple[str, str, str, Role, str | None]] = [
    ("quantri@binhphuoc.demo", "Lê Minh Quản", f"000.00.00.{L1}", Role.AGENCY_ADMIN, None),
    ("giamsat@binhphuoc.demo", "Phạm Thị Giám", f"000.00.00.{L1}", Role.PROVINCE_SUPERVISOR, None),
    ("motcua.tinh@binhphuoc.demo", "Nguyễn Thị Hồng", f"000.00.30.{L1}", Role.RECEIVING_OFFICER, None),
    (
        "chuyenvien.tuphap@binhphuoc.demo",
        "Trần Văn Bình",
        f"000.00.02.{L1}",
        Role.SPECIALIST,
        "Phòng Hành chính tư pháp",
    ),
    (
        "truongphong.tuphap@binhphuoc.demo",
        "Võ Thị Lan",
        f"000.00.02.{L1}",
        Role.DEPARTMENT_HEAD,
        "Phòng Hành chính tư pháp",
    ),
    ("giamdoc.tuphap@binhphuoc.demo", "Đặng Quốc Hùng", f"000.00.02.{L1}", Role.LEADER, None),
    ("vanthu.tuphap@binhphuoc.demo", "Bùi Thị Thu", f"000.00.02.{L1}", Role.CLERK, "Văn phòng Sở"),
    ("motcua.locninh@binhphuoc.demo", "Hoàng Văn Lộc", f"000.00.44.{L1}", Role.RECEIVING_OFFICER, None),
    ("chuyenvien.locninh@binhphuoc.demo", "Đỗ Thị Mai", f"000.02.44.{L1}", Role.SPECIALIST, None),
    ("lanhdao.locninh@binhphuoc.demo", "Ngô Văn Thành", f"000.00.44.{L1}", Role.LEADER, None),
    ("vanthu.locninh@binhphuoc.demo", "Lý Thị Hạnh", f"000.00.44.{L1}", Role.CLERK, None),
    ("quantri.locninh@binhphuoc.demo", "Phan Văn Khoa", f"000.00.44.{L1}", Role.AGENCY_ADMIN, None),
    ("motcua.loctan@binhphuoc.demo", "Vũ Thị Tấn", f"000.22.44.{L1}", Role.RECEIVING_OFFICER, None),
    ("chutich.loctan@binhphuoc.demo", "Huỳnh Văn Tâm", f"000.22.44.{L1}", Role.LEADER, None),
    ("congchuc.loctan@binhphuoc.demo", "Lâm Thị Yến", f"000.22.44.{L1}", Role.SPECIALIST, None),
    ("vanthu.loctan@binhphuoc.demo", "Trịnh Văn Phúc", f"000.22.44.{L1}", Role.CLERK, None),
    (
        "truongphong.tuphap.locninh@binhphuoc.demo",
        "Mai Văn Đức",
        f"000.02.44.{L1}",
        Role.DEPARTMENT_HEAD,
        None,
    ),
    ("chuyenvien.ldtbxh.locninh@binhphuoc.demo", "Tạ Thị Nga", f"000.05.44.{L1}", Role.SPECIALIST, None),
    (
        "truongphong.ldtbxh.locninh@binhphuoc.demo",
        "Cao Văn Sơn",
        f"000.05.44.{L1}",
        Role.DEPARTMENT_HEAD,
        None,
    ),
]
DEPARTMENTS = {f"000.00.02.{L1}": ["Văn phòng Sở", "Phòng Hành chính tư pháp", "Phòng Bổ trợ tư pháp"]}


def demo_totp_key(username: str) -> str:
    """A fixed authenticator secret per demo account, so the printed secrets stay valid across runs."""
    return hashlib.sha1(f"egov-demo-totp:{username}".encode()).hexdigest()  # noqa: S324


def base32(hex_key: str) -> str:
    return base64.b32encode(bytes.fromhex(hex_key)).decode().rstrip("=")


class Command(BaseCommand):
    help = "Nạp dữ liệu trình diễn: tỉnh Bình Phước năm 2018 (đơn vị, cơ quan, tài khoản). Chạy lại an toàn."

    def add_arguments(self, parser):
        parser.add_argument("--quiet", action="store_true")
        parser.add_argument(
            "--country",
            default="all",
            help="Địa bàn cả nước để chọn địa chỉ: all (mặc định), none, hoặc các mã tỉnh cách nhau bởi dấu phẩy.",
        )

    def handle(self, *args: Any, quiet: bool = False, country: str = "all", **options: Any) -> None:
        try:
            with transaction.atomic():
                self._load()
                if country != "none":
                    load_country(actor=None, provinces=None if country == "all" else country.split(","))
        except DomainError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        if not quiet:
            self._print_accounts()

    def _import(self, service: Any, path: Path, aliases: dict[str, str], **kwargs: Any) -> None:
        report = service(
            rows=list(read_rows(path, aliases=aliases)),
            actor=None,
            default_valid_from=dt.date(2018, 1, 1),
            **kwargs,
        )
        if report.errors:
            raise CommandError("; ".join(f"{path.name} dòng {n}: {m}" for n, m in report.errors))

    def _load(self) -> None:
        ensure_levels_and_kinds(AdministrativeLevel, UnitKind)
        ensure_agency_kinds(AgencyKind)
        if not AdministrativeUnit.objects.filter(code="70").exists():
            self._import(import_units, UNITS_FILE, UNIT_COLUMNS, source="Danh mục ĐVHC – Tổng cục Thống kê")
            self._import(import_agencies, AGENCIES_FILE, AGENCY_COLUMNS)
        agencies = {a.code: a for a in Agency.objects.filter(code__endswith=L1)}
        for code, names in DEPARTMENTS.items():
            if code in agencies:
                existing = set(
                    Department.objects.filter(agency=agencies[code]).values_list("name", flat=True)
                )
                for name in names:
                    if name not in existing:
                        add_department(actor=None, agency=agencies[code], name=name)
        if not SiteProfile.objects.exists():
            SiteProfile.objects.create(
                portal_name="Cổng dịch vụ công trực tuyến",
                contact_agency=agencies.get(f"000.00.30.{L1}"),
                hotline="0271 3 888 999",
                visits_before_launch=2_941_443,
            )
        self._load_staff(agencies)
        self._load_public()
        load_demo_catalogue()
        load_furniture()  # help and questions, desk opening hours
        ensure_demo_pki()  # certificates, keys, seals and signature images of the demo officers and agencies
        load_processes()

    def _load_staff(self, agencies: dict[str, Agency]) -> None:
        for email, name, code, role, department_name in STAFF:
            agency = agencies.get(code)
            if agency is None or User.objects.filter(email=email).exists():
                continue
            department = (
                Department.objects.filter(agency=agency, name=department_name).first()
                if department_name
                else None
            )
            user = accounts.create_staff_account(
                actor=None,
                agency=agency,
                full_name=name,
                email=email,
                role=role,
                department=department,
                password=DEMO_PASSWORD,
            )
            if role in (Role.AGENCY_ADMIN,) and code == f"000.00.00.{L1}":
                user.is_staff = user.is_superuser = True
                user.save(update_fields=["is_staff", "is_superuser"])
            TOTPDevice.objects.create(
                user=user, name="Ứng dụng xác thực (demo)", confirmed=True, key=demo_totp_key(user.username)
            )

    def _load_public(self) -> None:
        commune = AdministrativeUnit.objects.current().filter(code="25279").first()  # Xã Lộc Tấn
        if commune is None:
            return
        if not User.objects.filter(email="nguyenvanan@binhphuoc.demo").exists():
            accounts.register_citizen(
                full_name="Nguyễn Văn An",
                email="nguyenvanan@binhphuoc.demo",
                phone="0912345678",
                password=DEMO_PASSWORD,
                personal_id="070090001234",
                date_of_birth=dt.date(1990, 5, 12),
                address_unit=commune,
                address_line="Ấp 3",
            )
        if not User.objects.filter(email="tranthibinh@binhphuoc.demo").exists():
            accounts.register_citizen(
                full_name="Trần Thị Bình",
                email="tranthibinh@binhphuoc.demo",
                password=DEMO_PASSWORD,
                personal_id="070195004321",
                date_of_birth=dt.date(1995, 8, 30),
                address_unit=commune,
            )
        if not User.objects.filter(email="nongsan.locninh@binhphuoc.demo").exists():
            accounts.register_organisation(
                name="Công ty TNHH Nông sản Lộc Ninh",
                tax_code="3800123454",
                representative="Lâm Văn Phúc",
                email="nongsan.locninh@binhphuoc.demo",
                password=DEMO_PASSWORD,
                address_unit=commune,
            )

    def _print_accounts(self) -> None:
        out = self.stdout.write
        out("")
        out(
            self.style.SUCCESS(
                "Dữ liệu trình diễn: tỉnh Bình Phước (2018). Mật khẩu mọi tài khoản: " + DEMO_PASSWORD
            )
        )
        out(
            "Cán bộ (xác thực hai lớp: thêm khóa bí mật vào ứng dụng TOTP, hoặc "
            "`python manage.py demo_otp <thư điện tử>` để lấy mã hiện tại):"
        )
        for email, _name, code, role, _department in STAFF:
            agency = Agency.objects.filter(code=code).only("name").first()
            out(f"  {email:40} {Role(role).label} – {agency.name if agency else code}")
            out(f"  {'':40} khóa TOTP: {base32(demo_totp_key(email))}")
        out("Công dân, tổ chức:")
        out("  nguyenvanan@binhphuoc.demo (hoặc 0912345678)  Nguyễn Văn An, công dân")
        out("  tranthibinh@binhphuoc.demo                      Trần Thị Bình, công dân")
        out("  nongsan.locninh@binhphuoc.demo                  Công ty TNHH Nông sản Lộc Ninh")
        out(f"Cổng dịch vụ công: {settings.EGOV_SITE_URL}/")
        out(f"Quản trị: {settings.EGOV_SITE_URL}/admin/ (quantri@binhphuoc.demo)")
        out(
            f"Chữ ký số: lãnh đạo ký bằng mã PIN {DEMO_PIN} tại /chu-ky-so/trinh-ky/; "
            "kiểm tra tệp đã ký tại /chu-ky-so/kiem-tra/."
        )
