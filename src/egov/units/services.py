"""Every write to administrative units goes through here."""

from __future__ import annotations

import csv
import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import CharField, OuterRef, Subquery, Value
from django.db.models.functions import Cast, Concat

from egov.audit.models import AuditEntry
from egov.audit.services import record
from egov.core.errors import DomainError, ScopeDenied
from egov.core.text import fold
from egov.core.tree import place_under
from egov.units.models import (
    AdministrativeLevel,
    AdministrativeUnit,
    Reorganisation,
    SuccessionKind,
    UnitKind,
    UnitSuccession,
    validate_unit_row,
)
from egov.units.reference import LEVELS_SINCE
from egov.units.selectors import forget_cached_units

PROVINCE_REFERENCE_DATA = "Chỉ quản trị hệ thống cấp tỉnh được thay đổi danh mục đơn vị hành chính."


def ensure_reference_data_admin(actor: Any) -> None:
    """Units are the province's reference data: only superusers (or the system itself, actor=None) edit them."""
    if actor is not None and not getattr(actor, "is_superuser", False):
        raise ScopeDenied(PROVINCE_REFERENCE_DATA)


def _messages(exc: ValidationError) -> list[str]:
    return [str(m) for m in exc.messages]


def create_unit(
    *,
    actor: Any,
    code: str,
    name: str,
    kind: UnitKind,
    parent: AdministrativeUnit | None,
    valid_from: dt.date,
    source: str = "",
) -> AdministrativeUnit:
    ensure_reference_data_admin(actor)
    unit = AdministrativeUnit(
        code=code.strip(),
        name=" ".join(name.split()),
        kind=kind,
        parent=parent,
        valid_from=valid_from,
        source=source,
    )
    validate_unit_row(unit)
    with transaction.atomic():
        clash = AdministrativeUnit.objects.current().filter(code=unit.code).first()
        if clash is not None:
            raise DomainError(f"Mã đơn vị {unit.code} đã được dùng cho “{clash.name}”.")
        place_under(node=unit, parent=parent)
        record(action=AuditEntry.Action.CREATED, actor=actor, target=unit)
        transaction.on_commit(forget_cached_units)
    return unit


# --- Import from a CSV or Excel file ---------------------------------------------------------------------

UNIT_COLUMNS = {
    "code": "code",
    "ma": "code",
    "ma don vi": "code",
    "ma dvhc": "code",
    "name": "name",
    "ten": "name",
    "ten don vi": "name",
    "kind": "kind",
    "loai": "kind",
    "cap": "kind",
    "parent_code": "parent_code",
    "ma cap tren": "parent_code",
    "ma don vi cap tren": "parent_code",
    "valid_from": "valid_from",
    "hieu luc tu": "valid_from",
    "ngay hieu luc": "valid_from",
}


@dataclass
class ImportReport:
    created: int = 0
    unchanged: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class _PlannedUnit:
    row: int
    code: str
    name: str
    kind: UnitKind
    parent_code: str
    valid_from: dt.date


def _kind_for(name: str, code: str, explicit: str, kinds: list[UnitKind]) -> UnitKind | None:
    """Kind from the 'kind' column (code or name), else from the name's prefix and the code's length."""
    if explicit:
        wanted = fold(explicit)
        for kind in kinds:
            if wanted in (fold(kind.code), fold(kind.name)) and len(code) == kind.level.code_length:
                return kind
        return None
    folded = fold(name)
    matches = [k for k in kinds if folded.startswith(fold(k.name) + " ") and len(code) == k.level.code_length]
    # "Thị xã" must win over "Xã" and "Thành phố" is decided by the code length: longest prefix first.
    matches.sort(key=lambda k: len(k.name), reverse=True)
    return matches[0] if matches else None


def import_units(
    *,
    rows: Iterable[tuple[int, dict[str, str]]],
    actor: Any,
    source: str,
    default_valid_from: dt.date,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Check every row first; save all of them in one transaction only if none has an error.

    Rows identical to a current unit are counted as unchanged, so importing the same file twice changes
    nothing. A row whose code belongs to a current unit with other data is an error: renaming or moving a unit
    is a reorganisation, which keeps history, not an import.
    """
    ensure_reference_data_admin(actor)
    report = ImportReport()
    kinds = list(UnitKind.objects.select_related("level"))
    existing = {u.code: u for u in AdministrativeUnit.objects.current().with_kind().select_related("parent")}
    planned: dict[str, _PlannedUnit] = {}
    for number, row in rows:
        if progress:
            progress(1)
        code, name = row.get("code", "").strip(), " ".join(row.get("name", "").split())
        if not code or not name:
            report.errors.append((number, "Thiếu mã hoặc tên đơn vị."))
            continue
        if not code.isdigit():
            report.errors.append((number, f"Mã “{code}” không hợp lệ: mã đơn vị chỉ gồm chữ số."))
            continue
        kind = _kind_for(name, code, row.get("kind", ""), kinds)
        if kind is None:
            report.errors.append(
                (
                    number,
                    f"Không xác định được loại đơn vị của “{name}” (mã {code}): "
                    "ghi rõ cột “loại” (Tỉnh, Huyện, Thị xã, Xã, Phường, Thị trấn…).",
                )
            )
            continue
        try:
            valid_from = (
                dt.date.fromisoformat(row["valid_from"]) if row.get("valid_from") else default_valid_from
            )
        except ValueError:
            report.errors.append((number, f"Ngày hiệu lực “{row['valid_from']}” phải có dạng YYYY-MM-DD."))
            continue
        if code in planned:
            report.errors.append((number, f"Mã {code} lặp lại (đã có ở dòng {planned[code].row})."))
            continue
        planned[code] = _PlannedUnit(number, code, name, kind, row.get("parent_code", "").strip(), valid_from)

    # Parents: in the file or already current; a unit's parent must be of a higher level; no cycles.
    def parent_rank(code: str) -> int | None:
        if code in planned:
            return planned[code].kind.level.rank
        if code in existing:
            return existing[code].kind.level.rank
        return None

    for item in planned.values():
        if item.parent_code:
            rank = parent_rank(item.parent_code)
            if rank is None:
                report.errors.append((item.row, f"Không tìm thấy đơn vị cấp trên có mã {item.parent_code}."))
            elif rank >= item.kind.level.rank:
                report.errors.append(
                    (
                        item.row,
                        f"Đơn vị mã {item.parent_code} không thể là cấp trên của "
                        f"“{item.name}” (phải thuộc cấp cao hơn).",
                    )
                )
        elif item.kind.level.rank > 1:
            report.errors.append((item.row, f"“{item.name}” thiếu mã đơn vị cấp trên."))
        current = existing.get(item.code)
        if current is not None:
            same = (
                current.name == item.name
                and current.kind_id == item.kind.pk
                and (current.parent.code if current.parent else "") == item.parent_code
            )
            if not same:
                report.errors.append(
                    (
                        item.row,
                        f"Mã {item.code} đã thuộc về “{current.name}” với dữ liệu khác; "
                        "đổi tên, nhập hoặc chia đơn vị phải thực hiện bằng chức năng "
                        "sắp xếp đơn vị hành chính để giữ lịch sử.",
                    )
                )
    if report.errors:
        report.errors.sort()
        return report

    with transaction.atomic():
        saved: dict[str, AdministrativeUnit] = dict(existing)
        for item in sorted(planned.values(), key=lambda p: (p.kind.level.rank, p.code)):
            if item.code in existing:
                report.unchanged += 1
                continue
            unit = AdministrativeUnit(
                code=item.code, name=item.name, kind=item.kind, valid_from=item.valid_from, source=source
            )
            place_under(node=unit, parent=saved.get(item.parent_code) if item.parent_code else None)
            saved[item.code] = unit
            report.created += 1
        record(
            action=AuditEntry.Action.IMPORTED,
            actor=actor,
            actor_label="" if actor else "hệ thống",
            data={
                "model": "units",
                "source": source,
                "created": report.created,
                "unchanged": report.unchanged,
            },
        )
        transaction.on_commit(forget_cached_units)
    return report


# --- Reorganisation (merge, split, rename, transfer, abolish a level) --------------------------------------


@dataclass(frozen=True)
class UnitChange:
    """One unit valid from the effective date and the current units it succeeds."""

    code: str
    name: str
    kind: str
    parent: str | None
    predecessors: tuple[str, ...]


@dataclass(frozen=True)
class UnitAbolition:
    """A unit that ends without a unit of its own succeeding it (a district in 2025); its territory and records
    pass to ``successors``, the first one being where reports roll its history up."""

    code: str
    successors: tuple[str, ...]


def reorganise_units(
    *,
    reorganisation: Reorganisation,
    changes: list[UnitChange],
    abolished: Iterable[UnitAbolition] = (),
    end_levels: Iterable[str] = (),
) -> tuple[dict[str, AdministrativeUnit], list[str]]:
    """Apply unit changes of a reorganisation (inside the caller's transaction).

    Returns the new units by code and notes about predecessors this database does not hold (a plan may cover
    more than one province's data). Afterwards every current unit must have a current parent.
    """
    transaction.on_commit(forget_cached_units)
    effective = reorganisation.effective_date
    last_day = effective - dt.timedelta(days=1)
    kinds = {k.code: k for k in UnitKind.objects.select_related("level")}
    notes: list[str] = []
    created: dict[str, AdministrativeUnit] = {}
    ended: dict[int, AdministrativeUnit] = {}
    has_primary: set[int] = set()
    current_by_code = {u.code: u for u in AdministrativeUnit.objects.current().with_kind()}

    ordered = sorted(changes, key=lambda c: kinds[c.kind].level.rank if c.kind in kinds else 99)
    for change in ordered:
        if change.kind not in kinds:
            raise DomainError(f"Loại đơn vị “{change.kind}” của {change.name} không có trong danh mục.")
        predecessors = []
        for code in change.predecessors:
            unit = current_by_code.get(code)
            if unit is None:
                notes.append(
                    f"Đơn vị mã {code} (tiền thân của {change.name}) không có trong dữ liệu, bỏ qua."
                )
            elif unit is not None:
                predecessors.append(unit)
        if change.parent is None:
            parent = None
        elif change.parent in created:
            parent = created[change.parent]
        else:
            parent = current_by_code.get(change.parent)
            if parent is None or parent.pk in ended:
                raise DomainError(f"Không tìm thấy đơn vị cấp trên mã {change.parent} cho “{change.name}”.")
        for unit in predecessors:
            if unit.pk not in ended:
                unit.valid_to = last_day
                unit.save(update_fields=["valid_to"])
                ended[unit.pk] = unit
        new_unit = AdministrativeUnit(
            code=change.code,
            name=change.name,
            kind=kinds[change.kind],
            valid_from=effective,
            source=reorganisation.legal_basis[:200],
        )
        try:
            validate_unit_row(
                AdministrativeUnit(
                    code=new_unit.code,
                    name=new_unit.name,
                    kind=new_unit.kind,
                    parent=parent,
                    valid_from=effective,
                )
            )
        except ValidationError as exc:
            raise DomainError(f"{change.name}: " + " ".join(_messages(exc))) from exc
        if change.code in current_by_code and current_by_code[change.code].pk not in ended:
            raise DomainError(f"Mã {change.code} đang được dùng cho “{current_by_code[change.code].name}”.")
        place_under(node=new_unit, parent=parent)
        created[change.code] = new_unit
        for unit in predecessors:
            if len(predecessors) > 1:
                kind = SuccessionKind.MERGE
            elif sum(1 for c in changes if unit.code in c.predecessors) > 1:
                kind = SuccessionKind.SPLIT
            elif unit.name != new_unit.name:
                kind = SuccessionKind.RENAME
            else:
                kind = SuccessionKind.TRANSFER
            UnitSuccession.objects.create(
                predecessor=unit,
                successor=new_unit,
                reorganisation=reorganisation,
                kind=kind,
                primary=unit.pk not in has_primary,
            )
            has_primary.add(unit.pk)

    for abolition in abolished:
        old = current_by_code.get(abolition.code)
        if old is None:
            notes.append(f"Đơn vị mã {abolition.code} không có trong dữ liệu, bỏ qua.")
            continue
        if old.pk not in ended:
            old.valid_to = last_day
            old.save(update_fields=["valid_to"])
            ended[old.pk] = old
        for index, code in enumerate(abolition.successors):
            successor = created.get(code)
            if successor is None:
                raise DomainError(f"Đơn vị kế thừa mã {code} của “{old.name}” không có trong phương án.")
            UnitSuccession.objects.create(
                predecessor=old,
                successor=successor,
                reorganisation=reorganisation,
                kind=SuccessionKind.ABOLISH,
                primary=index == 0,
            )

    for level_code in end_levels:
        level = AdministrativeLevel.objects.filter(code=level_code).first()
        if level is None:
            raise DomainError(f"Không có cấp hành chính “{level_code}”.")
        level.valid_to = last_day
        level.save(update_fields=["valid_to"])
        leftovers = AdministrativeUnit.objects.current().filter(kind__level=level).exclude(pk__in=ended)
        for unit in leftovers:
            raise DomainError(
                f"“{unit.name}” thuộc cấp {level.name.lower()} bị bãi bỏ nhưng phương án "
                "sắp xếp chưa nêu đơn vị kế thừa."
            )

    orphans = list(AdministrativeUnit.objects.current().filter(parent__valid_to__isnull=False)[:5])
    if orphans:
        names = ", ".join(u.name for u in orphans)
        raise DomainError(
            f"Phương án sắp xếp chưa nêu đơn vị mới cho: {names} (đơn vị cấp trên đã hết hiệu lực)."
        )
    return created, notes


# --- The whole country, for addresses (GSO lists shipped in units/data/gso) ------------------------------

GSO_DATA = Path(__file__).resolve().parent / "data" / "gso"
COUNTRY_LISTS = (
    # (file, valid from, valid to): the list before the 2025 reorganisation (63 provinces, three tiers) and
    # the one from 1 July 2025 (34 provinces, two tiers).
    ("vietnam-before-2025-07.csv", LEVELS_SINCE, dt.date(2025, 6, 30)),
    ("vietnam-from-2025-07.csv", dt.date(2025, 7, 1), None),
)
COUNTRY_SOURCE = "Danh mục ĐVHC toàn quốc – Tổng cục Thống kê"


@dataclass
class CountryReport:
    created: Counter[str] = field(default_factory=Counter)
    unchanged: int = 0
    skipped_home: int = 0

    @property
    def total_created(self) -> int:
        return sum(self.created.values())


def _read_gso(name: str) -> list[dict[str, str]]:
    with (GSO_DATA / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _home_territory(home_code: str, lists: dict[str, list[dict[str, str]]]) -> dict[str, set[str]]:
    """Codes, list by list, of the installation's own province and of any later province that took in part
    of its territory. Those units are the installation's own data — its list and its reorganisation plans
    (the demo: Bình Phước 2018, then Đồng Nai by the 2025 plan) — and the country loader leaves them alone."""
    first = lists[COUNTRY_LISTS[0][0]]
    parent_of = {row["code"]: row["parent_code"] for row in first}

    def province_of(code: str, parent: dict[str, str]) -> str:
        while parent.get(code):
            code = parent[code]
        return code

    home_units = {row["code"] for row in first if province_of(row["code"], parent_of) == home_code}
    excluded = {COUNTRY_LISTS[0][0]: home_units}
    for name, _, _ in COUNTRY_LISTS[1:]:
        rows = lists[name]
        parents = {row["code"]: row["parent_code"] for row in rows}
        # A new commune keeps the code of one of the communes it was made of.
        taken_in = {province_of(row["code"], parents) for row in rows if row["code"] in home_units}
        excluded[name] = {row["code"] for row in rows if province_of(row["code"], parents) in taken_in}
    return excluded


def load_country(*, actor: Any, provinces: Iterable[str] | None = None) -> CountryReport:
    """Every province, district and commune of Vietnam from the GSO lists, each valid for its period.

    Bulk (a few queries per tier whatever the number of units) and idempotent: a unit already held with the
    same code and start date is left as it is. The home province's territory is skipped (see
    :func:`_home_territory`). ``provinces`` limits the load to some province codes (tests).
    """
    ensure_reference_data_admin(actor)
    wanted = set(provinces) if provinces is not None else None
    kinds = list(UnitKind.objects.select_related("level"))
    # The lists spell kinds exactly ("Thị xã …" before "Xã …"): a plain prefix test, longest first.
    prefixes = sorted(((k.name + " ", k.level.code_length, k) for k in kinds), key=lambda p: -len(p[0]))
    lists = {name: _read_gso(name) for name, _, _ in COUNTRY_LISTS}
    home = _home_territory(settings.EGOV_PROVINCE_CODE, lists)
    report = CountryReport()
    with transaction.atomic():
        held = set(AdministrativeUnit.objects.values_list("code", "valid_from"))
        for name, valid_from, valid_to in COUNTRY_LISTS:
            rows = lists[name]
            province_of: dict[str, str] = {}
            for row in rows:
                province_of[row["code"]] = province_of.get(row["parent_code"], row["code"])
            by_rank: dict[int, list[AdministrativeUnit]] = {}
            parents: dict[int, dict[str, str]] = {}
            for row in rows:
                code = row["code"]
                if wanted is not None and province_of[code] not in wanted:
                    continue
                if code in home[name]:
                    report.skipped_home += 1
                    continue
                if (code, valid_from) in held:
                    report.unchanged += 1
                    continue
                kind = next(
                    (
                        k
                        for prefix, length, k in prefixes
                        if row["name"].startswith(prefix) and len(code) == length
                    ),
                    None,
                ) or _kind_for(row["name"], code, "", kinds)
                if kind is None:
                    raise DomainError(
                        f"{name}: không xác định được loại đơn vị của “{row['name']}” ({code})."
                    )
                unit = AdministrativeUnit(
                    code=code,
                    name=row["name"],
                    kind=kind,
                    valid_from=valid_from,
                    valid_to=valid_to,
                    source=COUNTRY_SOURCE,
                )
                by_rank.setdefault(kind.level.rank, []).append(unit)
                parents.setdefault(kind.level.rank, {})[code] = row["parent_code"]
                report.created[kind.level.code] += 1
            for rank in sorted(by_rank):
                units = by_rank[rank]
                if rank > 1:
                    ids = dict(
                        AdministrativeUnit.objects.filter(
                            valid_from=valid_from, code__in=set(parents[rank].values())
                        ).values_list("code", "pk")
                    )
                    for unit in units:
                        unit.parent_id = ids[parents[rank][unit.code]]
                AdministrativeUnit.objects.bulk_create(units, batch_size=2000)
                # Materialised paths need the new ids: one UPDATE per tier.
                fresh = AdministrativeUnit.objects.filter(
                    path="", valid_from=valid_from, kind__level__rank=rank
                )
                if rank == 1:
                    fresh.update(path=Concat(Value("/"), Cast("pk", CharField()), Value("/")))
                else:
                    parent_path = AdministrativeUnit.objects.filter(pk=OuterRef("parent_id")).values("path")
                    fresh.update(path=Concat(Subquery(parent_path), Cast("pk", CharField()), Value("/")))
        if report.total_created:
            record(
                action=AuditEntry.Action.IMPORTED,
                actor=actor,
                actor_label="" if actor else "hệ thống",
                data={"model": "units", "source": COUNTRY_SOURCE, "created": dict(report.created)},
            )
            transaction.on_commit(forget_cached_units)
    return report
