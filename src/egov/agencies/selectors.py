"""Reads of agencies, always through the viewer's scope."""

from __future__ import annotations

from django.db.models import QuerySet

from egov.agencies.models import Agency, AgencySuccession
from egov.units.models import AdministrativeUnit


def one_stop_desks(*, under: Agency | None = None) -> QuerySet[Agency]:
    queryset = Agency.objects.current().filter(has_one_stop_desk=True).select_related("unit", "kind")
    if under is not None:
        queryset = queryset.filter(path__startswith=under.path)
    return queryset.order_by("path")


def desks_by_area(province_unit: AdministrativeUnit) -> list[tuple[str, list[Agency]]]:
    """The one-stop desks of a province grouped by area: the province's own first, then one group per
    district-level unit (or per commune after the two-tier reform). One query."""
    desks = (
        Agency.objects.current()
        .filter(has_one_stop_desk=True, unit__path__startswith=province_unit.path)
        .select_related("unit", "unit__kind__level", "unit__parent", "unit__parent__kind__level")
    )
    groups: dict[tuple[str, str], list[Agency]] = {}
    for desk in desks:
        unit = desk.unit
        area = unit if unit.kind.level.rank <= 2 or unit.parent is None else unit.parent
        key = ("0" if area.pk == province_unit.pk else "1" + area.code, area.name)
        groups.setdefault(key, []).append(desk)
    ordered = []
    for key in sorted(groups):
        members = sorted(groups[key], key=lambda a: (a.unit.kind.level.rank, a.name))
        ordered.append((key[1], members))
    return ordered


def current_successor(agency: Agency) -> Agency:
    """Follow primary succession links from a historical agency to the agency that carries on today."""
    seen = {agency.pk}
    while True:
        link = (
            AgencySuccession.objects.filter(predecessor=agency, primary=True)
            .select_related("successor")
            .first()
        )
        if link is None or link.successor_id in seen:
            return agency
        agency = link.successor
        seen.add(agency.pk)


def people_committee_of(unit: AdministrativeUnit) -> Agency | None:
    """Today's People's Committee (Ủy ban nhân dân) of a unit, e.g. the province's: it owns the portal."""
    return Agency.objects.current().filter(unit=unit, kind__code="ubnd").order_by("path").first()
