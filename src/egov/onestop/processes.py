"""Internal processes (quy trình nội bộ) as data: which process a dossier follows, where each step happens
and how much of the time limit it gets.

A procedure may have its own process; otherwise the default process of the level that decides it applies
(``data/processes.json`` holds the defaults and the demo's own processes; staff edit them in the admin). Who
decides is read from the catalogue's structured fields (``ProcedureVersion.deciding_level``,
``deciding_organ``, ``deciding_office``), never from its wording.
Agencies are named relative to the desk that received the dossier, so one process serves every commune of
the province, and after a reorganisation named agencies are followed to their successor.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import transaction

from egov.agencies.models import Agency
from egov.agencies.selectors import current_successor
from egov.catalog.models import Procedure, ProcedureVersion, VersionStatus
from egov.core.errors import DomainError
from egov.dossiers.models import Dossier, StepKind
from egov.onestop.models import ProcessDefinition, ProcessStep, StepTimeUnit
from egov.units.models import AdministrativeUnit
from egov.units.selectors import ended_levels
from egov.worktime.calendar import WorkingCalendar

DATA_FILE = Path(__file__).resolve().parent / "data" / "processes.json"
LEVELS = ("commune", "district", "province")


@dataclass(frozen=True)
class PlannedStep:
    position: int
    kind: str
    name: str
    role: str
    agency: Agency
    department: str
    allowed: dt.timedelta
    consult: tuple[Agency, ...]


def process_for(dossier: Dossier) -> ProcessDefinition:
    """The procedure's own active process, else the default of the level that decides it."""
    version = dossier.procedure_version
    own = (
        ProcessDefinition.objects.filter(procedure_id=version.procedure_id, is_active=True)
        .prefetch_related("steps")
        .first()
    )
    if own is not None:
        return own
    desk = dossier.receiving_agency
    level = deciding_version(dossier).deciding_level_code(_level_of(desk.unit))
    default = (
        ProcessDefinition.objects.filter(procedure__isnull=True, level=level, is_active=True)
        .prefetch_related("steps")
        .first()
    )
    if default is None:
        raise DomainError(
            f"Chưa có quy trình nội bộ cho thủ tục “{version.name}” hay quy trình mặc định cấp {level}. "
            "Quản trị hệ thống cần khai báo quy trình trước khi tiếp nhận."
        )
    return default


def deciding_version(dossier: Dossier) -> ProcedureVersion:
    """The version whose catalogue fields say who decides the dossier: its own. When the level it names was
    ended by a reorganisation (a district-level dossier still at a desk on 1 July 2025), the version published
    since says who decides now; if the procedure was not published again at a level that exists, the dossier
    cannot go anywhere yet."""
    version = dossier.procedure_version
    desk_level = _level_of(dossier.receiving_agency.unit)
    ended = ended_levels()
    if version.deciding_level_code(desk_level) not in ended:
        return version
    current = (
        ProcedureVersion.objects.filter(procedure_id=version.procedure_id, status=VersionStatus.PUBLISHED)
        .exclude(pk=version.pk)
        .select_related("deciding_level", "deciding_organ")
        .first()
    )
    if current is not None and current.deciding_level_code(desk_level) not in ended:
        return current
    level = version.deciding_level_code(desk_level)
    raise DomainError(
        f"Thủ tục “{version.name}” do {ended[level][0].lower()} giải quyết; cấp này đã kết thúc theo sắp xếp "
        "đơn vị hành chính và thủ tục chưa được công bố lại cho cơ quan có thẩm quyền mới, nên chưa chuyển xử lý "
        "được. Hãy hướng dẫn người nộp hoặc từ chối tiếp nhận, nêu rõ lý do."
    )


def deciding_agency_for(dossier: Dossier) -> Agency:
    """The agency that decides the dossier, from the catalogue's fields (:func:`deciding_version`): the named
    organ (followed to its successor after a reorganisation), else the People's Committee of the deciding
    level above the desk; then the office under it that ``deciding_office`` names, where it has one."""
    version = deciding_version(dossier)
    desk = dossier.receiving_agency
    organ = version.deciding_organ
    if organ is not None:
        agency = current_successor(organ) if organ.valid_to is not None else organ
    else:
        agency = _people_committee(version.deciding_level_code(_level_of(desk.unit)), desk)
    office = version.deciding_office.strip()
    if office:
        found = (
            Agency.objects.current().filter(parent=agency, name__istartswith=office).order_by("code").first()
        )
        if found is not None:
            return found
    return agency


def _level_of(unit: AdministrativeUnit) -> str:
    return unit.kind.level.code


def resolve_agency(rule: str, *, desk: Agency, deciding_agency: str = "") -> Agency:
    """Turn a step's agency rule into today's agency (see :class:`ProcessStep`); ``deciding`` is the agency
    whose organ code is ``deciding_agency`` (the one :func:`deciding_agency_for` found)."""
    base, _, child = rule.strip().partition("/")
    base = base.strip()
    if base == "desk":
        agency = desk
    elif base.startswith("ubnd:"):
        agency = _people_committee(base.removeprefix("ubnd:"), desk)
    elif base.startswith("code:"):
        code = base.removeprefix("code:").strip()
        found = Agency.objects.filter(code=code).order_by("-valid_from").first()
        if found is None:
            raise DomainError(f"Quy trình nhắc tới cơ quan mã {code} nhưng không có cơ quan này.")
        agency = current_successor(found) if found.valid_to is not None else found
    elif base == "deciding":
        deciding = Agency.objects.current().filter(code=deciding_agency).first() if deciding_agency else None
        if deciding is None:
            raise DomainError("Quy trình nhắc tới cơ quan giải quyết nhưng chưa xác định được cơ quan này.")
        agency = deciding
    else:
        raise DomainError(f"Không hiểu cách chỉ định cơ quan “{rule}” trong quy trình.")
    if child.strip():
        prefix = child.strip()
        found = (
            Agency.objects.current().filter(parent=agency, name__istartswith=prefix).order_by("code").first()
        )
        if found is None:
            raise DomainError(f"{agency.name} không có đơn vị trực thuộc “{prefix}” như quy trình yêu cầu.")
        agency = found
    return agency


def _people_committee(level: str, desk: Agency) -> Agency:
    unit: AdministrativeUnit | None = desk.unit
    while unit is not None and _level_of(unit) != level:
        unit = unit.parent
    if unit is None:
        raise DomainError(f"{desk.name} không thuộc đơn vị hành chính cấp {level} nào để chuyển hồ sơ.")
    agency = Agency.objects.current().filter(unit=unit, kind__code="ubnd").first()
    if agency is None:
        raise DomainError(f"Chưa có Ủy ban nhân dân của {unit.name} trong danh mục cơ quan.")
    return agency


def _uses_deciding(steps: list[ProcessStep]) -> bool:
    rules = [step.agency for step in steps] + [rule for step in steps for rule in step.consult.split(";")]
    return any(rule.strip().partition("/")[0].strip() == "deciding" for rule in rules)


def plan(dossier: Dossier, calendar: WorkingCalendar) -> list[PlannedStep]:
    """The dossier's steps with their agencies and allowed working time, from its process."""
    process = process_for(dossier)
    version = dossier.procedure_version
    total = (
        calendar.day_length * float(version.processing_time)
        if version.processing_time_unit == "working_days"
        else dt.timedelta(hours=float(version.processing_time))
    )
    steps: list[ProcessStep] = sorted(process.steps.all(), key=lambda s: s.position)
    if not steps:
        raise DomainError(f"Quy trình “{process.name}” chưa có bước nào.")
    deciding = deciding_agency_for(dossier).code if _uses_deciding(steps) else ""
    planned = []
    for step in steps:
        agency = resolve_agency(step.agency, desk=dossier.receiving_agency, deciding_agency=deciding)
        consulted = tuple(
            resolve_agency(rule, desk=dossier.receiving_agency, deciding_agency=deciding)
            for rule in step.consult.split(";")
            if rule.strip()
        )
        planned.append(
            PlannedStep(
                position=step.position,
                kind=step.kind,
                name=step.name or StepKind(step.kind).label,
                role=step.role,
                agency=agency,
                department=step.department,
                allowed=_allowed(step, total=total, calendar=calendar),
                consult=consulted,
            )
        )
    return planned


def _allowed(step: ProcessStep, *, total: dt.timedelta, calendar: WorkingCalendar) -> dt.timedelta:
    amount = float(step.duration)
    if step.time_unit == StepTimeUnit.PERCENT:
        return total * (amount / 100)
    if step.time_unit == StepTimeUnit.WORKING_DAYS:
        return calendar.day_length * amount
    return dt.timedelta(hours=amount)


def load_processes(path: Path = DATA_FILE) -> int:
    """Create or update the processes in the data file (by code); returns how many were written. Idempotent:
    a process whose steps are unchanged is not touched."""

    spec = json.loads(path.read_text(encoding="utf-8"))
    written = 0
    with transaction.atomic():
        for item in spec["processes"]:
            procedure = None
            if item.get("procedure"):
                procedure = Procedure.objects.filter(national_code=item["procedure"]).first()
                if procedure is None:
                    continue  # the procedure is not in this installation's catalogue
            process, created = ProcessDefinition.objects.get_or_create(
                code=item["code"],
                defaults={"name": item["name"], "procedure": procedure, "level": item.get("level", "")},
            )
            wanted = [_step_fields(position, raw) for position, raw in enumerate(item["steps"], start=1)]
            current = [_step_fields(s.position, s.__dict__) for s in process.steps.order_by("position")]
            if not created and current == wanted and process.name == item["name"]:
                continue
            process.name = item["name"]
            process.procedure = procedure
            process.level = item.get("level", "")
            process.save()
            process.steps.all().delete()
            ProcessStep.objects.bulk_create(ProcessStep(process=process, **fields) for fields in wanted)
            written += 1
    return written


def _step_fields(position: int, raw: dict[str, Any]) -> dict[str, Any]:
    return {
        "position": position,
        "kind": raw["kind"],
        "name": raw.get("name", ""),
        "role": raw["role"],
        "agency": raw.get("agency", "desk"),
        "department": raw.get("department", ""),
        "duration": Decimal(str(raw["duration"])).quantize(Decimal("0.01")),
        "time_unit": raw.get("time_unit", StepTimeUnit.PERCENT),
        "consult": raw.get("consult", ""),
    }
