"""Staff roles in an agency. The list is the one-stop-shop regulation's cast of characters."""

from __future__ import annotations

from django.db import models


class Role(models.TextChoices):
    RECEIVING_OFFICER = "receiving_officer", "Cán bộ một cửa (tiếp nhận, trả kết quả)"
    SPECIALIST = "specialist", "Chuyên viên xử lý"
    DEPARTMENT_HEAD = "department_head", "Lãnh đạo phòng"
    LEADER = "leader", "Lãnh đạo cơ quan (người ký)"
    CLERK = "clerk", "Văn thư"
    AGENCY_ADMIN = "agency_admin", "Quản trị cơ quan"
    PROVINCE_SUPERVISOR = "province_supervisor", "Giám sát cấp tỉnh"


# Roles whose holder sees the whole agency tree under their agency, not only their own agency.
SUPERVISING_ROLES = frozenset({Role.PROVINCE_SUPERVISOR})
# Roles that may manage accounts and reference data of their agency.
ADMINISTERING_ROLES = frozenset({Role.AGENCY_ADMIN})
