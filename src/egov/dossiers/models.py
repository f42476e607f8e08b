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
    receiving_agency = models.ForeignKey(
        Agency, verbose_name="cơ quan tiếp nhận", on_delete=models.PROTECT, related_name="received_dossiers"
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="tài khoản nộp",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="dossiers",
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

    class Meta:
        verbose_name = "hồ sơ"
        verbose_name_plural = "hồ sơ"
        ordering = ["-submitted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["applicant", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="dossier_idempotency_unique",
            )
        ]
        indexes = [models.Index(fields=["applicant", "-submitted_at"])]

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
    note = models.TextField("ghi chú", blank=True)

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


class Notification(models.Model):
    """An e-mail (or later SMS) owed to someone about a dossier. The task that sends it is idempotent:
    it sends only while ``sent_at`` is empty, and retries with back-off on failure."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField("loại thông báo", max_length=40)
    recipient = models.CharField("người nhận", max_length=254)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        verbose_name = "thông báo"
        verbose_name_plural = "thông báo"
        constraints = [models.UniqueConstraint(fields=["dossier", "kind"], name="notification_once_per_kind")]

    def __str__(self) -> str:
        return f"{self.dossier} {self.kind} → {self.recipient}"
