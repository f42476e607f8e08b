"""Every role, what it sees and what it may do — enforced in services and selectors."""

import pytest
from django.test import Client

from egov.accounts import services
from egov.accounts.models import StaffAssignment, User
from egov.accounts.roles import Role
from egov.accounts.scopes import agencies_visible_to, can_view, ensure_role
from egov.accounts.selectors import agency_list
from egov.agencies.models import Agency
from egov.audit.models import AuditEntry
from egov.core.errors import ScopeDenied

ROLE_ACCOUNTS = {
    Role.RECEIVING_OFFICER: ("motcua.locninh@binhphuoc.demo", "000.00.44.H10"),
    Role.SPECIALIST: ("chuyenvien.locninh@binhphuoc.demo", "000.02.44.H10"),
    Role.DEPARTMENT_HEAD: ("truongphong.tuphap@binhphuoc.demo", "000.00.02.H10"),
    Role.LEADER: ("lanhdao.locninh@binhphuoc.demo", "000.00.44.H10"),
    Role.CLERK: ("vanthu.locninh@binhphuoc.demo", "000.00.44.H10"),
    Role.AGENCY_ADMIN: ("quantri.locninh@binhphuoc.demo", "000.00.44.H10"),
}


def user(email: str) -> User:
    return User.objects.get(email=email)


@pytest.mark.parametrize("role", list(ROLE_ACCOUNTS))
def test_an_officer_sees_and_acts_only_in_their_own_agency(demo: None, role: Role) -> None:
    email, code = ROLE_ACCOUNTS[role]
    officer = user(email)
    own = Agency.objects.get(code=code)
    other = Agency.objects.get(code="000.00.45.H10")  # UBND huyện Bù Đốp
    child = Agency.objects.get(code="000.22.44.H10")  # UBND xã Lộc Tấn, under UBND huyện Lộc Ninh
    assert list(agencies_visible_to(officer)) == [own]
    assert can_view(officer, own) and not can_view(officer, other) and not can_view(officer, child)
    ensure_role(officer, own, role)
    with pytest.raises(ScopeDenied):
        ensure_role(officer, other, role)
    # Acting with a role one does not hold is refused even in one's own agency.
    other_role = Role.CLERK if role != Role.CLERK else Role.LEADER
    with pytest.raises(ScopeDenied, match=own.name):
        ensure_role(officer, own, other_role)


@pytest.mark.parametrize("role", [r for r in ROLE_ACCOUNTS if r != Role.AGENCY_ADMIN])
def test_only_agency_admins_grant_roles(demo: None, role: Role) -> None:
    email, code = ROLE_ACCOUNTS[role]
    agency = Agency.objects.get(code=code)
    colleague = user("motcua.loctan@binhphuoc.demo")
    with pytest.raises(ScopeDenied, match="Chỉ quản trị"):
        services.grant_role(actor=user(email), user=colleague, agency=agency, role=Role.SPECIALIST)
    assert not StaffAssignment.objects.filter(user=colleague, agency=agency).exists()


def test_an_agency_admin_grants_and_revokes_in_their_agency_only(demo: None) -> None:
    admin = user("quantri.locninh@binhphuoc.demo")
    loc_ninh = Agency.objects.get(code="000.00.44.H10")
    colleague = user("motcua.loctan@binhphuoc.demo")
    assignment = services.grant_role(actor=admin, user=colleague, agency=loc_ninh, role=Role.SPECIALIST)
    assert AuditEntry.objects.filter(action="role_granted", actor=admin, object_id=str(colleague.pk)).exists()
    services.revoke_role(actor=admin, assignment=assignment)
    assert AuditEntry.objects.filter(action="role_revoked", actor=admin, object_id=str(colleague.pk)).exists()
    with pytest.raises(ScopeDenied):
        services.grant_role(
            actor=admin, user=colleague, agency=Agency.objects.get(code="000.00.02.H10"), role=Role.SPECIALIST
        )
    citizen = user("nguyenvanan@binhphuoc.demo")
    with pytest.raises(Exception, match="Chỉ tài khoản cán bộ"):
        services.grant_role(actor=admin, user=citizen, agency=loc_ninh, role=Role.SPECIALIST)


def test_a_province_supervisor_sees_the_whole_tree_but_acts_nowhere(demo: None) -> None:
    supervisor = user("giamsat@binhphuoc.demo")
    visible = agencies_visible_to(supervisor)
    assert (
        visible.count()
        == Agency.objects.filter(path__startswith=Agency.objects.get(code="000.00.00.H10").path).count()
    )
    commune = Agency.objects.get(code="000.22.44.H10")
    assert can_view(supervisor, commune)
    with pytest.raises(ScopeDenied):
        ensure_role(supervisor, commune, Role.RECEIVING_OFFICER)
    with pytest.raises(ScopeDenied):
        services.grant_role(
            actor=supervisor, user=user("motcua.loctan@binhphuoc.demo"), agency=commune, role=Role.LEADER
        )


def test_a_district_supervisor_sees_only_their_district(demo: None) -> None:
    district = Agency.objects.get(code="000.00.44.H10")
    supervisor = services.create_staff_account(
        actor=None,
        agency=district,
        full_name="Giám Sát Huyện",
        email="giamsat.locninh@example.vn",
        role=Role.PROVINCE_SUPERVISOR,
    )
    names = set(agencies_visible_to(supervisor).values_list("name", flat=True))
    assert "Ủy ban nhân dân xã Lộc Tấn" in names
    assert "Ủy ban nhân dân huyện Bù Đốp" not in names
    assert "Ủy ban nhân dân tỉnh Bình Phước" not in names


def test_the_desk_lists_the_scope_in_a_constant_number_of_queries(officer_client) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries(client: Client) -> tuple[int, str]:
        client.get(
            "/tai-khoan/can-bo/"
        )  # warm the per-process caches (site profile, counters, visitor cookie)
        with CaptureQueriesContext(connection) as captured:
            page = client.get("/tai-khoan/can-bo/")
        assert page.status_code == 200
        return len(captured), page.content.decode()

    supervisor_queries, body = queries(officer_client("giamsat@binhphuoc.demo"))
    assert "Ủy ban nhân dân xã Lộc Tấn" in body
    assert agency_list(viewer=user("giamsat@binhphuoc.demo")).count() == 116
    officer_queries, body = queries(officer_client("motcua.locninh@binhphuoc.demo"))
    assert "Cán bộ một cửa" in body and "Ủy ban nhân dân xã Lộc Tấn" not in body
    # 116 agencies or one: the same handful of queries (session, user, device, roles, agencies, departments,
    # and the workbench's tab counts), and the supervisor's subtree once more (read once for every tab).
    assert supervisor_queries == officer_queries + 1 == 7


def test_the_desk_is_closed_to_citizens_and_to_officers_without_second_factor(demo: None) -> None:
    citizen = Client()
    citizen.force_login(user("nguyenvanan@binhphuoc.demo"))
    assert citizen.get("/tai-khoan/can-bo/").status_code == 302
    half = Client()
    half.post(
        "/tai-khoan/dang-nhap/", {"username": "motcua.locninh@binhphuoc.demo", "password": "Chinhquyen@2018"}
    )
    assert half.get("/tai-khoan/can-bo/").status_code == 302
