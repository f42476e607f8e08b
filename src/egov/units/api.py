"""Public reads of administrative units, for address pickers and for other systems."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Query, Router, Schema

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


class UnitQuery(Schema):
    parent: str = Field(
        "",
        max_length=20,
        description="Mã đơn vị cấp trên (để trống: cấp tỉnh) / the parent's code (empty: provinces)",
    )
    on: dt.date | None = Field(
        None, description="Ngày tra cứu (mặc định hôm nay) / as of this day (default today)"
    )
    limit: int = Field(100, ge=1, le=1000, description="Số đơn vị mỗi trang / units per page")
    offset: int = Field(0, ge=0, le=100_000, description="Bỏ qua bấy nhiêu đơn vị đầu / units skipped")


class UnitPage(Schema):
    items: list[UnitOut]
    count: int = Field(description="Số đơn vị khớp, mọi trang / how many match, all pages together")
    limit: int
    offset: int


@router.get(
    "", response=UnitPage, summary="Danh sách đơn vị hành chính có hiệu lực vào một ngày (theo trang)"
)
def list_units(request: HttpRequest, params: Query[UnitQuery]) -> dict[str, Any]:
    """Các đơn vị trực thuộc ``parent`` (hoặc cấp tỉnh), theo mã. / The units directly under ``parent`` (or the
    provinces), by code."""
    day = params.on or timezone.localdate()
    queryset = units_valid_on(day).select_related("parent")
    if params.parent:
        parent_unit = get_object_or_404(units_valid_on(day), code=params.parent)
        queryset = queryset.filter(parent=parent_unit)
    else:
        queryset = queryset.filter(parent__isnull=True)
    count = queryset.count()
    page = (
        queryset.order_by("code")[params.offset : params.offset + params.limit]
        if params.offset < count
        else []
    )
    return {"items": [_out(u) for u in page], "count": count, "limit": params.limit, "offset": params.offset}


@router.get("/{code}", response=UnitOut, summary="Một đơn vị hành chính theo mã")
def get_unit(request: HttpRequest, code: str, on: dt.date | None = None) -> UnitOut:
    unit = get_object_or_404(units_valid_on(on or timezone.localdate()).select_related("parent"), code=code)
    return _out(unit)
