"""Internal processes (quy trình nội bộ) as data: which process a dossier follows, where each step happens
and how much of the time limit it gets.

A procedure may have its own process; otherwise the default process of the level that decides it applies
(``data/processes.json`` holds the defaults and the demo's own processes; staff edit them in the admin).
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
LEVEL_WORDS = {"cấp xã": "commune", "cấp huyện": "district", "cấp tỉnh": "province"}


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
    level = deciding_level(deciding_text(dossier), dossier.receiving_agency)
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


def deciding_text(dossier: Dossier) -> str:
    """Who decides, as the catalogue says it. When the level it names was ended by a reorganisation (a
    district-level dossier still at a desk on 1 July 2025), the version published since says who decides now;
    if the procedure was not published again at a level that exists, the dossier cannot go anywhere yet."""
    version = dossier.procedure_version
    ended = ended_levels()
    if deciding_level(version.deciding_agency, dossier.receiving_agency) not in ended:
        return version.deciding_agency
    current = (
        ProcedureVersion.objects.filter(procedure_id=version.procedure_id, status=VersionStatus.PUBLISHED)
        .exclude(pk=version.pk)
        .first()
    )
    if current is not None and deciding_level(current.deciding_agency, dossier.receiving_agency) not in ended:
        return current.deciding_agency
    level = deciding_level(version.deciding_agency, dossier.receiving_agency)
    raise DomainError(
        f"Thủ tục “{version.name}” do {ended[level][0].lower()} giải quyết; cấp này đã kết thúc theo sắp xếp "
        "đơn vị hành chính và thủ tục chưa được công bố lại cho cơ quan có thẩm quyền mới, nên chưa chuyển xử lý "
        "được. Hãy hướng dẫn người nộp hoặc từ chối tiếp nhận, nêu rõ lý do."
    )


def _mentioned_levels(text: str) -> list[str]:
    lowered = text.lower()
    found = [(lowered.find(words), level) for words, level in LEVEL_WORDS.items() if words in lowered]
    return [level for _, level in sorted(found)]


def deciding_level(deciding_agency: str, desk: Agency) -> str:
    """The level that decides: the desk's own level when the catalogue names it (procedures done at
    commune and district alike), else the first level the catalogue names, else province for a sở."""
    mentioned = _mentioned_levels(deciding_agency)
    desk_level = _level_of(desk.unit)
    if desk_level in mentioned or (
        not mentioned and desk_level != "province" and "sở" not in deciding_agency.lower()
    ):
        return desk_level
    if mentioned:
        return mentioned[0]
    return "province"


def _level_of(unit: AdministrativeUnit) -> str:
    return unit.kind.level.code


def resolve_agency(rule: str, *, desk: Agency, deciding_agency: str = "") -> Agency:
    """Turn a step's agency rule into today's agency (see :class:`ProcessStep`)."""
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
        agency = _deciding(deciding_agency, desk)
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


def _deciding(deciding_agency: str, desk: Agency) -> Agency:
    """The agency the catalogue names as competent. “… cấp huyện” → that level's People's Committee above
    the desk, or the office under it the text names (“Phòng Tư pháp cấp huyện”); otherwise the province's
    agency whose short name the text mentions first (“Giám đốc Sở Y tế” → Sở Y tế)."""
    level = deciding_level(deciding_agency, desk)
    lowered = deciding_agency.lower()
    if _mentioned_levels(deciding_agency) or level != "province":
        committee = _people_committee(level, desk)
        offices = []
        for child in Agency.objects.current().filter(parent=committee).select_related("unit"):
            base = child.name.lower().removesuffix(" " + child.unit.name.lower())
            if base and base in lowered:
                offices.append((lowered.index(base), child.code, child))
        return min(offices)[2] if offices else committee
    province = desk.unit
    while province.parent is not None:
        province = province.parent
    mentions = []
    for agency in Agency.objects.current().filter(unit=province).exclude(short_name=""):
        name = agency.short_name.lower()
        if name in lowered:
            mentions.append((lowered.index(name), agency.code, agency))
    if "ủy ban nhân dân tỉnh" in lowered:
        province_committee: Agency | None = (
            Agency.objects.current().filter(unit=province, kind__code="ubnd").first()
        )
        if province_committee is not None:
            mentions.append(
                (lowered.index("ủy ban nhân dân tỉnh"), province_committee.code, province_committee)
            )
    if not mentions:
        mentions = _successors_of_mentioned(lowered, province)
    if not mentions:
        raise DomainError(
            f"Không xác định được cơ quan giải quyết “{deciding_agency}”: hãy khai báo quy trình riêng."
        )
    return min(mentions)[2]


def _successors_of_mentioned(lowered: str, province: AdministrativeUnit) -> list[tuple[int, str, Agency]]:
    """The catalogue may still name a provincial agency a reorganisation merged away (“Sở Kế hoạch và Đầu tư”
    after 2025): the agency that succeeded it in this province decides now."""
    mentions = []
    ended = Agency.objects.filter(valid_to__isnull=False, unit__kind__level__rank=1).exclude(short_name="")
    for agency in ended:
        name = agency.short_name.lower()
        if name in lowered:
            successor = current_successor(agency)
            if successor.valid_to is None and successor.unit_id == province.pk:
                mentions.append((lowered.index(name), successor.code, successor))
    return mentions


def plan(dossier: Dossier, calendar: WorkingCalendar) -> list[PlannedStep]:
    """The dossier's steps with their agencies and allowed working time, from its process."""
    process = process_for(dossier)
    version = dossier.procedure_version
    deciding = deciding_text(dossier)
    total = (
        calendar.day_length * float(version.processing_time)
        if version.processing_time_unit == "working_days"
        else dt.timedelta(hours=float(version.processing_time))
    )
    steps: list[ProcessStep] = sorted(process.steps.all(), key=lambda s: s.position)
    if not steps:
        raise DomainError(f"Quy trình “{process.name}” chưa có bước nào.")
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
