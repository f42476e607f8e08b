"""A synthetic year of a province's dossiers, for benchmarks and for trying the back office at full size.

``generate(count=…, year=…)`` files ``count`` dossiers across the province's current one-stop desks (commune,
district and province level) and the procedures each desk receives, spread over the working days of ``year``:
channels (in person ≈ 55 %, online ≈ 40 %, post ≈ 5 %), outcomes (most returned; some refused, withdrawn,
stopped, waiting for a supplement, done, or still being processed), 5–10 % late verdicts, and for each dossier
its history (:class:`DossierEvent`, 6–10 rows) and its steps (:class:`DossierStep`, the control sheet) laid out
from the same internal processes the real receipt uses (:func:`egov.onestop.processes.plan`), with the
officers who received, handed over and finished each step, and an apology with a new date (form 04,
:class:`Apology`) where the agency running late had a leader to sign it one working day ahead. Codes follow
``‹agency code›-YYMMDD-NNNN`` per desk and day after any code already issued (:mod:`egov.dossiers.codes`),
and :class:`DossierCodeSequence` is advanced so that later real submissions do not collide. Applicants have
no account (``applicant=None``); names, addresses and CCCD numbers (12 digits, province code 070) are made up.

What the real flow decides, the generator asks the same rules (:mod:`egov.onestop.time_rules`): the time
limit and appointment date, when a step starts after a hand-over (the 15:00 cut-off for paper dossiers), the
early / on-time / late verdicts, whether an apology is in time, and the deadline state; statuses are
:class:`DossierStatus`'s and every change of status one :mod:`egov.dossiers.lifecycle` allows. Times are laid
out in whole working minutes of the province's calendar (:class:`egov.worktime.minutes.WorkingMinutes`, which
gives the calendar's own deadlines), which is what keeps a million dossiers fast.

The state of the year is taken at the generator's clock (:func:`as_of`): the end of the year (31 December,
24:00), or the start of today for the year under way, before which every dossier is filed. Dossiers still in
a step then are open, with ``deadline_state`` as the sweep would set it then. ``open_share`` forces that share of the dossiers to stay open
(stopped at a random step, or not yet received), for measuring worklists and the sweep over a large backlog;
such dossiers are mostly overdue, as a real backlog would be.

Every generated dossier carries ``idempotency_key = "synthetic:…"``, so :func:`delete_generated` removes them
(with their events, steps and anything else attached) and nothing real. Rows are written without the ORM:
on PostgreSQL with ``COPY`` in batches, ids reserved from the tables' sequences, large runs split by days
between processes (``bench/bench_generation.py`` compares the rate with PostgreSQL loading the same rows on
its own); on SQLite with ``executemany`` (several times slower; fine for tests and the embedded demo).
"""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import os
import queue
import random
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

from egov.accounts.models import StaffAssignment
from egov.accounts.roles import Role
from egov.agencies.models import Agency
from egov.catalog.models import ProcedureVersion, VersionStatus
from egov.core.errors import DomainError
from egov.dossiers.codes import code_day, dossier_code
from egov.dossiers.models import Apology, Dossier, DossierCodeSequence, DossierEvent, DossierStep, StepKind
from egov.dossiers.statuses import Channel, DossierStatus
from egov.onestop import decree61, processes, time_rules
from egov.units.models import AdministrativeUnit
from egov.units.selectors import home_province, place_names
from egov.worktime.calendar import current_calendar
from egov.worktime.minutes import EPOCH, WorkingMinutes

MARK = "synthetic:"


class S:
    """The statuses as the rows spell them: :class:`DossierStatus`'s values, as plain strings."""

    NEW = DossierStatus.NEW.value
    RECEIVED = DossierStatus.RECEIVED.value
    PROCESSING = DossierStatus.PROCESSING.value
    SUPPLEMENT_REQUESTED = DossierStatus.SUPPLEMENT_REQUESTED.value
    REFUSED = DossierStatus.REFUSED.value
    WITHDRAWN = DossierStatus.WITHDRAWN.value
    STOPPED = DossierStatus.STOPPED.value
    DONE = DossierStatus.DONE.value
    RETURNED = DossierStatus.RETURNED.value


IN_PERSON, ONLINE, POST = int(Channel.IN_PERSON), int(Channel.ONLINE), int(Channel.POST)
NULL = "\\N"  # COPY text format; SQLite rows turn it back into None
BATCH = 5_000

# Shares. Channels: in person, online, post (the rest of 1.0).
IN_PERSON_SHARE, ONLINE_SHARE = 0.55, 0.40
# Before receipt: refused, withdrawn, asked to supplement (of which most come back and are received).
REFUSED, WITHDRAWN_EARLY, SUPPLEMENT = 0.015, 0.005, 0.04
SUPPLEMENT_ABANDONED = 0.2
# After receipt: stopped, withdrawn during processing, late (past the appointment date).
STOPPED, WITHDRAWN_LATE, LATE = 0.003, 0.004, 0.07
# Of the late dossiers, those whose agency apologised and set a new date in time (form 04); the others were
# simply late, as the province's statistics show many are.
APOLOGISED = 0.6
# Of the dossiers forced open: not yet received, waiting for a supplement; the rest are in a step.
FORCED_NEW, FORCED_SUPPLEMENT = 0.05, 0.03
# Share of a desk's day by level of desk (the province centre is one desk, districts 11, communes many).
LEVEL_SHARE = {"province": 0.18, "district": 0.47, "commune": 0.35}
# Procedures citizens file most, weighted up (by words of their names); the rest share the remainder.
POPULAR = {
    "chứng thực": 12.0,
    "khai sinh": 6.0,
    "hộ kinh doanh": 3.0,
    "đất đai": 4.0,
    "kết hôn": 2.5,
    "tình trạng hôn nhân": 2.5,
    "trích lục": 2.0,
    "lý lịch tư pháp": 3.0,
    "giấy phép lái xe": 4.0,
    "khai tử": 1.5,
    "xây dựng": 2.0,
    "doanh nghiệp": 2.0,
    "trợ cấp": 1.5,
}
ORGANISATION_WORDS = ("doanh nghiệp", "công ty", "hợp tác xã", "kinh doanh vận tải", "phòng khám", "cơ sở")

FAMILY = [
    ("Nguyễn", 38), ("Trần", 11), ("Lê", 9.5), ("Phạm", 7), ("Hoàng", 3), ("Huỳnh", 2.5), ("Phan", 4.5),
    ("Vũ", 2), ("Võ", 2.5), ("Đặng", 2), ("Bùi", 2), ("Đỗ", 1.4), ("Hồ", 1.3), ("Ngô", 1.3), ("Dương", 1),
    ("Lý", 0.5), ("Điểu", 0.6), ("Thị", 0.3), ("Lâm", 0.5), ("Trịnh", 0.5), ("Mai", 0.4), ("Đinh", 0.5),
    ("Tạ", 0.3), ("Cao", 0.4), ("Lương", 0.4), ("Châu", 0.3), ("Kiều", 0.2), ("Triệu", 0.2), ("Thái", 0.3),
]  # fmt: skip
MALE_MIDDLE = ["Văn", "Văn", "Văn", "Đức", "Minh", "Quốc", "Hữu", "Thanh", "Công", "Ngọc", "Xuân", "Anh"]
FEMALE_MIDDLE = ["Thị", "Thị", "Thị", "Thị", "Ngọc", "Thu", "Thanh", "Kim", "Mỹ", "Thúy", "Phương", "Bảo"]
MALE_GIVEN = [
    "An",
    "Bình",
    "Cường",
    "Dũng",
    "Đạt",
    "Đông",
    "Giang",
    "Hải",
    "Hào",
    "Hiếu",
    "Hòa",
    "Hùng",
    "Huy",
    "Khang",
    "Khánh",
    "Khoa",
    "Kiên",
    "Lâm",
    "Lộc",
    "Long",
    "Luân",
    "Minh",
    "Nam",
    "Nghĩa",
    "Nhân",
    "Phát",
    "Phong",
    "Phúc",
    "Phương",
    "Quang",
    "Quân",
    "Sang",
    "Sơn",
    "Tài",
    "Tâm",
    "Thắng",
    "Thành",
    "Thiện",
    "Thịnh",
    "Tiến",
    "Toàn",
    "Trí",
    "Trung",
    "Tú",
    "Tuấn",
    "Tùng",
    "Việt",
    "Vinh",
    "Vũ",
]
FEMALE_GIVEN = [
    "Anh",
    "Ánh",
    "Bích",
    "Chi",
    "Diễm",
    "Dung",
    "Duyên",
    "Giang",
    "Hà",
    "Hạnh",
    "Hằng",
    "Hiền",
    "Hoa",
    "Hồng",
    "Hương",
    "Huyền",
    "Lan",
    "Liên",
    "Linh",
    "Loan",
    "Mai",
    "My",
    "Nga",
    "Ngân",
    "Ngọc",
    "Nhung",
    "Oanh",
    "Phương",
    "Quyên",
    "Quỳnh",
    "Sương",
    "Tâm",
    "Thanh",
    "Thảo",
    "Thu",
    "Thủy",
    "Trang",
    "Trinh",
    "Tuyết",
    "Uyên",
    "Vân",
    "Vy",
    "Xuân",
    "Yến",
]
HAMLETS = ["Ấp", "Ấp", "Ấp", "Tổ", "Khu phố", "Thôn", "Sóc"]
ORGANISATION_KINDS = [
    "Công ty TNHH",
    "Công ty TNHH MTV",
    "Công ty cổ phần",
    "Doanh nghiệp tư nhân",
    "Hợp tác xã",
]
ORGANISATION_NAMES = [
    "Nông sản Bình Phước",
    "Điều Phước Long",
    "Cao su Đồng Phú",
    "Hạt điều Bù Đốp",
    "Xây dựng Đồng Xoài",
    "Vận tải Chơn Thành",
    "Thương mại Lộc Ninh",
    "Hồ tiêu Bù Gia Mập",
    "Gỗ Hớn Quản",
    "Dịch vụ Phú Riềng",
    "Vật liệu Bình Long",
    "Thực phẩm Sông Bé",
]
RETURN_NOTES = {
    IN_PERSON: "Trả kết quả: Tại bộ phận một cửa.",
    ONLINE: "Trả kết quả: Tại bộ phận một cửa.",
    POST: "Trả kết quả: Qua dịch vụ bưu chính, mã bưu gửi EB{n:09d}VN.",
}
SUBMIT_NOTES = {
    IN_PERSON: "Nộp hồ sơ trực tiếp tại bộ phận một cửa.",
    ONLINE: "Nộp hồ sơ trực tuyến.",
    POST: "Nộp hồ sơ qua dịch vụ bưu chính.",
}
REFUSAL_REASONS = [
    "Thủ tục không thuộc thẩm quyền giải quyết của cơ quan.",
    "Người nộp không thuộc đối tượng được giải quyết theo quy định.",
    "Hồ sơ đã được giải quyết trước đây, không giải quyết lại.",
]
SUPPLEMENT_ITEMS = [
    "Bản sao giấy khai sinh (bản sao không có chứng thực)",
    "Tờ khai (chưa ký, ghi thiếu thông tin)",
    "Giấy tờ chứng minh nơi cư trú (hết hiệu lực)",
    "Bản vẽ, sơ đồ (không rõ ràng)",
]
APOLOGY_REASONS = [
    "Cần xác minh thêm thông tin tại địa phương nơi cư trú của người nộp.",
    "Phải lấy ý kiến của cơ quan có liên quan, đến nay chưa nhận được văn bản trả lời.",
    "Số lượng hồ sơ tiếp nhận tăng đột biến, chưa kịp thẩm định.",
    "Cần kiểm tra thực địa, thời tiết mưa kéo dài chưa thực hiện được.",
]
STOP_REASONS = [
    "Người nộp không thực hiện nghĩa vụ tài chính trong thời hạn.",
    "Có tranh chấp, khiếu nại liên quan đang được giải quyết.",
]


@dataclass(frozen=True)
class GenerationReport:
    dossiers: int
    events: int
    steps: int
    seconds: float
    statuses: dict[str, int]
    as_of: dt.datetime  # the generator's clock: the year's state is taken at this moment

    @property
    def rate(self) -> float:
        return self.dossiers / self.seconds if self.seconds else 0.0


class Formats:
    """How values are written for the database at hand (COPY text on PostgreSQL, SQLite's own strings)."""

    def __init__(self, vendor: str) -> None:
        self.vendor = vendor
        self.suffix = "+00" if vendor == "postgresql" else ""
        self.cache: dict[int, str] = {}

    def at(self, epoch: int) -> str:
        text = self.cache.get(epoch)
        if text is None:
            moment = EPOCH + dt.timedelta(minutes=epoch)
            text = f"{moment:%Y-%m-%d %H:%M:00}{self.suffix}"
            self.cache[epoch] = text
        return text

    def duration(self, minutes: int) -> str:
        if self.vendor == "postgresql":
            return f"{minutes} minutes"
        return str(minutes * 60_000_000)  # Django keeps durations in microseconds on SQLite

    def constant(self, value: Any, model_field: models.Field[Any, Any]) -> str:
        if value is None:
            return NULL
        if isinstance(model_field, models.JSONField):
            return escape(json.dumps(value, ensure_ascii=False))
        if isinstance(value, bool):
            return ("t" if value else "f") if self.vendor == "postgresql" else str(int(value))
        if isinstance(value, dt.datetime):
            return self.at(int(value.timestamp()) // 60)
        return escape(str(value))


def escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\t", " ").replace("\n", " ").replace("\r", " ")


# --- What the province looks like ---------------------------------------------------------------------------


@dataclass
class StepPlan:
    kind: str
    name: str
    role: str
    agency_id: int
    allowed: int  # working minutes
    row_prefix: str  # position, kind, name, role, agency, department, allowed (COPY text)
    done_action: str
    done_note: str  # what the event says when this step is handed on
    staff: list[int]


@dataclass
class Pair:
    """One procedure at one desk, with the steps its process lays out there."""

    version_id: int
    desk_id: int
    desk_code: str
    time_limit: int  # working minutes
    steps: list[StepPlan]
    organisation: bool
    result_title: str
    addresses: list[str]  # the communes a desk serves, full names
    receivers: list[str]  # the desk's receiving officers (user ids as text), or [NULL] if it has none


@dataclass
class Province:
    pairs: list[Pair]
    cumulative: list[float]
    skipped: list[str] = field(default_factory=list)
    heads: dict[int, list[str]] = field(default_factory=dict)  # agency → its leaders (user ids as text)


def _desks() -> list[Agency]:
    queryset = Agency.objects.current().filter(has_one_stop_desk=True).select_related("unit__kind__level")
    home = home_province()
    if home is not None:
        queryset = queryset.filter(unit__path__startswith=home.path)
    return list(queryset.order_by("unit__path", "code"))


@contextmanager
def _memoised_lookups() -> Iterator[None]:
    """The receipt's own planning (:func:`egov.onestop.processes.plan`), with its agency and process look-ups
    remembered for the few seconds of loading: hundreds of (procedure, desk) pairs share a few dozen answers."""
    resolve, process_for = processes.resolve_agency, processes.process_for
    agencies: dict[tuple[str, int, str], Agency] = {}
    found: dict[tuple[int, int, int], Any] = {}

    def resolve_once(rule: str, *, desk: Agency, deciding_agency: str = "") -> Agency:
        key = (rule, desk.pk, deciding_agency)
        if key not in agencies:
            agencies[key] = resolve(rule, desk=desk, deciding_agency=deciding_agency)
        return agencies[key]

    def process_once(dossier: Dossier) -> Any:
        version = dossier.procedure_version
        key = (version.procedure_id, version.pk, dossier.receiving_agency.unit.kind_id)
        if key not in found:
            found[key] = process_for(dossier)
        return found[key]

    processes.resolve_agency, processes.process_for = resolve_once, process_once
    try:
        yield
    finally:
        processes.resolve_agency, processes.process_for = resolve, process_for


def load_province(fmt: Formats) -> Province:
    """The desks, procedures and processes of the installation, resolved once (a few hundred queries)."""
    desks = _desks()
    if not desks:
        raise DomainError("Chưa có bộ phận một cửa nào: hãy nạp đơn vị, cơ quan (load_demo) trước.")
    versions = list(
        ProcedureVersion.objects.filter(status=VersionStatus.PUBLISHED)
        .select_related("procedure")
        .prefetch_related("levels")
        .order_by("procedure__national_code")
    )
    if not versions:
        raise DomainError("Chưa có thủ tục nào được công bố trong danh mục.")
    calendar = current_calendar()
    staff: dict[tuple[int, str], list[int]] = defaultdict(list)
    for user_id, agency_id, role in StaffAssignment.objects.values_list("user_id", "agency_id", "role"):
        staff[(agency_id, role)].append(user_id)
    communes = [
        u
        for u in AdministrativeUnit.objects.current().select_related("kind__level")
        if u.kind.level.code == "commune"
    ]
    names = place_names({u.code for u in communes})
    served: dict[int, list[str]] = {}
    agency_names: dict[int, str] = {}
    for desk in desks:
        inside = [names[u.code] for u in communes if u.path.startswith(desk.unit.path) and u.code in names]
        fallback = [escape(n) for n in names.values()] or [""]
        served[desk.pk] = [escape(n) for n in inside] or fallback
    pairs: list[Pair] = []
    weights: list[float] = []
    skipped: list[str] = []
    level_counts: dict[str, int] = defaultdict(int)
    candidates: list[tuple[Agency, ProcedureVersion, str]] = []
    for desk in desks:
        level = desk.unit.kind.level.code
        for version in versions:
            if level in {lv.code for lv in version.levels.all()}:
                candidates.append((desk, version, level))
                level_counts[level] += 1
    with _memoised_lookups():
        plans = []
        for desk, version, level in candidates:
            probe = Dossier(procedure_version=version, receiving_agency=desk)
            try:
                plans.append((desk, version, level, processes.plan(probe, calendar)))
            except DomainError:
                skipped.append(f"{version.procedure.national_code} @ {desk.code}")
    for desk, version, level, planned in plans:
        steps = []
        for index, step in enumerate(planned):
            agency_names.setdefault(step.agency.pk, step.agency.name)
            allowed = max(1, WorkingMinutes.minutes(step.allowed))
            following = planned[index + 1] if index + 1 < len(planned) else None
            handed = f" Chuyển “{following.name}” – {following.agency.name}." if following else ""
            action = {StepKind.ISSUE: "result_issued", StepKind.RETURN: "returned"}.get(
                StepKind(step.kind), f"{step.kind}_done"
            )  # the actions processing.forward, issue_result and return_result record
            steps.append(
                StepPlan(
                    kind=step.kind,
                    name=step.name,
                    role=step.role,
                    agency_id=step.agency.pk,
                    allowed=allowed,
                    row_prefix="\t".join(
                        [
                            str(step.position),
                            step.kind,
                            escape(step.name),
                            step.role,
                            str(step.agency.pk),
                            escape(step.department),
                            fmt.duration(allowed),
                        ]
                    ),
                    done_action=action,
                    done_note=escape(f"{step.name}: xong.{handed}"),
                    staff=staff.get((step.agency.pk, step.role), []),
                )
            )
        lowered = version.name.lower()
        result = version.result[:200] or version.name[:200]
        weight = 1.0 + sum(boost for words, boost in POPULAR.items() if words in lowered)
        weights.append(weight * LEVEL_SHARE.get(level, 0.1) / max(1, level_counts[level]))
        pairs.append(
            Pair(
                version_id=version.pk,
                desk_id=desk.pk,
                desk_code=desk.code,
                time_limit=max(1, WorkingMinutes.minutes(time_rules.time_limit(version, calendar))),
                steps=steps,
                organisation=any(word in lowered for word in ORGANISATION_WORDS),
                result_title=escape(result.rstrip(". ")),  # the event adds " (số …)."
                addresses=served[desk.pk],
                receivers=[str(u) for u in staff.get((desk.pk, Role.RECEIVING_OFFICER), [])] or [NULL],
            )
        )
    if not pairs:
        raise DomainError("Không lập được quy trình cho thủ tục nào ở bộ phận một cửa nào.")
    total = sum(weights)
    running, cumulative = 0.0, []
    for weight in weights:
        running += weight / total
        cumulative.append(running)
    cumulative[-1] = 1.0
    heads: dict[int, list[str]] = defaultdict(list)
    for (agency_id, role), users in staff.items():
        if role in (Role.LEADER, Role.DEPARTMENT_HEAD):
            heads[agency_id].extend(str(u) for u in users)
    return Province(pairs=pairs, cumulative=cumulative, skipped=skipped, heads=dict(heads))


# --- Rows -----------------------------------------------------------------------------------------------------

DOSSIER_COLUMNS = [
    "id", "code", "public_id", "procedure_version_id", "receiving_agency_id", "applicant_id", "applicant_name",
    "applicant_id_number", "applicant_phone", "applicant_email", "applicant_address", "form_data", "status",
    "channel", "submitted_at", "idempotency_key", "received_at", "due_at", "version", "current_step_id",
    "current_agency_id", "current_role", "current_assignee_id", "deadline_state", "clock_paused_at",
    "finished_at", "verdict", "status_note",
]  # fmt: skip
EVENT_COLUMNS = [
    "dossier_id",
    "at",
    "actor_id",
    "actor_agency_id",
    "action",
    "from_status",
    "to_status",
    "note",
]
APOLOGY_COLUMNS = [
    "dossier_id",
    "agency_id",
    "officer_id",
    "created_at",
    "reason",
    "previous_due_at",
    "new_due_at",
]
STEP_COLUMNS = [
    "id", "dossier_id", "position", "kind", "name", "role", "agency_id", "department", "allowed", "assignee_id",
    "handed_by_id", "started_at", "due_at", "finished_at", "finished_by_id", "verdict", "note", "round",
]  # fmt: skip


def table_columns(model: type[models.Model], explicit: list[str], fmt: Formats) -> tuple[list[str], str]:
    """The columns written: ours, then any field added to the model since, with its default."""
    extra_columns, extra_values = [], []
    for model_field in model._meta.concrete_fields:
        column = model_field.column
        if column in explicit or (column == "id" and "id" not in explicit):
            continue
        default = model_field.get_default()
        if default is None and not model_field.null and not model_field.has_default():
            raise DomainError(
                f"{model.__name__}.{model_field.name} không có giá trị mặc định: cập nhật egov.demo.synthetic."
            )
        extra_columns.append(column)
        extra_values.append(fmt.constant(default, model_field))
    suffix = "".join("\t" + value for value in extra_values)
    return explicit + extra_columns, suffix


@dataclass
class Batch:
    dossiers: list[str] = field(default_factory=list)
    events: list[str] = field(default_factory=list)
    steps: list[str] = field(default_factory=list)
    apologies: list[str] = field(default_factory=list)
    sequences: dict[tuple[int, dt.date], int] = field(default_factory=dict)


def as_of(year: int, zone: Any) -> dt.datetime:
    """The generator's clock: the moment the year's state is taken. The end of the year (31 December, 24:00),
    or for the year under way today's start: nothing is filed, and no deadline passes, after it."""
    end = dt.datetime.combine(dt.date(year + 1, 1, 1), dt.time(), zone)
    today = dt.datetime.combine(timezone.now().astimezone(zone).date(), dt.time(), zone)
    return min(end, today)


class Generator:
    def __init__(
        self, *, year: int, seed: int | str, open_share: float, fmt: Formats, province: Province
    ) -> None:
        self.rng = random.Random(seed)
        self.unique = random.Random()  # public ids: never the same twice, whatever the seed
        self.year = year
        self.open_share = open_share
        self.fmt = fmt
        self.province = province
        self.calendar = calendar = current_calendar()
        self.clock = WorkingMinutes(calendar, dt.date(year - 1, 12, 1), dt.date(year + 2, 12, 31))
        self.as_of = as_of(year, calendar.zone)
        self.as_of_epoch = int(self.as_of.timestamp()) // 60
        self.as_of_w = self.clock.w_of_epoch(self.as_of_epoch)
        self.soon = time_rules.due_soon_limit(self.as_of, calendar)
        self.run = f"{MARK}{year}-{seed}-{int(time.time())}"
        self.statuses: dict[str, int] = defaultdict(int)
        families, weights = zip(*FAMILY, strict=True)
        self.families = self.rng.choices(families, weights=weights, k=4096)
        self.serial = 0
        self.w_cache: dict[int, str] = {}
        self.end_cache: dict[int, str] = {}
        self.moments: dict[int, dt.datetime] = {}
        self.deadlines: dict[int, dt.datetime] = {}

    def atw(self, w: int) -> str:
        """The moment at working minute ``w``, as the database wants it (cached: a year has ~120,000)."""
        text = self.w_cache.get(w)
        if text is None:
            text = self.w_cache[w] = self.fmt.at(self.clock.epoch(w))
        return text

    def atend(self, w: int) -> str:
        """A deadline at working minute ``w`` (17:00 rather than the next morning)."""
        text = self.end_cache.get(w)
        if text is None:
            text = self.end_cache[w] = self.fmt.at(self.clock.epoch_end(w))
        return text

    def moment(self, w: int) -> dt.datetime:
        found = self.moments.get(w)
        if found is None:
            found = self.moments[w] = self.clock.moment(w)
        return found

    def deadline(self, w: int) -> dt.datetime:
        found = self.deadlines.get(w)
        if found is None:
            found = self.deadlines[w] = self.clock.deadline(w)
        return found

    # People ---------------------------------------------------------------------------------------------

    def applicant(self, pair: Pair, channel: int) -> tuple[str, str, str, str, str]:
        rng = self.rng
        address = f"{rng.choice(HAMLETS)} {rng.randint(1, 12)}, {rng.choice(pair.addresses)}"
        phone = f"0{rng.choice('39873')}{rng.randint(10_000_000, 99_999_999)}"
        if pair.organisation and rng.random() < 0.6:
            name = f"{rng.choice(ORGANISATION_KINDS)} {rng.choice(ORGANISATION_NAMES)}"
            tax_code = f"38{rng.randint(0, 99_999_999):08d}"
            email = f"lienhe{rng.randint(1, 99_999)}@doanhnghiep.vn" if channel == ONLINE else ""
            return name, tax_code, phone, email, address
        female = rng.random() < 0.5
        middle = rng.choice(FEMALE_MIDDLE if female else MALE_MIDDLE)
        given = rng.choice(FEMALE_GIVEN if female else MALE_GIVEN)
        name = f"{self.families[rng.getrandbits(12)]} {middle} {given}"
        born = rng.randint(1940, 2004)
        century = (0 if born < 2000 else 2) + int(female)
        personal_id = f"070{century}{born % 100:02d}{rng.randint(0, 999_999):06d}"
        email = (
            f"congdan{rng.randint(1, 999_999)}@gmail.com" if channel == ONLINE and rng.random() < 0.6 else ""
        )
        return name, personal_id, phone, email, address

    # One day ----------------------------------------------------------------------------------------------

    def days(self, count: int) -> Iterator[tuple[dt.date, int]]:
        """Calendar days of the year before the generator's clock, with how many dossiers each gets (working
        days ≫ days off)."""
        day = dt.date(self.year, 1, 1)
        weights: list[tuple[dt.date, float]] = []
        while day.year == self.year and day < self.as_of.date():
            weights.append((day, 1.0 if self.clock.calendar.is_working_day(day) else 0.03))
            day += dt.timedelta(days=1)
        total = sum(w for _, w in weights)
        given, carried = 0, 0.0
        for day, weight in weights:
            carried += count * weight / total
            share = round(carried) - given
            given += share
            yield day, share

    def timing(self, day: dt.date, channel: int) -> tuple[int, int]:
        """(submitted, epoch minute; received, working minute) of one dossier filed on ``day``."""
        rng, clock = self.rng, self.clock
        index = clock.index_on_or_after[day]
        working = index < len(clock.days) and clock.days[index] == day
        if working and (channel != ONLINE or rng.random() < 0.7):
            w = index * clock.length + int(rng.random() ** 1.4 * clock.length)  # mornings are busier
            submitted = clock.epoch(w)
            if channel == ONLINE:
                w += rng.randint(5, 300)
            elif channel == POST:
                w += rng.randint(30, 480)
            return submitted, w
        # Online in the evening or on a day off: received at the next working opening.
        midnight = int(dt.datetime.combine(day, dt.time(), clock.calendar.zone).timestamp()) // 60
        submitted = midnight + rng.choice((rng.randint(17 * 60, 23 * 60), rng.randint(5 * 60, 7 * 60)))
        return submitted, clock.w_of_epoch(submitted) + rng.randint(0, 240)

    def make_day(self, day: dt.date, count: int, last: dict[tuple[int, dt.date], int], batch: Batch) -> None:
        rng = self.rng
        pairs = rng.choices(self.province.pairs, cum_weights=self.province.cumulative, k=count)
        filed = []
        for pair in pairs:
            draw = rng.random()
            channel = (
                IN_PERSON
                if draw < IN_PERSON_SHARE
                else ONLINE
                if draw < IN_PERSON_SHARE + ONLINE_SHARE
                else POST
            )
            submitted, received = self.timing(day, channel)
            filed.append((submitted, received, channel, pair))
        filed.sort(key=lambda item: item[0])
        for submitted, received, channel, pair in filed:
            day_counted = code_day(EPOCH + dt.timedelta(minutes=submitted))
            key = (pair.desk_id, day_counted)
            number = last.get(key, 0) + 1
            last[key] = number
            batch.sequences[key] = number
            code = dossier_code(pair.desk_code, day_counted, number)
            self.dossier(batch, pair, channel, code, submitted, received)

    # One dossier ------------------------------------------------------------------------------------------

    def dossier(
        self, batch: Batch, pair: Pair, channel: int, code: str, submitted: int, received: int
    ) -> None:
        rng, clock, atw = self.rng, self.clock, self.atw
        submitted_text = self.fmt.at(submitted)
        dossier_id = self.next_dossier_id()
        events = batch.events
        first_event = len(events)
        desk = str(pair.desk_id)
        prefix = f"{dossier_id}\t"
        submit_agency = NULL if channel == ONLINE else desk
        events.append(
            f"{prefix}{submitted_text}\t{NULL}\t{submit_agency}\tsubmitted\t\t{S.NEW}\t{SUBMIT_NOTES[channel]}"
        )
        status, status_note = S.NEW, ""
        received_at = due_at = finished_at = NULL
        verdict = deadline_state = ""
        current_step = current_agency = current_assignee = NULL
        current_role = ""
        forced = rng.random() < self.open_share
        draw = rng.random()
        receiver = pair.receivers[rng.randrange(len(pair.receivers))]  # the desk officer who takes it in
        if (forced and draw < FORCED_NEW) or received >= self.as_of_w:
            pass  # filed, not yet received (or not yet looked at by the generator's clock)
        elif (forced and draw < FORCED_NEW + FORCED_SUPPLEMENT) or (not forced and draw < SUPPLEMENT):
            events.append(
                f"{prefix}{atw(received)}\t{receiver}\t{desk}\tsupplement_requested\t{S.NEW}\t"
                f"{S.SUPPLEMENT_REQUESTED}\tYêu cầu bổ sung: {rng.choice(SUPPLEMENT_ITEMS)} (chưa đủ, chưa hợp lệ)"
            )
            status = S.SUPPLEMENT_REQUESTED
            if not forced and rng.random() > SUPPLEMENT_ABANDONED:
                back = received + rng.randint(1, 8) * clock.length
                if back < self.as_of_w:
                    events.append(
                        f"{prefix}{atw(back)}\t{NULL}\t{desk}\tsupplemented\t{S.SUPPLEMENT_REQUESTED}\t"
                        f"{S.NEW}\tCông dân bổ sung giấy tờ theo yêu cầu."
                    )
                    status = S.NEW
                    received = back + rng.randint(5, 240)
        elif not forced and draw < SUPPLEMENT + REFUSED:
            status, status_note = S.REFUSED, rng.choice(REFUSAL_REASONS)
            events.append(
                f"{prefix}{atw(received)}\t{receiver}\t{desk}\trefused\t{S.NEW}\t{S.REFUSED}\t"
                f"Từ chối tiếp nhận: {status_note}"
            )
        elif not forced and draw < SUPPLEMENT + REFUSED + WITHDRAWN_EARLY:
            status, status_note = S.WITHDRAWN, "Công dân rút hồ sơ."
            events.append(
                f"{prefix}{atw(received)}\t{NULL}\t{NULL}\twithdrawn\t{S.NEW}\t{S.WITHDRAWN}\t"
                "Rút hồ sơ: Công dân rút hồ sơ."
            )
        if status == S.NEW and received < self.as_of_w and not (forced and draw < FORCED_NEW):
            (
                status,
                status_note,
                due_at,
                finished_at,
                verdict,
                deadline_state,
                current_step,
                current_agency,
                current_role,
                current_assignee,
            ) = self.process(batch, pair, channel, dossier_id, received, forced, receiver)
            received_at = atw(received)
        self.statuses[status] += 1
        name, id_number, phone, email, address = self.applicant(pair, channel)
        bits = self.unique.getrandbits(128) & ~(0xF000 << 64) | (0x4000 << 64)
        bits = bits & ~(0xC000 << 48) | (0x8000 << 48)
        batch.dossiers.append(
            f"{dossier_id}\t{code}\t{bits:032x}\t{pair.version_id}\t{desk}\t{NULL}\t{name}\t{id_number}\t{phone}\t"
            f"{email}\t{address}\t{{}}\t{status}\t{channel}\t{submitted_text}\t{self.run}\t{received_at}\t{due_at}\t"
            f"{len(events) - first_event}\t{current_step}\t{current_agency}\t{current_role}\t{current_assignee}\t"
            f"{deadline_state}\t{NULL}\t{finished_at}\t{verdict}\t{status_note}{self.dossier_suffix}"
        )

    def process(
        self,
        batch: Batch,
        pair: Pair,
        channel: int,
        dossier_id: int,
        received: int,
        forced: bool,
        receiver: str,
    ) -> tuple[str, str, str, str, str, str, str, str, str, str]:
        """Receipt, then the steps until the result is returned or the end of the year (or a forced stop).
        Each step is handed over by whoever finished the one before (the receiving officer for the first) and
        finished by its assignee, or by one of the agency's people in that role: the control sheet's giver and
        receiver columns."""
        rng, atw, atend = self.rng, self.atw, self.atend
        events, step_rows = batch.events, batch.steps
        prefix = f"{dossier_id}\t"
        desk = str(pair.desk_id)
        due_w = received + pair.time_limit
        due_at = atend(due_w)
        events.append(
            f"{prefix}{atw(received)}\t{receiver}\t{desk}\treceived\t{S.NEW}\t{S.RECEIVED}\tTiếp nhận hồ sơ."
        )
        steps = pair.steps
        late = rng.random() < LATE
        pace = rng.uniform(1.05, 1.7) if late else rng.uniform(0.2, 0.9)
        stop_at = -1
        if forced:
            stop_at = rng.randrange(len(steps))
        ending = ""
        draw = rng.random()
        if not forced and draw < STOPPED + WITHDRAWN_LATE:
            ending = S.STOPPED if draw < STOPPED else S.WITHDRAWN
            stop_at = rng.randrange(max(1, len(steps) - 2))
        status = S.RECEIVED
        handed_at, handed_from = received, 0  # when and by which agency the dossier was handed on
        step_ids = self.next_step_ids(len(steps))
        current = (NULL, NULL, "", NULL)
        finished_at = verdict = status_note = ""
        handed = receiver
        held: list[tuple[int, int, int, str]] = []  # start, end, agency, status: who held it when
        issued = -1
        for index, step in enumerate(steps):
            step_id = step_ids[index]
            assignee = NULL
            if step.staff and step.kind not in (StepKind.RETURN, StepKind.ISSUE) and rng.random() < 0.6:
                assignee = str(rng.choice(step.staff))
            start = self.step_start(handed_at, channel, handed_from, step.agency_id)
            start_text = atw(start)
            step_due = start + step.allowed
            spent = max(1, int(step.allowed * pace * rng.uniform(0.6, 1.4)))
            finish = start + spent
            in_progress = index == stop_at or finish > self.as_of_w
            held.append((start, self.as_of_w if in_progress else finish, step.agency_id, status))
            started_text = f"{start_text}\t{atend(step_due)}"
            if in_progress and ending:
                # Stopped or withdrawn during this step: it is closed then, nothing follows.
                when = start + max(1, spent // 2)
                if ending == S.STOPPED:
                    status_note = rng.choice(STOP_REASONS)
                    note = f"Dừng xử lý: {status_note}"
                    events.append(
                        f"{prefix}{atw(when)}\t{NULL}\t{step.agency_id}\tstopped\t{status}\t{S.STOPPED}\t{note}"
                    )
                else:
                    status_note = "Công dân rút hồ sơ."
                    note = "Công dân rút hồ sơ."
                    events.append(
                        f"{prefix}{atw(when)}\t{NULL}\t{NULL}\twithdrawn\t{status}\t{S.WITHDRAWN}\tRút hồ sơ: {note}"
                    )
                step_rows.append(
                    f"{step_id}\t{prefix}{step.row_prefix}\t{assignee}\t{handed}\t{started_text}\t"
                    f"{atw(when)}\t{NULL}\t{self.verdict(when, step_due)}\t{note}\t1{self.step_suffix}"
                )
                status = ending
                current = (str(step_id), str(step.agency_id), "", NULL)
                self.pending(step_rows, prefix, step_ids, steps, index + 1)
                break
            if in_progress:
                step_rows.append(
                    f"{step_id}\t{prefix}{step.row_prefix}\t{assignee}\t{handed}\t{started_text}\t{NULL}\t{NULL}"
                    f"\t\t\t1{self.step_suffix}"
                )
                current = (str(step_id), str(step.agency_id), step.role, assignee)
                self.pending(step_rows, prefix, step_ids, steps, index + 1)
                break
            step_verdict = self.verdict(finish, step_due)
            finish_text = atw(finish)
            actor = assignee if assignee != NULL else (str(rng.choice(step.staff)) if step.staff else NULL)
            step_rows.append(
                f"{step_id}\t{prefix}{step.row_prefix}\t{assignee}\t{handed}\t{started_text}\t"
                f"{finish_text}\t{actor}\t{step_verdict}\t\t1{self.step_suffix}"
            )
            handed = actor
            if step.kind == StepKind.ISSUE:
                to_status = S.DONE
                finished_at, verdict, issued = finish_text, self.verdict(finish, due_w), finish
                self.serial += 1
                note = f"Đã có kết quả: {pair.result_title} (số {self.serial % 9000 + 1}/KQ)."
            elif step.kind == StepKind.RETURN:
                to_status = S.RETURNED
                note = RETURN_NOTES[channel].format(n=dossier_id)
            else:
                to_status, note = S.PROCESSING, step.done_note
            events.append(
                f"{prefix}{finish_text}\t{actor}\t{step.agency_id}\t{step.done_action}\t{status}\t"
                f"{to_status}\t{note}"
            )
            status = to_status
            handed_at, handed_from = finish, step.agency_id
        else:
            # Every step done. A process without a return step leaves the dossier "done" (status 9), as
            # processing leaves it until the desk records the return.
            current = (NULL, current[1] if current[1] != NULL else desk, "", NULL)
        if late and status not in (S.STOPPED, S.WITHDRAWN):
            new_due = self.apologise(batch, prefix, received, due_w, issued, held)
            if new_due:
                due_w, due_at = new_due, atend(new_due)
                if issued >= 0:
                    verdict = self.verdict(issued, due_w)
        deadline_state = ""
        if status in (
            S.RECEIVED,
            S.PROCESSING,
        ):  # what the deadline sweep would mark at the generator's clock
            deadline_state = time_rules.deadline_state(
                self.deadline(due_w), now=self.as_of, soon=self.soon
            ).value
        elif status in (S.STOPPED, S.WITHDRAWN):
            finished_at = ""
        step_id_text, agency_text, role, assignee_text = current
        if status == S.RETURNED and agency_text == NULL:
            agency_text = desk
        return (
            status,
            status_note,
            due_at,
            finished_at or NULL,
            verdict,
            deadline_state,
            step_id_text,
            agency_text,
            role,
            assignee_text,
        )

    def apologise(
        self,
        batch: Batch,
        prefix: str,
        received: int,
        due: int,
        issued: int,
        held: list[tuple[int, int, int, str]],
    ) -> int:
        """Form 04 for a dossier running late: the agency holding it one working day or more before the
        deadline apologises and sets a new date, once (as ``processing.apologise`` allows). Returns the new
        deadline, or 0 when there is no apology (not late after all, too late to apologise, nobody to sign)."""
        rng, length = self.rng, self.clock.length
        if rng.random() >= APOLOGISED:
            return 0
        lateness = (issued if issued >= 0 else self.as_of_w) - due
        when = due - decree61.APOLOGY_NOTICE_DAYS * length - rng.randrange(length)
        holder = next(((agency, status) for start, end, agency, status in held if start <= when < end), None)
        if lateness <= 0 or when <= received or holder is None:
            return 0
        if not time_rules.apology_in_time(self.moment(when), self.deadline(due), self.calendar):
            return 0
        agency, status = holder
        officers = self.province.heads.get(agency)
        if not officers:
            return 0
        officer = officers[rng.randrange(len(officers))]
        new_due = due + max(1, -(-int(lateness * rng.uniform(1.0, 1.5)) // length)) * length
        reason = APOLOGY_REASONS[rng.randrange(len(APOLOGY_REASONS))]
        at = self.atw(when)
        batch.apologies.append(
            f"{prefix}{agency}\t{officer}\t{at}\t{reason}\t{self.atend(due)}\t{self.atend(new_due)}"
        )
        local = dt.datetime.fromtimestamp(self.clock.epoch_end(new_due) * 60, self.clock.calendar.zone)
        batch.events.append(
            f"{prefix}{at}\t{officer}\t{agency}\tapologised\t{status}\t{status}\t"
            f"Xin lỗi, hẹn lại ngày trả kết quả {local:%H:%M %d/%m/%Y}: {reason}"
        )
        return new_due

    def pending(
        self, rows: list[str], prefix: str, ids: list[int], steps: list[StepPlan], first: int
    ) -> None:
        """Steps laid out at receipt but not reached yet."""
        for index in range(first, len(steps)):
            rows.append(
                f"{ids[index]}\t{prefix}{steps[index].row_prefix}\t{NULL}\t{NULL}\t{NULL}\t{NULL}\t{NULL}\t{NULL}"
                f"\t\t\t1{self.step_suffix}"
            )

    def verdict(self, finish: int, due: int) -> str:
        """The control sheet's verdict of a step finished at working minute ``finish``, due at ``due``."""
        finished = self.moments.get(finish) or self.moment(finish)
        return time_rules.classify(
            finished, self.deadlines.get(due) or self.deadline(due), self.calendar.zone
        )

    def step_start(self, handed_at: int, channel: int, from_agency: int, to_agency: int) -> int:
        """When the next step's clock starts after a hand-over (the 15:00 cut-off for paper dossiers)."""
        moment = self.moments.get(handed_at) or self.moment(handed_at)
        start = time_rules.step_start(
            moment,
            channel=channel,
            from_agency_id=from_agency or None,
            to_agency_id=to_agency,
            calendar=self.calendar,
        )
        return handed_at if start is moment else self.clock.at_or_after(start)

    # Ids (set by the writer) --------------------------------------------------------------------------------

    next_dossier_id: Callable[[], int]
    next_step_ids: Callable[[int], list[int]]
    dossier_suffix = ""
    step_suffix = ""


# --- Writing ----------------------------------------------------------------------------------------------------


@dataclass
class Pool:
    """Ids reserved for this run, handed out in ascending order (the unused rest is simply skipped)."""

    ids: range | list[int]
    used: int = 0


class Writer:
    """Reserves ids and writes a batch's rows (COPY on PostgreSQL, executemany elsewhere)."""

    def __init__(self, fmt: Formats) -> None:
        self.fmt = fmt
        self.dossier_columns, self.dossier_suffix = table_columns(Dossier, DOSSIER_COLUMNS, fmt)
        self.step_columns, self.step_suffix = table_columns(DossierStep, STEP_COLUMNS, fmt)
        self.event_columns, self.event_suffix = table_columns(DossierEvent, EVENT_COLUMNS, fmt)
        self.apology_columns, self.apology_suffix = table_columns(Apology, APOLOGY_COLUMNS, fmt)
        self.postgres = connection.vendor == "postgresql"
        self.pools: dict[str, Pool] = {"dossier": Pool([]), "step": Pool([])}
        self.next_free: dict[str, int] = {}
        self.sequences: dict[str, str] = {}

    def prepare(self) -> None:
        if not self.postgres:
            with connection.cursor() as cursor:
                for model, name in ((Dossier, "dossier"), (DossierStep, "step")):
                    cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {model._meta.db_table}")  # noqa: S608
                    self.next_free[name] = int(cursor.fetchone()[0]) + 1
        else:
            self.prepare_session()

    def prepare_session(self) -> None:
        """PostgreSQL: commits need not wait for the disk (a crash loses only the last batches), and a
        superuser skips the row-by-row foreign-key checks: every id written was just read or reserved."""
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit TO off")
            cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            row = cursor.fetchone()
            if row and row[0]:
                cursor.execute("SET session_replication_role = replica")

    def finish(self) -> None:
        if self.postgres and connection.connection is not None:
            with connection.cursor() as cursor:
                cursor.execute("RESET synchronous_commit")
                cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
                row = cursor.fetchone()
                if row and row[0]:
                    cursor.execute("RESET session_replication_role")

    def reserve(self, model: type[models.Model], name: str, count: int) -> None:
        """Add ``count`` fresh ids to the pool (on PostgreSQL from the table's sequence, in one statement)."""
        if not self.postgres:
            first = self.next_free[name]
            self.next_free[name] = first + count
            self.pools[name] = Pool(range(first, first + count))
            return
        table = model._meta.db_table
        with connection.cursor() as cursor:
            sequence = self.sequences.get(table)
            if sequence is None:  # looked up once: per row it cost 8 times the nextval itself
                cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
                sequence = self.sequences[table] = cursor.fetchone()[0]
            cursor.execute(
                "SELECT min(v), max(v), count(*) FROM "
                "(SELECT nextval(%s::regclass) AS v FROM generate_series(1, %s)) AS ids",
                [sequence, count],
            )
            low, high, got = cursor.fetchone()
            if high - low + 1 == got:
                self.pools[name] = Pool(range(low, high + 1))
            else:  # someone else took numbers meanwhile: ours are not contiguous, ask again for them listed
                cursor.execute("SELECT nextval(%s::regclass) FROM generate_series(1, %s)", [sequence, count])
                self.pools[name] = Pool(sorted(row[0] for row in cursor.fetchall()))

    def write(self, batch: Batch) -> None:
        tables = (  # the generator ends dossier and step rows itself; events and apologies end here
            (Dossier._meta.db_table, self.dossier_columns, batch.dossiers, ""),
            (DossierStep._meta.db_table, self.step_columns, batch.steps, ""),
            (DossierEvent._meta.db_table, self.event_columns, batch.events, self.event_suffix),
            (Apology._meta.db_table, self.apology_columns, batch.apologies, self.apology_suffix),
        )
        with transaction.atomic():
            for table, columns, lines, suffix in tables:
                if not lines:
                    continue
                names = ", ".join(f'"{column}"' for column in columns)
                if self.postgres:
                    with connection.cursor() as cursor:
                        raw = cursor.cursor if hasattr(cursor, "cursor") else cursor
                        with raw.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                            copy.write(f"{suffix}\n".join(lines) + f"{suffix}\n")
                else:
                    marks = ", ".join(["?"] * len(columns))
                    rows = [
                        [None if value == NULL else value for value in (line + suffix).split("\t")]
                        for line in lines
                    ]
                    raw_connection = connection.connection
                    insert = f"INSERT INTO {table} ({names}) VALUES ({marks})"  # noqa: S608
                    raw_connection.executemany(insert, rows)
            self.advance_sequences(batch.sequences)

    def advance_sequences(self, numbers: dict[tuple[int, dt.date], int]) -> None:
        """Each desk's daily counter to at least the last number given, so real codes continue after ours."""
        if not numbers:
            return
        table = DossierCodeSequence._meta.db_table
        greatest = "GREATEST" if self.postgres else "MAX"
        rows = [(agency_id, day.isoformat(), last) for (agency_id, day), last in numbers.items()]
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {table} (agency_id, day, last) VALUES (%s, %s, %s) "  # noqa: S608
                f"ON CONFLICT (agency_id, day) DO UPDATE SET last = {greatest}({table}.last, excluded.last)",
                rows,
            )


def _existing_numbers(year: int) -> dict[tuple[int, dt.date], int]:
    rows = DossierCodeSequence.objects.filter(day__year=year).values_list("agency_id", "day", "last")
    return {(agency_id, day): last for agency_id, day, last in rows}


PARALLEL_FROM = 50_000
"""From this many dossiers on PostgreSQL (outside a transaction), the year is split by days between
``os.cpu_count()`` (at most ``MAX_WORKERS``) processes, each generating and writing its own days: one Python
process builds rows at about 12,600 dossiers/s, slower than PostgreSQL takes them on two cores."""
MAX_WORKERS = 4


def generate(
    *,
    count: int,
    year: int = 2019,
    seed: int = 2019,
    open_share: float = 0.0,
    batch_size: int = BATCH,
    rebuild_indexes: bool = False,
    workers: int | None = None,
    progress: Callable[[int], object] | None = None,
) -> GenerationReport:
    """Write ``count`` synthetic dossiers of ``year`` with their events and steps (see the module doc).

    On PostgreSQL outside a transaction, batches are written by a second thread on its own connection while
    the next one is generated, each batch committed with its code counters; from ``PARALLEL_FROM`` dossiers
    (or whenever ``workers`` > 1 is asked) the days of the year are shared between ``workers`` processes
    (default: one per core), each with its own connections and its own stream of random numbers, so the same
    seed and number of workers give the same year. ``rebuild_indexes`` (PostgreSQL, for millions of rows
    into a database nobody is using) drops the three tables' secondary indexes first and builds them again at
    the end, which is several times faster than keeping them up to date row by row."""
    if count <= 0:
        raise DomainError("Số hồ sơ cần tạo phải lớn hơn 0.")
    if not 0 <= open_share <= 1:
        raise DomainError("Tỷ lệ hồ sơ đang mở phải từ 0 đến 1.")
    if workers is not None and workers < 1:
        raise DomainError("Số tiến trình phải từ 1 trở lên.")
    zone = timezone.get_default_timezone()
    if as_of(year, zone).date() <= dt.date(year, 1, 1):
        raise DomainError(f"Năm {year} chưa có ngày nào đã qua: không tạo được hồ sơ của năm này.")
    started = time.perf_counter()
    fmt = Formats(connection.vendor)
    province = load_province(fmt)
    threaded = connection.vendor == "postgresql" and not connection.in_atomic_block
    if not threaded:
        workers = 1
    elif workers is None:
        workers = min(os.cpu_count() or 1, MAX_WORKERS) if count >= PARALLEL_FROM else 1
    options: dict[str, Any] = dict(year=year, seed=seed, open_share=open_share, fmt=fmt, province=province)
    load = Load(**options)  # with one process, this one writes; with more, it only plans the days
    plan = list(load.generator.days(count))
    dropped = _drop_secondary_indexes() if rebuild_indexes and threaded else []
    try:
        if workers == 1:
            load.generate(plan, batch_size=batch_size, threaded=threaded, progress=progress)
            totals, statuses = load.totals, dict(load.generator.statuses)
        else:
            totals, statuses = _generate_in_processes(
                _share_days(plan, workers),
                options,
                batch_size=batch_size,
                progress=progress,
            )
    finally:
        if dropped:
            _create_indexes(dropped)
    _analyse()
    return GenerationReport(
        dossiers=totals[0],
        events=totals[1],
        steps=totals[2],
        seconds=time.perf_counter() - started,
        statuses=statuses,
        as_of=load.generator.as_of,
    )


class Load:
    """One generator and its writer: the days given, in batches, into the database."""

    def __init__(self, **generator_options: Any) -> None:
        self.generator = Generator(**generator_options)
        self.writer = Writer(self.generator.fmt)
        self.totals = [0, 0, 0]

    def generate(
        self,
        days: list[tuple[dt.date, int]],
        *,
        batch_size: int,
        threaded: bool,
        progress: Callable[[int], object] | None,
    ) -> None:
        generator, writer = self.generator, self.writer
        writer.prepare()
        generator.dossier_suffix = writer.dossier_suffix
        generator.step_suffix = writer.step_suffix
        longest = max(len(p.steps) for p in generator.province.pairs)
        pools = writer.pools

        def next_dossier_id() -> int:
            pool = pools["dossier"]
            if pool.used >= len(pool.ids):
                writer.reserve(Dossier, "dossier", batch_size + 64)
                pool = pools["dossier"]
            pool.used += 1
            return pool.ids[pool.used - 1]

        def next_step_ids(n: int) -> list[int]:
            pool = pools["step"]
            if pool.used + n > len(pool.ids):
                writer.reserve(DossierStep, "step", (batch_size + 64) * longest)
                pool = pools["step"]
            pool.used += n
            return list(pool.ids[pool.used - n : pool.used])

        generator.next_dossier_id = next_dossier_id
        generator.next_step_ids = next_step_ids
        last = _existing_numbers(generator.year)

        def write(batch: Batch) -> None:
            writer.write(batch)
            self.totals[0] += len(batch.dossiers)
            self.totals[1] += len(batch.events)
            self.totals[2] += len(batch.steps)
            if progress:
                progress(len(batch.dossiers))

        def batches() -> Iterator[Batch]:
            batch = Batch()
            for day, share in days:
                remaining = share
                while remaining:
                    part = min(remaining, batch_size - len(batch.dossiers))
                    generator.make_day(day, part, last, batch)
                    remaining -= part
                    if len(batch.dossiers) >= batch_size:
                        yield batch
                        batch = Batch()
            if batch.dossiers:
                yield batch

        try:
            if threaded:
                _write_in_background(batches(), write, writer)
            else:
                for batch in batches():
                    write(batch)
        finally:
            writer.finish()


def _share_days(plan: list[tuple[dt.date, int]], workers: int) -> list[list[tuple[dt.date, int]]]:
    """Consecutive runs of days with about the same number of dossiers each (a day is never split: its codes
    are numbered in the order of filing)."""
    total = sum(share for _, share in plan)
    shares: list[list[tuple[dt.date, int]]] = [[] for _ in range(workers)]
    given = 0
    for day, share in plan:
        shares[min(workers - 1, given * workers // max(total, 1))].append((day, share))
        given += share
    return [days for days in shares if days]


def _generate_in_processes(
    shares: list[list[tuple[dt.date, int]]],
    options: dict[str, Any],
    *,
    batch_size: int,
    progress: Callable[[int], object] | None,
) -> tuple[list[int], dict[str, int]]:
    """Each share of the days in a forked process of its own (the province already loaded is inherited);
    progress, totals and failures come back through a queue. Every process commits its own batches."""
    from django.db import connections

    connections.close_all()  # no connection may be shared with a child
    context = multiprocessing.get_context("fork")
    messages: Any = context.Queue()
    children = [
        context.Process(
            target=_generate_share,
            args=(number, days, {**options, "seed": f"{options['seed']}/{number}"}, batch_size, messages),
            name=f"synthetic-{number}",
        )
        for number, days in enumerate(shares)
    ]
    for child in children:
        child.start()
    totals, failures, finished = [0, 0, 0], [], 0
    statuses: dict[str, int] = defaultdict(int)
    try:
        while finished < len(children):
            try:
                kind, number, value = messages.get(timeout=0.5)
            except queue.Empty:
                if all(child.exitcode is not None for child in children) and messages.empty():
                    failures.append("một tiến trình dừng đột ngột")
                    break
                continue
            if kind == "progress" and progress:
                progress(value)
            elif kind == "done":
                finished += 1
                totals = [a + b for a, b in zip(totals, value[0], strict=True)]
                for status, n in value[1].items():
                    statuses[status] += n
            elif kind == "failed":
                finished += 1
                failures.append(f"tiến trình {number}: {value}")
    finally:
        for child in children:
            child.join()
    if failures:
        raise DomainError(f"Tạo hồ sơ giả lập không trọn vẹn ({'; '.join(failures)}).")
    return totals, dict(statuses)


def _generate_share(
    number: int, days: list[tuple[dt.date, int]], options: dict[str, Any], batch_size: int, messages: Any
) -> None:
    from django.db import connections

    try:
        load = Load(**options)
        load.generate(
            days,
            batch_size=batch_size,
            threaded=True,
            progress=lambda n: messages.put(("progress", number, n)),
        )
        messages.put(("done", number, (load.totals, dict(load.generator.statuses))))
    except BaseException as exc:  # reported to the parent, which raises
        messages.put(("failed", number, f"{type(exc).__name__}: {exc}"))
    finally:
        connections.close_all()


def _write_in_background(batches: Iterator[Batch], write: Callable[[Batch], None], writer: Writer) -> None:
    """Generate in this thread, write in another (psycopg waits for the server without holding the GIL)."""
    pending: queue.Queue[Batch | None] = queue.Queue(maxsize=2)
    failure: list[BaseException] = []

    def work() -> None:
        try:
            writer.prepare_session()
            while (batch := pending.get()) is not None:
                if not failure:
                    write(batch)
        except BaseException as exc:  # handed to the generating thread, which raises it
            failure.append(exc)
            while pending.get() is not None:
                pass
        finally:
            writer.finish()
            connection.close()

    thread = threading.Thread(target=work, name="synthetic-writer", daemon=True)
    thread.start()
    try:
        for batch in batches:
            if failure:
                break
            pending.put(batch)
    finally:
        pending.put(None)
        thread.join()
    if failure:
        raise failure[0]


SECONDARY_INDEXES = """
    SELECT i.indexname, i.indexdef FROM pg_indexes i
    WHERE i.schemaname = current_schema() AND i.tablename = ANY(%s)
      AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)
"""


def _drop_secondary_indexes() -> list[str]:
    tables = [Dossier._meta.db_table, DossierEvent._meta.db_table, DossierStep._meta.db_table]
    with connection.cursor() as cursor:
        cursor.execute(SECONDARY_INDEXES, [tables])
        found = cursor.fetchall()
        for name, _ in found:
            cursor.execute(f'DROP INDEX IF EXISTS "{name}"')
    return [definition for _, definition in found]


INDEX_BUILDERS = 2
"""Indexes built at the same time after a load, each on its own connection: two builders took the rebuild
after 400,000 dossiers from 13.4 s to 11.0 s on two cores (PostgreSQL already sorts a large B-tree with a
parallel worker, so more builders than cores gain nothing)."""


def _create_indexes(definitions: list[str]) -> None:
    """Build the dropped indexes again, the costliest (trigram GIN) first, on ``INDEX_BUILDERS`` connections."""
    todo: queue.SimpleQueue[str] = queue.SimpleQueue()
    for definition in sorted(definitions, key=lambda d: " gin " not in d.lower()):
        todo.put(definition.replace("CREATE INDEX ", "CREATE INDEX IF NOT EXISTS ", 1))
    failures: list[BaseException] = []

    def build() -> None:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SET maintenance_work_mem TO '256MB'")
                while not failures:
                    try:
                        definition = todo.get_nowait()
                    except queue.Empty:
                        break
                    cursor.execute(definition)
                cursor.execute("RESET maintenance_work_mem")
        except BaseException as exc:  # raised again by the caller
            failures.append(exc)
        finally:
            connection.close()

    builders = [
        threading.Thread(target=build, name=f"index-builder-{n}", daemon=True) for n in range(INDEX_BUILDERS)
    ]
    for thread in builders:
        thread.start()
    for thread in builders:
        thread.join()
    if failures:
        raise failures[0]


def _analyse() -> None:
    """PostgreSQL: refresh the planner's statistics of the tables just loaded. Without them its row counts
    were wrong by orders of magnitude after a load (a table it believed empty, or a tenth of its size), and it
    chose plans accordingly until someone ran ANALYZE; autovacuum, where it runs at all, comes minutes later.
    A few seconds after a million dossiers; inside a transaction too."""
    if connection.vendor != "postgresql":
        return
    tables = [
        model._meta.db_table for model in (Dossier, DossierStep, DossierEvent, Apology, DossierCodeSequence)
    ]
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"ANALYZE {table}")


def delete_generated() -> int:
    """Remove every synthetic dossier and whatever is attached to it; returns how many dossiers went."""
    table = Dossier._meta.db_table
    selected = f"SELECT id FROM {table} WHERE idempotency_key LIKE %s"  # noqa: S608
    with transaction.atomic(), connection.cursor() as cursor:
        detach = f"UPDATE {table} SET current_step_id = NULL WHERE idempotency_key LIKE %s"  # noqa: S608
        cursor.execute(detach, [MARK + "%"])
        _delete_related(cursor, Dossier, selected, depth=0)
        cursor.execute(f"DELETE FROM {table} WHERE idempotency_key LIKE %s", [MARK + "%"])  # noqa: S608
        return int(cursor.rowcount)


def _delete_related(cursor: Any, model: type[models.Model], selected: str, depth: int) -> None:
    """Delete rows of every model pointing at the selected rows of ``model``, deepest first."""
    relation: Any
    for relation in model._meta.get_fields(include_hidden=True):
        if not (
            relation.auto_created and not relation.concrete and (relation.one_to_many or relation.one_to_one)
        ):
            continue
        if relation.related_model is model:
            continue
        related: Any = relation.related_model
        column = relation.field.column
        inner = f"SELECT id FROM {related._meta.db_table} WHERE {column} IN ({selected})"  # noqa: S608
        if depth < 2:
            _delete_related(cursor, related, inner, depth + 1)
        if relation.on_delete is models.SET_NULL:
            cursor.execute(
                f"UPDATE {related._meta.db_table} SET {column} = NULL WHERE {column} IN ({selected})",  # noqa: S608
                [MARK + "%"],
            )
        else:
            cursor.execute(
                f"DELETE FROM {related._meta.db_table} WHERE {column} IN ({selected})",  # noqa: S608
                [MARK + "%"],
            )


def generated_count() -> int:
    return Dossier.objects.filter(idempotency_key__startswith=MARK).count()


__all__ = ["MARK", "GenerationReport", "delete_generated", "generate", "generated_count", "timezone"]


def generated_exists() -> bool:
    """Whether this database already holds generated dossiers."""
    return Dossier.objects.filter(idempotency_key__startswith=MARK).exists()
