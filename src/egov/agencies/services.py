"""Every write to agencies and departments goes through here, as does applying a reorganisation plan."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from egov.agencies.models import Agency, AgencyKind, AgencySuccession, Department
from egov.agencies.organ_codes import validate_organ_code
from egov.agencies.permissions import ensure_can_administer
from egov.agencies.reorganisation_hooks import Reorganised, run_hooks
from egov.audit.models import AuditEntry
from egov.audit.services import record
from egov.core.errors import DomainError
from egov.core.identifiers import normalize_email, normalize_phone
from egov.core.tree import place_under
from egov.units.models import AdministrativeUnit, Reorganisation, SuccessionKind
from egov.units.services import (
    ImportReport,
    UnitAbolition,
    UnitChange,
    ensure_reference_data_admin,
    reorganise_units,
)

CONTACT_FIELDS = ("address", "phone", "email", "website", "has_one_stop_desk", "short_name")


def _clean_contact(contact: dict[str, Any]) -> dict[str, Any]:
    unknown = set(contact) - set(CONTACT_FIELDS)
    if unknown:
        raise DomainError(f"Trường không được phép thay đổi: {', '.join(sorted(unknown))}.")
    cleaned = dict(contact)
    try:
        if cleaned.get("phone"):
            cleaned["phone"] = normalize_phone(cleaned["phone"])
        if cleaned.get("email"):
            cleaned["email"] = normalize_email(cleaned["email"])
    except ValidationError as exc:
        raise DomainError(exc.messages[0]) from exc
    return cleaned


def create_agency(
    *,
    actor: Any,
    code: str,
    name: str,
    kind: AgencyKind,
    unit: AdministrativeUnit,
    parent: Agency | None,
    valid_from: dt.date,
    **contact: Any,
) -> Agency:
    """Create an agency. Top-level agencies are province reference data; sub-agencies may also be created by
    the administrator of the parent agency."""
    if parent is None:
        ensure_reference_data_admin(actor)
    else:
        ensure_can_administer(actor, parent)
    try:
        code = validate_organ_code(code)
    except ValidationError as exc:
        raise DomainError(exc.messages[0]) from exc
    if not name.strip():
        raise DomainError("Tên cơ quan không được để trống.")
    if unit.valid_to is not None:
        raise DomainError(f"Đơn vị hành chính “{unit.name}” đã hết hiệu lực.")
    agency = Agency(
        code=code,
        name=" ".join(name.split()),
        kind=kind,
        unit=unit,
        valid_from=valid_from,
        **_clean_contact(contact),
    )
    with transaction.atomic():
        clash = Agency.objects.current().filter(code=code).first()
        if clash is not None:
            raise DomainError(f"Mã định danh {code} đã được dùng cho “{clash.name}”.")
        try:
            with transaction.atomic():
                place_under(node=agency, parent=parent)
        except IntegrityError as exc:  # a concurrent request took the code between the check and the insert
            raise DomainError(f"Mã định danh {code} đã được dùng.") from exc
        record(action=AuditEntry.Action.CREATED, actor=actor, target=agency)
    return agency


def update_agency_contact(*, actor: Any, agency: Agency, **contact: Any) -> Agency:
    ensure_can_administer(actor, agency)
    cleaned = _clean_contact(contact)
    with transaction.atomic():
        changed = {k: v for k, v in cleaned.items() if getattr(agency, k) != v}
        for key, value in changed.items():
            setattr(agency, key, value)
        if changed:
            agency.save(update_fields=list(changed))
            record(
                action=AuditEntry.Action.UPDATED,
                actor=actor,
                target=agency,
                data={k: str(v) for k, v in changed.items()},
            )
    return agency


def move_agency(*, actor: Any, agency: Agency, new_parent: Agency | None) -> Agency:
    """Put an agency (and its subtree) under another parent; refuses cycles."""
    ensure_reference_data_admin(actor)
    with transaction.atomic():
        place_under(node=agency, parent=new_parent)
        record(
            action=AuditEntry.Action.UPDATED,
            actor=actor,
            target=agency,
            data={"parent": new_parent.code if new_parent else None},
        )
    return agency


def add_department(*, actor: Any, agency: Agency, name: str, code: str = "") -> Department:
    ensure_can_administer(actor, agency)
    name = " ".join(name.split())
    if not name:
        raise DomainError("Tên phòng ban không được để trống.")
    with transaction.atomic():
        if Department.objects.filter(agency=agency, name__iexact=name).exists():
            raise DomainError(f"{agency.name} đã có phòng ban “{name}”.")
        department = Department.objects.create(agency=agency, name=name, code=code.strip())
        record(action=AuditEntry.Action.CREATED, actor=actor, target=department)
    return department


# --- Reorganisation ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AgencyChange:
    """One agency valid from the effective date, succeeding the listed current agencies (by organ code)."""

    code: str
    name: str
    kind: str
    unit: str
    parent: str | None
    predecessors: tuple[str, ...]
    has_one_stop_desk: bool = False
    # address, phone, email, website, short_name as the plan gives them (see ``_new_contact``)
    contact: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class AgencyAbolition:
    code: str
    successors: tuple[str, ...]


@dataclass
class ReorganisationResult:
    reorganisation: Reorganisation
    units: int
    agencies: int
    notes: list[str]


def apply_reorganisation(
    *,
    actor: Any,
    key: str,
    name: str,
    legal_basis: str,
    effective_date: dt.date,
    units: list[UnitChange],
    agencies: list[AgencyChange],
    abolished: list[AgencyAbolition] = (),  # type: ignore[assignment]
    abolished_units: list[UnitAbolition] = (),  # type: ignore[assignment]
    end_levels: list[str] = (),  # type: ignore[assignment]
    sections: dict[str, Any] | None = None,
) -> ReorganisationResult:
    """Merge, split, rename units and move agencies, all or nothing, keeping every old row as history.

    Old units and agencies end the day before ``effective_date``; new rows start on it; successions link them.
    What was finished with an old agency keeps pointing at the old row, so it keeps the old name; work still
    open (dossiers, drafts, procedures whose level ended) follows through the hooks other apps registered
    (:mod:`egov.agencies.reorganisation_hooks`), given ``sections`` of the plan, in the same transaction.
    """
    ensure_reference_data_admin(actor)
    if Reorganisation.objects.filter(key=key).exists():
        raise DomainError(f"Đợt sắp xếp “{name}” đã được áp dụng trước đây.")
    last_day = effective_date - dt.timedelta(days=1)
    with transaction.atomic():
        reorganisation = Reorganisation.objects.create(
            key=key, name=name, legal_basis=legal_basis, effective_date=effective_date
        )
        new_units, notes = reorganise_units(
            reorganisation=reorganisation, changes=units, abolished=abolished_units, end_levels=end_levels
        )
        current_units = {u.code: u for u in AdministrativeUnit.objects.current()}
        kinds = {k.code: k for k in AgencyKind.objects.all()}
        current = {a.code: a for a in Agency.objects.current()}
        created: dict[str, Agency] = {}
        ended: set[int] = set()

        def end(agency: Agency) -> None:
            if agency.pk not in ended:
                agency.valid_to = last_day
                agency.save(update_fields=["valid_to"])
                ended.add(agency.pk)

        for change in agencies:
            if change.kind not in kinds:
                raise DomainError(f"Loại cơ quan “{change.kind}” của {change.name} không có trong danh mục.")
            unit = new_units.get(change.unit) or current_units.get(change.unit)
            if unit is None:
                raise DomainError(f"Không tìm thấy đơn vị hành chính mã {change.unit} cho “{change.name}”.")
            predecessors = [current[c] for c in change.predecessors if c in current]
            notes += [
                f"Cơ quan mã {c} (tiền thân của {change.name}) không có trong dữ liệu, bỏ qua."
                for c in change.predecessors
                if c not in current
            ]
            for agency in predecessors:
                end(agency)
            parent = None
            if change.parent:
                parent = created.get(change.parent) or current.get(change.parent)
                if parent is None or parent.pk in ended:
                    raise DomainError(
                        f"Không tìm thấy cơ quan cấp trên mã {change.parent} cho “{change.name}”."
                    )
            if change.code in current and current[change.code].pk not in ended:
                raise DomainError(
                    f"Mã định danh {change.code} đang được dùng cho “{current[change.code].name}”."
                )
            agency = Agency(
                code=validate_organ_code(change.code),
                name=change.name,
                kind=kinds[change.kind],
                unit=unit,
                valid_from=effective_date,
                has_one_stop_desk=change.has_one_stop_desk,
                **_new_contact(change, unit=unit, predecessors=predecessors, units=current_units | new_units),
            )
            place_under(node=agency, parent=parent)
            created[change.code] = agency
            for old in predecessors:
                AgencySuccession.objects.create(
                    predecessor=old,
                    successor=agency,
                    reorganisation=reorganisation,
                    kind=SuccessionKind.MERGE
                    if len(predecessors) > 1
                    else (SuccessionKind.RENAME if old.name != agency.name else SuccessionKind.TRANSFER),
                )
        for abolition in abolished:
            old_agency = current.get(abolition.code)
            if old_agency is None:
                notes.append(f"Cơ quan mã {abolition.code} không có trong dữ liệu, bỏ qua.")
                continue
            end(old_agency)
            for index, code in enumerate(abolition.successors):
                successor = created.get(code) or current.get(code)
                if successor is None or successor.pk in ended:
                    raise DomainError(f"Không tìm thấy cơ quan kế thừa mã {code} của “{old_agency.name}”.")
                AgencySuccession.objects.create(
                    predecessor=old_agency,
                    successor=successor,
                    reorganisation=reorganisation,
                    kind=SuccessionKind.ABOLISH,
                    primary=index == 0,
                )

        stranded = list(
            Agency.objects.current().filter(unit__valid_to__isnull=False).select_related("unit")[:5]
        ) + list(Agency.objects.current().filter(parent__valid_to__isnull=False)[:5])
        if stranded:
            names = ", ".join(sorted({a.name for a in stranded}))
            raise DomainError(
                f"Phương án sắp xếp chưa nêu cơ quan mới cho: {names} "
                "(địa bàn hoặc cơ quan cấp trên đã hết hiệu lực)."
            )
        notes += run_hooks(
            Reorganised(
                reorganisation=reorganisation,
                successor_of=_primary_successors(reorganisation),
                sections=dict(sections or {}),
                actor=actor,
            )
        )
        record(
            action=AuditEntry.Action.REORGANISED,
            actor=actor,
            target=reorganisation,
            actor_label="" if actor else "hệ thống",
            data={
                "units": len(new_units),
                "agencies": len(created),
                "notes": notes[:50],
            },
        )
    return ReorganisationResult(reorganisation, len(new_units), len(created), notes)


def _place_of(unit: AdministrativeUnit, units: dict[str, AdministrativeUnit]) -> str:
    """“Xã Lộc Tấn, tỉnh Đồng Nai”: the unit and the units above it, as an address line is written."""
    by_pk = {u.pk: u for u in units.values()}
    parts = [unit.name]
    parent = by_pk.get(unit.parent_id) if unit.parent_id else None
    while parent is not None:
        parts.append(parent.name_in_sentence)
        parent = by_pk.get(parent.parent_id) if parent.parent_id else None
    return ", ".join(parts)


def _new_contact(
    change: AgencyChange,
    *,
    unit: AdministrativeUnit,
    predecessors: list[Agency],
    units: dict[str, AdministrativeUnit],
) -> dict[str, Any]:
    """The new agency's contact data: what the plan says; else, for the address, the new unit's place (an old
    address names units that no longer exist); else phone, e-mail and website of a sole predecessor (the same
    office carrying on)."""
    given = _clean_contact(dict(change.contact))
    sole = predecessors[0] if len(predecessors) == 1 else None
    contact: dict[str, Any] = {"address": given.get("address") or _place_of(unit, units)}
    for key in ("phone", "email", "website", "short_name"):
        contact[key] = given.get(key) or (getattr(sole, key) if sole is not None else "")
    return contact


def _primary_successors(reorganisation: Reorganisation) -> dict[int, Agency]:
    """Each agency this reorganisation ended → the agency that carries its open work on (its first link)."""
    successor_of: dict[int, Agency] = {}
    links = AgencySuccession.objects.filter(reorganisation=reorganisation, primary=True).select_related(
        "successor__unit", "successor__kind"
    )
    for link in links.order_by("id"):
        successor_of.setdefault(link.predecessor_id, link.successor)
    return successor_of


# --- Import from a CSV or Excel file ---------------------------------------------------------------------

AGENCY_COLUMNS = {
    "code": "code",
    "ma": "code",
    "ma dinh danh": "code",
    "name": "name",
    "ten": "name",
    "ten co quan": "name",
    "short_name": "short_name",
    "ten viet tat": "short_name",
    "kind": "kind",
    "loai": "kind",
    "loai co quan": "kind",
    "unit_code": "unit_code",
    "ma dia ban": "unit_code",
    "ma don vi hanh chinh": "unit_code",
    "parent_code": "parent_code",
    "ma co quan cap tren": "parent_code",
    "one_stop_desk": "one_stop_desk",
    "mot cua": "one_stop_desk",
    "address": "address",
    "dia chi": "address",
    "phone": "phone",
    "dien thoai": "phone",
    "email": "email",
    "thu dien tu": "email",
    "valid_from": "valid_from",
    "hieu luc tu": "valid_from",
}
TRUE_WORDS = {"1", "x", "co", "có", "true", "yes"}


def import_agencies(*, rows: Any, actor: Any, default_valid_from: dt.date, progress: Any = None) -> Any:
    """All rows are checked first; all are saved in one transaction only if none has an error. Rows identical
    to a current agency are skipped, so importing a file twice changes nothing."""

    ensure_reference_data_admin(actor)
    report = ImportReport()
    kinds = {k.code: k for k in AgencyKind.objects.all()}
    kinds_by_name = {k.name.lower(): k for k in kinds.values()}
    units = {u.code: u for u in AdministrativeUnit.objects.current()}
    existing = {a.code: a for a in Agency.objects.current().select_related("parent")}
    planned: list[tuple[int, dict[str, Any]]] = []
    seen: dict[str, int] = {}
    for number, row in rows:
        if progress:
            progress(1)
        try:
            code = validate_organ_code(row.get("code", ""))
        except ValidationError as exc:
            report.errors.append((number, exc.messages[0]))
            continue
        if code in seen:
            report.errors.append((number, f"Mã {code} lặp lại (đã có ở dòng {seen[code]})."))
            continue
        seen[code] = number
        kind = kinds.get(row.get("kind", "")) or kinds_by_name.get(row.get("kind", "").lower())
        unit = units.get(row.get("unit_code", ""))
        problems = []
        if not row.get("name"):
            problems.append("thiếu tên cơ quan")
        if kind is None:
            problems.append(f"loại cơ quan “{row.get('kind', '')}” không có trong danh mục")
        if unit is None:
            problems.append(f"không có đơn vị hành chính đang hiệu lực mã “{row.get('unit_code', '')}”")
        parent_code = row.get("parent_code", "").strip().upper()
        if parent_code and parent_code not in existing and parent_code not in seen:
            problems.append(f"không tìm thấy cơ quan cấp trên mã {parent_code} (phải ở dòng trước)")
        try:
            contact = _clean_contact(
                {k: row[k] for k in ("phone", "email", "address", "short_name") if row.get(k)}
            )
        except ValidationError as exc:
            problems.append(exc.messages[0])
            contact = {}
        try:
            valid_from = (
                dt.date.fromisoformat(row["valid_from"]) if row.get("valid_from") else default_valid_from
            )
        except ValueError:
            problems.append("ngày hiệu lực phải có dạng YYYY-MM-DD")
            valid_from = default_valid_from
        if problems:
            report.errors.append((number, f"{code}: " + "; ".join(problems) + "."))
            continue
        current = existing.get(code)
        if current is not None and (
            current.name != row["name"]
            or current.unit_id != unit.pk  # type: ignore[union-attr]
            or (current.parent.code if current.parent else "") != parent_code
        ):
            report.errors.append(
                (
                    number,
                    f"Mã {code} đã thuộc về “{current.name}” với dữ liệu khác; đổi tên hoặc "
                    "chuyển cơ quan phải thực hiện bằng chức năng sắp xếp để giữ lịch sử.",
                )
            )
            continue
        planned.append(
            (
                number,
                {
                    "code": code,
                    "name": " ".join(row["name"].split()),
                    "kind": kind,
                    "unit": unit,
                    "parent_code": parent_code,
                    "valid_from": valid_from,
                    "has_one_stop_desk": row.get("one_stop_desk", "").strip().lower() in TRUE_WORDS,
                    **contact,
                },
            )
        )
    if report.errors:
        return report
    with transaction.atomic():
        saved = dict(existing)
        for _number, item in planned:
            if item["code"] in existing:
                report.unchanged += 1
                continue
            parent_code = item.pop("parent_code")
            agency = Agency(**item)
            place_under(node=agency, parent=saved.get(parent_code) if parent_code else None)
            saved[agency.code] = agency
            report.created += 1
        record(
            action=AuditEntry.Action.IMPORTED,
            actor=actor,
            actor_label="" if actor else "hệ thống",
            data={"model": "agencies", "created": report.created, "unchanged": report.unchanged},
        )
    return report
