"""The address picker's small endpoint: the communes of a province, as <option> elements (htmx swaps them)."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.views.decorators.http import require_GET

from egov.units.selectors import commune_choices


def _day(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None


@require_GET
def commune_options(request: HttpRequest) -> HttpResponse:
    """``?tinh=01`` (or the picker's own ``…province`` field) → the province's communes valid today (or on
    ``ngay=YYYY-MM-DD``), grouped by district where the structure has districts."""
    province = request.GET.get("tinh") or next(
        (request.GET[name] for name in request.GET if name.endswith("province")), ""
    )
    groups = commune_choices(str(province).strip(), _day(request.GET.get("ngay", "")))
    html = render_to_string(
        "units/commune_options.html", {"groups": groups, "selected": request.GET.get("chon", "")}
    )
    response = HttpResponse(html)
    response["Cache-Control"] = "max-age=300"
    return response
