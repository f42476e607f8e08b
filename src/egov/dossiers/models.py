"""Dossiers (hồ sơ): what an applicant filed, its files and its history.

A dossier's status changes only through ``egov.dossiers.services``, which writes a :class:`DossierEvent` in the
same transaction. The dossier keeps the procedure version it was filed under and the agency row that received
it, so later revisions and reorganisations do not rewrite what was filed.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from egov.agencies.models import Agency
from egov.catalog.models import Component, ProcedureVersion
from egov.dossiers.statuses import NATIONAL_STATUS_CODE, Channel, DossierStatus


class Dossier(models.Model):
    code = models.CharField("mã hồ sơ", max_length=60, unique=True)
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    procedure_version = models.ForeignKey(
        ProcedureVersion,
        verbose_name="thủ tục (phiên bản)",
        on_delete=models.PROTECT,
        related_name="dossiers",
    )
    # The foreign keys below lead composite indexes (Meta.indexes), which serve their look-ups too: no index
    # of their own to maintain on the busiest table.
    receiving_agency = models.ForeignKey(
        Agency,
        verbose_name="cơ quan tiếp nhận",
        on_delete=models.PROTECT,
        related_name="received_dossiers",
        db_index=False,
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="tài khoản nộp",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="dossiers",
        db_index=False,
    )
    applicant_name = models.CharField("người nộp", max_length=200)
    applicant_id_number = models.CharField("số giấy tờ tùy thân", max_length=20, blank=True)
    applicant_phone = models.CharField("điện thoại", max_length=20, blank=True)
    applicant_email = models.EmailField("thư điện tử", blank=True)
    applicant_address = models.CharField("địa chỉ", max_length=400, blank=True)
    form_data = models.JSONField("dữ liệu tờ khai", default=dict)
    status = models.CharField(
        "trạng thái", max_length=30, choices=DossierStatus.choices, default=DossierStatus.NEW, db_index=True
    )
    channel = models.PositiveSmallIntegerField("kênh nộp", choices=Channel.choices, default=Channel.ONLINE)
    submitted_at = models.DateTimeField("thời điểm nộp", db_index=True)
    idempotency_key = models.CharField("khóa chống nộp trùng", max_length=80, blank=True)
    received_at = models.DateTimeField("thời điểm tiếp nhận", null=True, blank=True)
    due_at = models.DateTimeField("hẹn trả kết quả", null=True, blank=True, db_index=True)
    version = models.PositiveIntegerField("phiên bản bản ghi", default=1)
    # Where the dossier is now (denormalised from its current step, so worklists are one indexed query).
    current_step = models.ForeignKey(
        "DossierStep",
        verbose_name="bước hiện tại",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    current_agency = models.ForeignKey(
        Agency,
        verbose_name="cơ quan đang xử lý",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    current_role = models.CharField("vai trò đang xử lý", max_length=30, blank=True)
    current_assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người đang xử lý",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    deadline_state = models.CharField("tình trạng hạn", max_length=10, blank=True, default="")
    clock_paused_at = models.DateTimeField("tạm dừng tính thời gian từ", null=True, blank=True)
    finished_at = models.DateTimeField("thời điểm có kết quả", null=True, blank=True)
    verdict = models.CharField("kết quả đúng hạn", max_length=10, blank=True)
    status_note = models.TextField("lý do (từ chối, dừng, rút)", blank=True)

    class Meta:
        verbose_name = "hồ sơ"
        verbose_name_plural = "hồ sơ"
        ordering = ["-submitted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["applicant", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="dossier_idempotency_unique",
            ),
            # Paper dossiers entered at the desk have no applicant account: their key (``desk:…``) is unique per
            # desk (NULLs are distinct in the constraint above, so it would not stop two concurrent intakes).
            models.UniqueConstraint(
                fields=["receiving_agency", "idempotency_key"],
                condition=models.Q(applicant__isnull=True, idempotency_key__startswith="desk:"),
                name="dossier_intake_idempotency_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["applicant", "-submitted_at"]),
            models.Index(fields=["current_agency", "current_role", "-submitted_at"], name="dossier_worklist"),
            models.Index(fields=["current_assignee", "-submitted_at"], name="dossier_assignee"),
            models.Index(fields=["receiving_agency", "status", "-submitted_at"], name="dossier_desk"),
            models.Index(fields=["receiving_agency", "received_at"], name="dossier_register"),
            models.Index(
                fields=["due_at"],
                name="dossier_open_due",
                condition=models.Q(status__in=["received", "processing"]),
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def national_status(self) -> int:
        return NATIONAL_STATUS_CODE[DossierStatus(self.status)]


def dossier_file_path(instance: StoredFile, filename: str) -> str:
    return f"dossiers/{timezone.now():%Y/%m}/{uuid.uuid4().hex}/{filename}"


class StoredFile(models.Model):
    """An uploaded file that passed the checks: owned first by a draft, then by the dossier it was filed with."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="người tải lên", on_delete=models.PROTECT, related_name="+"
    )
    dossier = models.ForeignKey(
        Dossier, verbose_name="hồ sơ", null=True, blank=True, on_delete=models.CASCADE, related_name="files"
    )
    draft = models.ForeignKey(
        "Draft",
        verbose_name="bản nháp",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="files",
    )
    component = models.ForeignKey(
        Component,
        verbose_name="thành phần hồ sơ",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    slot = models.CharField("ô tải lên", max_length=60)
    file = models.FileField("tệp", upload_to=dossier_file_path, max_length=300)
    original_name = models.CharField("tên tệp", max_length=200)
    content_type = models.CharField("loại tệp", max_length=100)
    size = models.PositiveBigIntegerField("dung lượng (byte)")
    sha256 = models.CharField("mã băm SHA-256", max_length=64)
    uploaded_at = models.DateTimeField("thời điểm tải lên", auto_now_add=True)

    class Meta:
        verbose_name = "tệp đính kèm"
        verbose_name_plural = "tệp đính kèm"
        ordering = ["slot", "id"]
        indexes = [models.Index(fields=["file"], name="storedfile_file")]  # the orphan-file sweep's look-up

    def __str__(self) -> str:
        return self.original_name


class DossierEvent(models.Model):
    """One row of a dossier's history: who, when, from which status to which, and why."""

    dossier = models.ForeignKey(
        Dossier, verbose_name="hồ sơ", on_delete=models.CASCADE, related_name="events"
    )
    at = models.DateTimeField("thời điểm", db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người thực hiện",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_agency = models.ForeignKey(
        Agency, verbose_name="cơ quan", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField("hành động", max_length=40)
    from_status = models.CharField("từ trạng thái", max_length=30, choices=DossierStatus.choices, blank=True)
    to_status = models.CharField("sang trạng thái", max_length=30, choices=DossierStatus.choices)
    note = models.TextField("ghi chú", blank=True)  # for officers: internal workflow text
    # What the applicant sees of this event in their history; empty: only the change of status, if any.
    public_note = models.TextField("nội dung báo người nộp", blank=True)

    class Meta:
        verbose_name = "diễn biến hồ sơ"
        verbose_name_plural = "diễn biến hồ sơ"
        ordering = ["dossier", "at", "id"]

    def __str__(self) -> str:
        return f"{self.dossier} {self.at:%d/%m/%Y %H:%M} {self.get_to_status_display()}"


class SupplementRequest(models.Model):
    """Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ (form 02): everything missing, listed once, with the reason."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="supplement_requests")
    requested_at = models.DateTimeField("thời điểm yêu cầu")
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="cán bộ", on_delete=models.PROTECT, related_name="+"
    )
    items = models.JSONField("giấy tờ cần bổ sung", default=list)
    completed_at = models.DateTimeField("thời điểm bổ sung xong", null=True, blank=True)
    # Set when asked during appraisal: the step the dossier goes back to once the desk receives it again.
    resume_position = models.PositiveSmallIntegerField("quay lại bước", null=True, blank=True)

    class Meta:
        verbose_name = "yêu cầu bổ sung"
        verbose_name_plural = "yêu cầu bổ sung"
        ordering = ["dossier", "requested_at"]

    def __str__(self) -> str:
        return f"{self.dossier} – {self.requested_at:%d/%m/%Y}"


class DossierCodeSequence(models.Model):
    """The per-agency, per-day counter behind dossier codes (``‹agency›-YYMMDD-NNNN``)."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agency", "day"], name="dossier_sequence_unique")]

    def __str__(self) -> str:
        return f"{self.agency.code} {self.day}: {self.last}"


class Draft(models.Model):
    """A dossier being written online: the answers so far, the step reached, and the files uploaded."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="người soạn", on_delete=models.CASCADE, related_name="drafts"
    )
    procedure_version = models.ForeignKey(
        ProcedureVersion, verbose_name="thủ tục (phiên bản)", on_delete=models.CASCADE, related_name="+"
    )
    receiving_agency = models.ForeignKey(
        Agency, verbose_name="nơi nộp", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    data = models.JSONField("dữ liệu", default=dict)
    step = models.PositiveSmallIntegerField("bước", default=0)
    submission_key = models.UUIDField(default=uuid.uuid4, editable=False)
    updated_at = models.DateTimeField("cập nhật", auto_now=True)

    class Meta:
        verbose_name = "hồ sơ đang soạn"
        verbose_name_plural = "hồ sơ đang soạn"
        ordering = ["-updated_at"]

    def __str__(self) -> str:
        return f"{self.owner} – {self.procedure_version}"


class OutboxStatus(models.TextChoices):
    PENDING = "pending", "Chờ gửi"
    SENT = "sent", "Đã gửi"
    FAILED = "failed", "Không gửi được, đã ngừng thử"


class OutboxRow(models.Model):
    """Work owed after a commit (an e-mail), kept as a row: written in the transaction that makes it owed, sent
    by a task enqueued on commit, and enqueued again by the periodic sweep until it is sent or has failed
    ``EGOV_OUTBOX_MAX_ATTEMPTS`` times (``egov.dossiers.outbox``). ``claimed_*`` mark the attempt in flight."""

    status = models.CharField(
        "tình trạng gửi", max_length=10, choices=OutboxStatus.choices, default=OutboxStatus.PENDING
    )
    sent_at = models.DateTimeField("thời điểm gửi", null=True, blank=True)
    attempts = models.PositiveSmallIntegerField("số lần thử", default=0)
    last_error = models.CharField("lỗi lần gửi gần nhất", max_length=500, blank=True)
    next_attempt_at = models.DateTimeField("gửi (lại) từ", default=timezone.now)
    claimed_at = models.DateTimeField("đang gửi từ", null=True, blank=True)
    claimed_by = models.CharField("tác vụ đang gửi", max_length=64, blank=True)

    class Meta:
        abstract = True


class NotificationKind(models.TextChoices):
    """What a notification tells, and to whom: the applicant, or the officers of an agency. The one list; each
    kind has its e-mail template (``egov.dossiers.tasks``, or a composer a higher app registers)."""

    # To the applicant
    SUBMITTED = "submitted", "Đã nộp hồ sơ"
    RECEIVED = "received", "Đã tiếp nhận hồ sơ"
    SUPPLEMENT_REQUESTED = "supplement_requested", "Yêu cầu bổ sung hồ sơ"
    REFUSED = "refused", "Từ chối tiếp nhận"
    PAYMENT_REQUESTED = "payment_requested", "Yêu cầu thực hiện nghĩa vụ tài chính"
    APOLOGY = "apology", "Xin lỗi, hẹn lại ngày trả"
    STOPPED = "stopped", "Dừng xử lý"
    WITHDRAWN = "withdrawn", "Rút hồ sơ"
    DONE = "done", "Đã có kết quả"
    RETURNED = "returned", "Đã trả kết quả"
    # To officers
    CONSULTATION_REQUESTED = "consultation_requested", "Đề nghị cơ quan phối hợp cho ý kiến"
    CONSULTATION_REMINDER = "consultation_reminder", "Nhắc cơ quan phối hợp sắp đến hạn, quá hạn trả lời"
    CONSULTATION_OVERDUE = "consultation_overdue", "Báo người lấy ý kiến: cơ quan phối hợp quá hạn"
    SIGNATURE_REQUESTED = "signature_requested", "Đề nghị ký số kết quả (lãnh đạo, rồi văn thư)"


class NotificationChannel(models.TextChoices):
    EMAIL = "email", "Thư điện tử"
    SMS = "sms", "Tin nhắn SMS"


class Notification(OutboxRow):
    """An e-mail or a text message (SMS) owed to someone about a dossier: an outbox row, sent at most once per
    kind, occasion and recipient (an address, or a phone number for SMS)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField("loại thông báo", max_length=40, choices=NotificationKind.choices)
    channel = models.CharField(
        "kênh gửi", max_length=10, choices=NotificationChannel.choices, default=NotificationChannel.EMAIL
    )
    # What tells one occurrence of the kind from another on the same dossier: the supplement request's id, the
    # dossier's version at a second receipt, the consultation's id; empty for what happens once.
    occasion = models.CharField("lần", max_length=40, blank=True, default="")
    recipient = models.CharField("người nhận", max_length=254)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "thông báo"
        verbose_name_plural = "thông báo"
        constraints = [
            models.UniqueConstraint(
                fields=["dossier", "kind", "occasion", "recipient"], name="notification_once_per_occasion"
            )
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="notification_outbox_due",
                condition=models.Q(status="pending"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.dossier} {self.kind} → {self.recipient}"


class Notice(models.Model):
    """What the applicant reads in the portal (“Thông báo”) about their dossier: one row per kind and occasion
    of :class:`Notification`, written with it, whether or not they gave an e-mail address; read or not."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="người nhận", on_delete=models.CASCADE, related_name="notices"
    )
    dossier = models.ForeignKey(
        Dossier, verbose_name="hồ sơ", on_delete=models.CASCADE, related_name="notices"
    )
    kind = models.CharField("loại thông báo", max_length=40, choices=NotificationKind.choices)
    occasion = models.CharField("lần", max_length=40, blank=True, default="")
    title = models.CharField("nội dung", max_length=400)
    created_at = models.DateTimeField("thời điểm", default=timezone.now)
    read_at = models.DateTimeField("đã đọc lúc", null=True, blank=True)

    class Meta:
        verbose_name = "thông báo trên cổng"
        verbose_name_plural = "thông báo trên cổng"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["dossier", "kind", "occasion", "recipient"], name="notice_once_per_occasion"
            )
        ]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notice_inbox"),
            models.Index(
                fields=["recipient"], name="notice_unread", condition=models.Q(read_at__isnull=True)
            ),
        ]

    def __str__(self) -> str:
        return self.title


class TaskWorker(models.Model):
    """A task worker process (``manage.py db_worker``) as last seen. From its first task on, it reports every
    few seconds while it lives, so the sweep can take back the tasks of a worker that died
    (``egov.dossiers.task_reclaim``)."""

    worker_id = models.CharField("mã tiến trình", max_length=64, unique=True)
    host = models.CharField("máy", max_length=255, blank=True)
    pid = models.PositiveIntegerField("PID", null=True, blank=True)
    seen_at = models.DateTimeField("báo còn chạy lúc")

    class Meta:
        verbose_name = "tiến trình chạy tác vụ nền"
        verbose_name_plural = "tiến trình chạy tác vụ nền"

    def __str__(self) -> str:
        return f"{self.worker_id} ({self.host}:{self.pid})"


# --- Processing (giải quyết): internal processes as data, and each dossier's steps -------------------------


class StepKind(models.TextChoices):
    """The kinds of step of an internal process (quy trình nội bộ), in the order they usually come."""

    ASSIGN = "assign", "Phân công xử lý"
    APPRAISE = "appraise", "Thẩm định hồ sơ"
    REVIEW = "review", "Lãnh đạo phòng xem xét"
    APPROVE = "approve", "Lãnh đạo phê duyệt, ký"
    ISSUE = "issue", "Văn thư vào sổ, phát hành kết quả"
    RETURN = "return", "Trả kết quả cho người nộp"


class Verdict(models.TextChoices):
    EARLY = "early", "Trước hạn"
    ON_TIME = "on_time", "Đúng hạn"
    LATE = "late", "Quá hạn"


class DeadlineState(models.TextChoices):
    NONE = "", "—"
    ON_TRACK = "on_track", "Trong hạn"
    DUE_SOON = "due_soon", "Sắp đến hạn"
    OVERDUE = "overdue", "Quá hạn"


class DossierStep(models.Model):
    """A step of one dossier's processing, and a row of its control sheet (form 05): the hand-over to the
    agency and person doing it, its deadline, and when it was handed on — early, on time or late."""

    dossier = models.ForeignKey(  # served by the (dossier, position) index
        Dossier, on_delete=models.CASCADE, related_name="steps", db_index=False
    )
    position = models.PositiveSmallIntegerField("thứ tự")
    kind = models.CharField("loại bước", max_length=20, choices=StepKind.choices)
    name = models.CharField("tên bước", max_length=200)
    role = models.CharField("vai trò", max_length=30)
    agency = models.ForeignKey(Agency, verbose_name="cơ quan", on_delete=models.PROTECT, related_name="+")
    department = models.CharField("phòng/bộ phận", max_length=200, blank=True)
    allowed = models.DurationField("thời gian cho phép (giờ làm việc)")
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người xử lý",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    handed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người giao",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    started_at = models.DateTimeField("thời điểm nhận", null=True, blank=True)
    due_at = models.DateTimeField("hạn xử lý", null=True, blank=True)
    finished_at = models.DateTimeField("thời điểm chuyển tiếp", null=True, blank=True)
    finished_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người chuyển",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    verdict = models.CharField("kết quả", max_length=10, choices=Verdict.choices, blank=True)
    note = models.TextField("ghi chú", blank=True)
    round = models.PositiveSmallIntegerField("lượt", default=1)

    class Meta:
        verbose_name = "bước xử lý hồ sơ"
        verbose_name_plural = "các bước xử lý hồ sơ"
        ordering = ["dossier", "id"]
        indexes = [models.Index(fields=["dossier", "position"])]

    def __str__(self) -> str:
        return f"{self.dossier} – {self.name}"


class Consultation(models.Model):
    """Joint processing at one level (liên thông cùng cấp) or a request for opinion: another agency works on
    the dossier in parallel, with its own deadline; the lead agency's step waits for every answer."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="consultations")
    step = models.ForeignKey(DossierStep, on_delete=models.CASCADE, related_name="consultations")
    agency = models.ForeignKey(
        Agency, verbose_name="cơ quan phối hợp", on_delete=models.PROTECT, related_name="+"
    )
    question = models.TextField("nội dung lấy ý kiến", blank=True)
    requested_at = models.DateTimeField("thời điểm gửi")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    due_at = models.DateTimeField("hạn trả lời")
    answered_at = models.DateTimeField("thời điểm trả lời", null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answer = models.TextField("ý kiến", blank=True)
    agrees = models.BooleanField("thống nhất", null=True)
    verdict = models.CharField("kết quả", max_length=10, choices=Verdict.choices, blank=True)
    # The dossier left processing (stopped, withdrawn, refused, or its result was issued) before this agency
    # answered.
    cancelled_at = models.DateTimeField("thời điểm hủy", null=True, blank=True)
    # Set by the deadline sweep while the question waits for its answer (``egov.onestop.deadlines``).
    deadline_state = models.CharField(
        "tình trạng hạn", max_length=10, choices=DeadlineState.choices, blank=True, default=""
    )

    class Meta:
        verbose_name = "lấy ý kiến phối hợp"
        verbose_name_plural = "lấy ý kiến phối hợp"
        ordering = ["dossier", "requested_at", "id"]
        indexes = [
            models.Index(fields=["agency", "answered_at"]),
            # The consulted agency's worklist tab and the deadline sweep: the questions still waiting.
            models.Index(
                fields=["agency", "due_at"],
                name="consultation_open",
                condition=models.Q(answered_at__isnull=True, cancelled_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dossier} → {self.agency}"


class Apology(models.Model):
    """Phiếu xin lỗi và hẹn lại ngày trả kết quả (form 04): once per dossier, at least one working day before
    the deadline, by the agency causing the delay."""

    dossier = models.OneToOneField(Dossier, on_delete=models.CASCADE, related_name="apology")
    agency = models.ForeignKey(
        Agency, verbose_name="cơ quan gây chậm", on_delete=models.PROTECT, related_name="+"
    )
    officer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("thời điểm lập")
    reason = models.TextField("lý do chậm")
    previous_due_at = models.DateTimeField("hạn cũ")
    new_due_at = models.DateTimeField("hẹn lại")

    class Meta:
        verbose_name = "phiếu xin lỗi"
        verbose_name_plural = "phiếu xin lỗi"

    def __str__(self) -> str:
        return f"{self.dossier}: {self.new_due_at:%d/%m/%Y}"


def result_file_path(instance: DossierResult, filename: str) -> str:
    return f"results/{timezone.now():%Y/%m}/{uuid.uuid4().hex}/{filename}"


class ReturnMethod(models.TextChoices):
    ONLINE = "online", "Trực tuyến (tải về)"
    DESK = "desk", "Tại bộ phận một cửa"
    POST = "post", "Qua dịch vụ bưu chính"


class DossierResult(models.Model):
    """The result a citizen receives: generated from the procedure's template or uploaded, then returned."""

    dossier = models.OneToOneField(Dossier, on_delete=models.CASCADE, related_name="result")
    document_number = models.CharField("số, ký hiệu", max_length=60, blank=True)
    title = models.CharField("trích yếu", max_length=300)
    file = models.FileField("tệp kết quả", upload_to=result_file_path, max_length=300)
    sha256 = models.CharField(max_length=64)
    generated = models.BooleanField("tạo từ mẫu", default=False)
    issued_at = models.DateTimeField("ngày phát hành")
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    return_method = models.CharField("hình thức trả", max_length=10, choices=ReturnMethod.choices, blank=True)
    returned_at = models.DateTimeField("ngày trả", null=True, blank=True)
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    postal_tracking = models.CharField("mã bưu gửi", max_length=60, blank=True)

    class Meta:
        verbose_name = "kết quả giải quyết"
        verbose_name_plural = "kết quả giải quyết"
        indexes = [models.Index(fields=["file"], name="dossierresult_file")]

    def __str__(self) -> str:
        return f"{self.dossier}: {self.title}"
