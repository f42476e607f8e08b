"""Reads of administrative units: pickers, trees and history roll-up."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from egov.core.text import fold
from egov.units.models import AdministrativeLevel, AdministrativeUnit, UnitSuccession


def units_valid_on(day: dt.date | None = None):
    return AdministrativeUnit.objects.valid_on(day or timezone.localdate()).with_kind()


CACHE_SECONDS = 300


def cache_key(name: str) -> str:
    """Keys of cached unit reads carry a version that every change to units bumps (``forget_cached_units``)."""
    return f"units:{cache.get_or_set('units:version', 1)}:{name}"


def forget_cached_units() -> None:
    try:
        cache.incr("units:version")
    except ValueError:
        cache.set("units:version", 2)


def province(code: str) -> AdministrativeUnit | None:
    """The current province for a GSO code, following the history if that province was merged away."""
    key = cache_key(f"province:{code}:{timezone.localdate()}")
    found = cache.get(key)
    if found is None:
        found = _province(code) or False
        cache.set(key, found, CACHE_SECONDS)
    return found or None


def home_province() -> AdministrativeUnit | None:
    """The province this installation serves (``EGOV_PROVINCE_CODE``), as it is today."""
    return province(settings.EGOV_PROVINCE_CODE)


def _province(code: str) -> AdministrativeUnit | None:
    unit = AdministrativeUnit.objects.filter(code=code, kind__level__rank=1).order_by("-valid_from").first()
    if unit is None:
        return None
    current_id = successor_map().get(unit.pk, unit.pk)
    return AdministrativeUnit.objects.with_kind().get(pk=current_id)


def communes_for_picker(
    province_unit: AdministrativeUnit | None, day: dt.date | None = None
) -> list[tuple[str, list[AdministrativeUnit]]]:
    """Commune-level units of a province valid on ``day`` (today), grouped under their district (or the
    province itself where the two-tier structure has no districts): ``[(group label, [units])]``. One query
    whatever the size."""
    if province_unit is None:
        return []
    units = list(
        units_valid_on(day)
        .filter(path__startswith=province_unit.path)
        .exclude(pk=province_unit.pk)
        .select_related("parent")
        .order_by("path")
    )
    deepest = max((u.kind.level.rank for u in units), default=0)
    groups: dict[str, list[AdministrativeUnit]] = {}
    for unit in units:
        if unit.kind.level.rank == deepest:
            label = unit.parent.name if unit.parent else province_unit.name
            groups.setdefault(label, []).append(unit)
    return [(label, sorted(items, key=lambda u: fold(u.name))) for label, items in groups.items()]


# --- The address picker: province, then (district and) commune, as valid on a day ------------------------


def provinces_on(day: dt.date | None = None) -> list[tuple[str, str]]:
    """``[(code, name)]`` of the provinces valid on ``day`` (today), in alphabetical order. Cached."""
    day = day or timezone.localdate()
    key = cache_key(f"provinces:{day}")
    found = cache.get(key)
    if found is None:
        rows = (
            AdministrativeUnit.objects.valid_on(day).filter(kind__level__rank=1).values_list("code", "name")
        )
        found = sorted(rows, key=lambda row: fold(row[1].removeprefix("Tỉnh ").removeprefix("Thành phố ")))
        cache.set(key, found, CACHE_SECONDS)
    return found


def commune_choices(
    province_code: str, day: dt.date | None = None
) -> list[tuple[str, list[tuple[str, str]]]]:
    """The communes of a province valid on ``day`` for a ``<select>``: ``[(district or province, [(code,
    name)])]``. Two queries (the province, its units) on a cache miss."""
    day = day or timezone.localdate()
    if not province_code.isdigit():
        return []
    key = cache_key(f"communes:{province_code}:{day}")
    found = cache.get(key)
    if found is None:
        unit = units_valid_on(day).filter(code=province_code, kind__level__rank=1).first()
        found = [
            (label, [(u.code, u.name) for u in units]) for label, units in communes_for_picker(unit, day)
        ]
        cache.set(key, found, CACHE_SECONDS)
    return found


def province_code_of(unit_code: str, day: dt.date | None = None) -> str:
    """The province (code) a unit valid on ``day`` belongs to, or "" (a picker showing a saved address)."""
    if not unit_code.isdigit():
        return ""
    unit = AdministrativeUnit.objects.valid_on(day or timezone.localdate()).filter(code=unit_code).first()
    if unit is None:
        return ""
    top = unit.path.strip("/").split("/")[0]
    return AdministrativeUnit.objects.filter(pk=int(top)).values_list("code", flat=True).first() or ""


def successor_map() -> dict[int, int]:
    """Every unit id that has been succeeded → the id of its current (primary) successor. One query."""
    links = dict(UnitSuccession.objects.filter(primary=True).values_list("predecessor_id", "successor_id"))
    resolved: dict[int, int] = {}
    for start in links:
        seen = {start}
        current = links[start]
        while current in links and current not in seen:
            seen.add(current)
            current = links[current]
        resolved[start] = current
    return resolved


def roll_up(counts: Mapping[int, int]) -> dict[AdministrativeUnit, int]:
    """Re-key figures recorded against historical units onto today's units (e.g. dossiers received by a
    district that no longer exists count for the commune or province that succeeded it)."""
    mapping = successor_map()
    totals: Counter[int] = Counter()
    for unit_id, value in counts.items():
        totals[mapping.get(unit_id, unit_id)] += value
    units = AdministrativeUnit.objects.with_kind().in_bulk(list(totals))
    return {units[pk]: value for pk, value in totals.items()}


def history_of(unit: AdministrativeUnit) -> list[UnitSuccession]:
    return list(
        UnitSuccession.objects.filter(successor=unit)
        .select_related("predecessor", "reorganisation")
        .order_by("predecessor__code")
    )


def place_names(codes: set[str]) -> dict[str, str]:
    """Current units by code → their full place name (“Xã Lộc Tấn, Huyện Lộc Ninh, Tỉnh Bình Phước”).
    Two queries for any number of codes."""
    units = list(AdministrativeUnit.objects.current().filter(code__in=codes))
    ancestor_ids = {int(pk) for unit in units for pk in unit.path.strip("/").split("/") if pk}
    names = dict(AdministrativeUnit.objects.filter(pk__in=ancestor_ids).values_list("pk", "name"))
    out = {}
    for unit in units:
        chain = [names[int(pk)] for pk in unit.path.strip("/").split("/") if pk and int(pk) in names]
        out[unit.code] = ", ".join(reversed(chain))
    return out


def resolve_commune(code: str) -> tuple[str, str] | None:
    """For form address fields: a current unit without current children (a commune), or None. Cached."""
    key = cache_key(f"commune:{code}")
    found = cache.get(key)
    if found is None:
        found = _resolve_commune(code) or False
        cache.set(key, found, CACHE_SECONDS)
    return found or None


def _resolve_commune(code: str) -> tuple[str, str] | None:
    unit = AdministrativeUnit.objects.current().filter(code=code).first()
    if unit is None or unit.children.current().exists():
        return None
    return unit.code, place_names({unit.code})[unit.code]


def ended_levels() -> dict[str, tuple[str, dt.date]]:
    """Tiers of local government a reorganisation ended (as for agencies, from the moment it is applied):
    code → (name, last day). Cached; a reorganisation forgets it (``forget_cached_units``)."""
    key = cache_key("ended-levels")
    found = cache.get(key)
    if found is None:
        found = {
            level.code: (level.name, level.valid_to)
            for level in AdministrativeLevel.objects.filter(valid_to__isnull=False)
        }
        cache.set(key, found, CACHE_SECONDS)
    return found
