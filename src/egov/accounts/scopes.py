"""Who may see and act on what. Every service and selector that touches agency data asks here.

- An officer acts only within the agencies where they hold a role, and only with that role.
- A province supervisor sees (does not act on) every agency in the tree under their agency.
- Superusers (the province's system administrators) see and manage everything.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from egov.accounts.models import StaffAssignment
from egov.accounts.roles import ADMINISTERING_ROLES, SUPERVISING_ROLES, Role
from egov.agencies.models import Agency
from egov.core.errors import ScopeDenied

_CACHE_ATTR = "_egov_assignments"
_VISIBLE_ATTR = "_egov_visible_agency_ids"


def assignments_of(user: Any) -> list[StaffAssignment]:
    """The user's roles, read once per request (cached on the user object)."""
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        cached = list(StaffAssignment.objects.filter(user=user).select_related("agency", "department"))
        setattr(user, _CACHE_ATTR, cached)
    return cached


def forget_assignments(user: Any) -> None:
    for name in (_CACHE_ATTR, _VISIBLE_ATTR):
        if hasattr(user, name):
            delattr(user, name)


def agencies_visible_to(user: Any) -> QuerySet[Agency]:
    """Agencies the user may see: their own, plus the subtree under any agency where they supervise."""
    if getattr(user, "is_superuser", False):
        return Agency.objects.all()
    assignments = assignments_of(user)
    if not assignments:
        return Agency.objects.none()
    condition = Q(pk__in={a.agency_id for a in assignments})
    for assignment in assignments:
        if assignment.role in SUPERVISING_ROLES:
            condition |= Q(path__startswith=assignment.agency.path)
    return Agency.objects.filter(condition)


def visible_agency_ids(user: Any) -> list[int]:
    """The ids of :func:`agencies_visible_to`, as a list a query can compare with (an index then serves the
    comparison, and the planner knows how many rows each agency has); no query unless the user supervises."""
    assignments = assignments_of(user)
    if not getattr(user, "is_superuser", False) and not any(a.role in SUPERVISING_ROLES for a in assignments):
        return sorted({a.agency_id for a in assignments})
    # A supervisor's subtree, read once per request like the roles (a workbench asks for it once per list).
    cached = getattr(user, _VISIBLE_ATTR, None)
    if cached is None:
        cached = list(agencies_visible_to(user).order_by("pk").values_list("pk", flat=True))
        setattr(user, _VISIBLE_ATTR, cached)
    return list(cached)


def can_view(user: Any, agency: Agency) -> bool:
    if getattr(user, "is_superuser", False):
        return True
    for assignment in assignments_of(user):
        if assignment.agency_id == agency.pk:
            return True
        if assignment.role in SUPERVISING_ROLES and agency.path.startswith(assignment.agency.path):
            return True
    return False


def holds_role(user: Any, agency: Agency, *roles: str) -> bool:
    return any(a.agency_id == agency.pk and a.role in roles for a in assignments_of(user))


def ensure_can_view(user: Any, agency: Agency) -> None:
    if not can_view(user, agency):
        raise ScopeDenied(f"Bạn không có quyền xem dữ liệu của {agency.name}.")


def ensure_role(user: Any, agency: Agency, *roles: str) -> None:
    """The user must hold one of ``roles`` in this very agency (supervisors see but do not act)."""
    if not holds_role(user, agency, *roles):
        names = ", ".join(Role(r).label.lower() for r in roles)
        raise ScopeDenied(f"Thao tác này chỉ dành cho {names} của {agency.name}.")


def ensure_can_administer(user: Any, agency: Agency) -> None:
    """``user=None`` is the system itself (a management command run by the operator)."""
    if user is None or getattr(user, "is_superuser", False):
        return
    if not holds_role(user, agency, *ADMINISTERING_ROLES):
        raise ScopeDenied(f"Chỉ quản trị của {agency.name} được quản lý tài khoản và thông tin cơ quan.")


def may_manage_authenticators(user: Any) -> bool:
    """Whether ``user`` may open the page of officers' authenticators (agency or system administrators)."""
    if getattr(user, "is_superuser", False):
        return True
    return any(a.role in ADMINISTERING_ROLES for a in assignments_of(user))


def can_issue_enrolment_link(actor: Any, officer: Any) -> bool:
    """Who may let ``officer`` add an authenticator app: a system administrator, or an administrator of an
    agency where the officer holds a role — never the officer themselves. ``actor=None`` is the operator's
    command. The page (which buttons show) and the service ask here."""
    if actor is None:
        return True
    if not getattr(actor, "is_authenticated", False) or actor.pk == officer.pk:
        return False
    if getattr(actor, "is_superuser", False):
        return True
    return any(holds_role(actor, a.agency, *ADMINISTERING_ROLES) for a in assignments_of(officer))


def ensure_can_issue_enrolment_link(actor: Any, officer: Any) -> None:
    if actor is not None and getattr(actor, "pk", None) == officer.pk:
        raise ScopeDenied("Không thể tự cấp đường dẫn thiết lập xác thực cho chính mình.")
    if not can_issue_enrolment_link(actor, officer):
        raise ScopeDenied(
            "Chỉ quản trị của cơ quan nơi cán bộ công tác, hoặc quản trị hệ thống, được cấp đường dẫn này."
        )
