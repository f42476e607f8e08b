"""Public API of the catalogue: list, search and read procedures with their form definitions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema

from egov.catalog import lists
from egov.catalog.models import ProcedureVersion
from egov.catalog.selectors import (
    Filters,
    deciding_authority,
    desks_for,
    procedure_detail,
    search_page,
    understood_as,
)

router = Router()


class ProcedureSummary(Schema):
    code: str
    name: str
    version: int
    sector_code: str
    sector_name: str
    levels: list[str]
    online_level: str
    processing_time: Decimal
    processing_time_unit: str


class ComponentOut(Schema):
    key: str
    name: str
    originals: int
    certified_copies: int
    photocopies: int
    required: bool
    condition: str
    show_if: dict[str, Any]


class DeskOut(Schema):
    code: str  # the agency's organ code: the ``agency`` field of POST /api/v1/dossiers
    name: str
    address: str


class OrganOut(Schema):
    code: str
    name: str


class ProcedureOut(ProcedureSummary):
    desks: list[DeskOut]  # the one-stop desks that receive this procedure's dossiers
    receiving_agency: str
    deciding_agency: str = Field(description="Cơ quan có thẩm quyền quyết định, như được công bố")
    deciding_level: str | None = Field(
        description="Cấp giải quyết: province, district, commune; null: cấp của bộ phận một cửa tiếp nhận hồ sơ"
    )
    deciding_organ: OrganOut | None = Field(
        description="Cơ quan cụ thể có thẩm quyền (mã định danh, tên); null: Ủy ban nhân dân của cấp giải quyết"
    )
    deciding_office: str = Field(
        description="Phòng chuyên môn giải quyết thuộc cơ quan đó; trống: chính cơ quan"
    )
    deciding_authority: str = Field(description="Cơ quan giải quyết theo ba mục trên, bằng lời")
    processing_time_note: str
    fee_amount: int
    fee_note: str
    steps: str
    conditions: str
    legal_basis: str
    result: str
    published_on: dt.date | None
    effective_from: dt.date | None
    components: list[ComponentOut]
    form: dict[str, Any]


class ProcedureQuery(Schema):
    q: str = Field(
        "", max_length=200, description="Từ khóa, có dấu hoặc không dấu / words, with or without diacritics"
    )
    sector: str = Field("", max_length=30, description="Mã lĩnh vực / the sector's code")
    level: str = Field(
        "", max_length=20, description="Cấp thực hiện: province, district hoặc commune / the level"
    )
    online: str = Field(
        "",
        max_length=10,
        description="full, partial, none, hoặc online (full + partial) / online service level",
    )
    agency: str = Field(
        "",
        max_length=35,
        description="Mã định danh bộ phận một cửa tiếp nhận / the receiving desk's organ code",
    )
    limit: int = Field(20, ge=1, le=100, description="Số thủ tục mỗi trang / procedures per page")
    offset: int = Field(0, ge=0, le=100_000, description="Bỏ qua bấy nhiêu thủ tục đầu / procedures skipped")


class ProcedurePage(Schema):
    items: list[ProcedureSummary]
    count: int = Field(description="Số thủ tục khớp, mọi trang / how many match, all pages together")
    understood_as: str | None = Field(
        None,
        description="Câu tìm theo cách gọi trong danh mục khi ``q`` dùng cách gọi thông thường (“công chứng” → "
        "“chứng thực”), kết quả của cách gọi này xếp trước; null nếu tìm đúng như đã gõ / ``q`` in the "
        "catalogue's wording when it used a colloquial name (those results come first); null otherwise",
    )
    limit: int
    offset: int


def summary(version: ProcedureVersion) -> dict[str, Any]:
    return {
        "code": version.procedure.national_code, "name": version.name, "version": version.number,
        "sector_code": version.sector.code, "sector_name": version.sector.name,
        "levels": [level.code for level in version.levels.all()], "online_level": version.online_level,
        "processing_time": version.processing_time, "processing_time_unit": version.processing_time_unit,
    }  # fmt: skip


@router.get("", response=ProcedurePage, summary="Tìm và liệt kê thủ tục đang áp dụng (theo trang)")
def list_procedures(request: HttpRequest, params: Query[ProcedureQuery]) -> dict[str, Any]:
    """Có ``q``: xếp theo mức khớp; không có: theo lĩnh vực rồi tên. / With ``q``: best match first; without:
    by sector, then name."""
    filters = Filters(sector=params.sector, level=params.level, online=params.online, agency=params.agency)
    versions, count = search_page(params.q, filters, offset=params.offset, limit=params.limit)
    return {
        "items": [summary(v) for v in versions],
        "count": count,
        "understood_as": understood_as(params.q) if params.q else None,
        "limit": params.limit,
        "offset": params.offset,
    }


@router.get("/{code}", response=ProcedureOut, summary="Một thủ tục, với thành phần hồ sơ và biểu mẫu điện tử")
def get_procedure(request: HttpRequest, code: str) -> dict[str, Any]:
    version = procedure_detail(code)
    if version is None:
        raise Http404
    return {
        **summary(version),
        **{key: getattr(version, key) for key in (
            "receiving_agency", "deciding_agency", "processing_time_note", "fee_amount", "fee_note", "steps",
            "conditions", "legal_basis", "result", "published_on", "effective_from")},
        "deciding_level": version.deciding_level.code if version.deciding_level is not None else None,
        "deciding_organ": (
            {"code": version.deciding_organ.code, "name": version.deciding_organ.name}
            if version.deciding_organ is not None else None
        ),
        "deciding_office": version.deciding_office,
        "deciding_authority": deciding_authority(version),
        "components": list(version.components.all()),
        "form": lists.expanded(version.form_definition),
        "desks": [
            {"code": d.code, "name": d.name, "address": getattr(d, "address", "") or ""}
            for d in desks_for(version)
        ],
    }  # fmt: skip
