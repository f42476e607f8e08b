"""The back office's own data: internal processes of agencies (as data), forms as issued, the daily
deadline digests. Tables keep the names they had under ``dossiers`` (moved in state only)."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone

from egov.agencies.models import Agency
from egov.dossiers.models import Dossier, OutboxRow, StepKind


class StepTimeUnit(models.TextChoices):
    WORKING_HOURS = "working_hours", "giờ làm việc"
    WORKING_DAYS = "working_days", "ngày làm việc"
    PERCENT = "percent", "% thời hạn giải quyết"


class ProcessDefinition(models.Model):
    """An internal process: for one procedure, or the default for procedures decided at one level."""

    code = models.SlugField("mã quy trình", max_length=60, unique=True)
    name = models.CharField("tên quy trình", max_length=300)
    procedure = models.ForeignKey(
        "catalog.Procedure",
        verbose_name="thủ tục",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="processes",
        help_text="Để trống: quy trình mặc định cho các thủ tục giải quyết ở cấp đã chọn.",
    )
    level = models.CharField(
        "cấp giải quyết (quy trình mặc định)",
        max_length=20,
        blank=True,
        help_text="commune, district hoặc province; chỉ dùng cho quy trình mặc định.",
    )
    is_active = models.BooleanField("đang áp dụng", default=True)

    class Meta:
        db_table = "dossiers_processdefinition"
        verbose_name = "quy trình nội bộ"
        verbose_name_plural = "quy trình nội bộ"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class ProcessStep(models.Model):
    """One step of an internal process: what is done, by which role, in which agency, in how much time.

    ``agency`` says where the step happens, relative to the desk that received the dossier:
    ``desk`` (the receiving agency), ``deciding`` (the agency the procedure's structured catalogue fields
    name, :func:`egov.onestop.processes.deciding_agency_for`), ``ubnd:commune`` / ``ubnd:district`` /
    ``ubnd:province`` (the People's Committee of that level above the desk), or ``code:<mã định danh>`` (one agency; reorganised agencies are
    followed to their successor). ``/<tên>`` after it picks a child agency whose name starts with that text,
    e.g. ``ubnd:district/Phòng Tư pháp``. ``consult`` lists agencies consulted in parallel during the step
    (same rule syntax, separated by ``;``), each with the step's time as its deadline.
    """

    process = models.ForeignKey(ProcessDefinition, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField("thứ tự")
    kind = models.CharField("loại bước", max_length=20, choices=StepKind.choices)
    name = models.CharField("tên bước", max_length=200, blank=True)
    role = models.CharField("vai trò thực hiện", max_length=30)
    agency = models.CharField("cơ quan thực hiện", max_length=200, default="desk")
    department = models.CharField("phòng/bộ phận", max_length=200, blank=True)
    duration = models.DecimalField("thời gian", max_digits=6, decimal_places=2)
    time_unit = models.CharField(
        "đơn vị thời gian", max_length=20, choices=StepTimeUnit.choices, default=StepTimeUnit.PERCENT
    )
    consult = models.CharField("lấy ý kiến song song", max_length=500, blank=True)

    class Meta:
        db_table = "dossiers_processstep"
        verbose_name = "bước xử lý"
        verbose_name_plural = "các bước xử lý"
        ordering = ["process", "position"]
        constraints = [
            models.UniqueConstraint(fields=["process", "position"], name="process_step_position_unique")
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.name or self.get_kind_display()}"


class DeadlineDigest(OutboxRow):
    """One e-mail a day per agency about its due-soon and overdue dossiers and the other agencies' questions it
    has left unanswered past their date (the sweep's idempotency key), an outbox row like a notification."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    due_soon = models.PositiveIntegerField(default=0)
    overdue = models.PositiveIntegerField(default=0)
    consultations_overdue = models.PositiveIntegerField("ý kiến phối hợp quá hạn", default=0)

    class Meta:
        db_table = "dossiers_deadlinedigest"
        verbose_name = "thư tổng hợp hạn xử lý"
        verbose_name_plural = "thư tổng hợp hạn xử lý"
        constraints = [models.UniqueConstraint(fields=["agency", "day"], name="deadline_digest_once_a_day")]

    def __str__(self) -> str:
        return f"{self.agency} {self.day}"


def issued_form_path(instance: IssuedForm, filename: str) -> str:
    return f"forms/{timezone.now():%Y/%m}/{uuid.uuid4().hex}/{filename}"


class IssuedForm(models.Model):
    """A one-stop form (01–05, stop notice) as issued: rendered once for the state it describes and signed by
    the issuing agency when the agency has a certificate, then served as stored."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="issued_forms")
    form = models.CharField("mẫu", max_length=10)
    key = models.CharField("phiên bản nội dung", max_length=80)
    agency = models.ForeignKey(
        Agency, verbose_name="cơ quan ban hành", on_delete=models.PROTECT, related_name="+"
    )
    file = models.FileField("tệp", upload_to=issued_form_path, max_length=300)
    sha256 = models.CharField(max_length=64)
    signed = models.BooleanField("đã ký số", default=False)
    created_at = models.DateTimeField("thời điểm ban hành", auto_now_add=True)

    class Meta:
        db_table = "dossiers_issuedform"
        verbose_name = "phiếu đã ban hành"
        verbose_name_plural = "phiếu đã ban hành"
        constraints = [
            models.UniqueConstraint(fields=["dossier", "form", "key"], name="issued_form_once_per_state")
        ]
        indexes = [models.Index(fields=["file"], name="issuedform_file")]

    def __str__(self) -> str:
        return f"{self.dossier} mẫu {self.form}"
