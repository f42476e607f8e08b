"""Public reads of administrative units, for address pickers and for other systems."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Router, Schema

from egov.units.models import AdministrativeUnit
from egov.units.selectors import units_valid_on

router = Router()


class UnitOut(Schema):
    code: str
    name: str
    kind: str
    level: str
    parent_code: str | None
    valid_from: dt.date
    valid_to: dt.date | None


def _out(unit: AdministrativeUnit) -> UnitOut:
    return UnitOut(
        code=unit.code,
        name=unit.name,
        kind=unit.kind.name,
        level=unit.kind.level.code,
        parent_code=unit.parent.code if unit.parent else None,
        valid_from=unit.valid_from,
        valid_to=unit.valid_to,
    )


@router.get("", response=list[UnitOut], summary="Danh sách đơn vị hành chính có hiệu lực vào một ngày")
def list_units(request: HttpRequest, parent: str | None = None, on: dt.date | None = None) -> list[UnitOut]:
    """`parent`: mã đơn vị cấp trên (để trống: cấp tỉnh); `on`: ngày tra cứu (mặc định hôm nay)."""
    day = on or timezone.localdate()
    queryset = units_valid_on(day).select_related("parent")
    if parent:
        parent_unit = get_object_or_404(units_valid_on(day), code=parent)
        queryset = queryset.filter(parent=parent_unit)
    else:
        queryset = queryset.filter(parent__isnull=True)
    return [_out(u) for u in queryset.order_by("code")]


@router.get("/{code}", response=UnitOut, summary="Một đơn vị hành chính theo mã")
def get_unit(request: HttpRequest, code: str, on: dt.date | None = None) -> UnitOut:
    unit = get_object_or_404(units_valid_on(on or timezone.localdate()).select_related("parent"), code=code)
    return _out(unit)
