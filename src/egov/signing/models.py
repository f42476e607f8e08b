"""Digital signatures: trusted roots, signing certificates and their keys, signature images, documents waiting
for signatures, and the record of every signature made."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from egov.agencies.models import Agency


class Level(models.TextChoices):
    """PAdES baseline levels (ETSI EN 319 142-1)."""

    B_B = "B-B", "PAdES B-B (chữ ký cơ bản)"
    B_T = "B-T", "PAdES B-T (có dấu thời gian)"
    B_LT = "B-LT", "PAdES B-LT (dấu thời gian và dữ liệu kiểm tra dài hạn)"
    B_LTA = "B-LTA", "PAdES B-LTA (lưu trữ dài hạn)"


class Purpose(models.TextChoices):
    PERSONAL = "personal", "Chữ ký số của người có thẩm quyền"
    AGENCY = "agency", "Chữ ký số của cơ quan, tổ chức"


class TrustedRoot(models.Model):
    """A root certificate the platform trusts (loaded by an administrator, e.g. the national root CA)."""

    name = models.CharField("tên", max_length=200)
    certificate_pem = models.TextField("chứng thư số (PEM)")
    fingerprint = models.CharField("dấu vân tay SHA-256", max_length=64, unique=True)
    subject = models.CharField("chủ thể", max_length=500)
    not_after = models.DateTimeField("hết hạn")
    is_active = models.BooleanField("đang tin cậy", default=True)
    added_at = models.DateTimeField("ngày thêm", auto_now_add=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="người thêm", null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        verbose_name = "chứng thư gốc tin cậy"
        verbose_name_plural = "chứng thư gốc tin cậy"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CertificateAuthority(models.Model):
    """A certificate authority the platform runs itself (the demo PKI): it publishes the CRL of what it issued.

    The private key is kept as encrypted PEM (password from ``EGOV_SIGNING_KEY_SECRET``)."""

    slug = models.SlugField("mã", max_length=60, unique=True)
    name = models.CharField("tên", max_length=200)
    certificate_pem = models.TextField("chứng thư số (PEM)")
    private_key_pem = models.TextField("khóa bí mật (PEM, mã hóa)")
    crl_url = models.URLField("địa chỉ CRL", max_length=300)
    crl_number = models.PositiveIntegerField("số CRL", default=1)

    class Meta:
        verbose_name = "tổ chức cấp chứng thư nội bộ"
        verbose_name_plural = "tổ chức cấp chứng thư nội bộ"

    def __str__(self) -> str:
        return self.name


class Revocation(models.Model):
    authority = models.ForeignKey(
        CertificateAuthority, verbose_name="tổ chức cấp", on_delete=models.CASCADE, related_name="revocations"
    )
    serial_number = models.CharField("số hiệu (hex)", max_length=64)
    revoked_at = models.DateTimeField("thời điểm thu hồi")
    reason = models.CharField("lý do", max_length=200, blank=True)

    class Meta:
        verbose_name = "chứng thư bị thu hồi"
        verbose_name_plural = "chứng thư bị thu hồi"
        constraints = [
            models.UniqueConstraint(fields=["authority", "serial_number"], name="revocation_unique_serial")
        ]

    def __str__(self) -> str:
        return f"{self.serial_number} ({self.authority})"


class SigningCertificate(models.Model):
    """A certificate an official or an agency signs with, and where its private key lives (``backend``).

    The key never leaves its backend: ``key_blob`` is the encrypted PKCS#12 file of the ``pkcs12`` backend and
    stays empty for a token (``pkcs11``, located by ``backend_config``)."""

    purpose = models.CharField("loại chữ ký", max_length=20, choices=Purpose.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người ký",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="signing_certificates",
    )
    agency = models.ForeignKey(
        Agency, verbose_name="cơ quan", on_delete=models.PROTECT, related_name="signing_certificates"
    )
    certificate_pem = models.TextField("chứng thư số (PEM)")
    chain_pem = models.TextField("chứng thư trung gian (PEM)", blank=True)
    subject = models.CharField("chủ thể", max_length=500)
    issuer = models.CharField("tổ chức cấp", max_length=500)
    serial_number = models.CharField("số hiệu (hex)", max_length=64)
    fingerprint = models.CharField("dấu vân tay SHA-256", max_length=64, unique=True)
    not_before = models.DateTimeField("hiệu lực từ")
    not_after = models.DateTimeField("hiệu lực đến")
    backend = models.CharField("nơi giữ khóa", max_length=30)
    backend_config = models.JSONField("cấu hình nơi giữ khóa", default=dict, blank=True)
    key_blob = models.BinaryField("tệp khóa mã hóa", blank=True, default=b"", editable=False)
    pin_required = models.BooleanField("cần mã PIN khi ký", default=True)
    is_active = models.BooleanField("đang dùng", default=True)
    registered_at = models.DateTimeField("ngày đăng ký", auto_now_add=True)

    class Meta:
        verbose_name = "chứng thư số dùng để ký"
        verbose_name_plural = "chứng thư số dùng để ký"
        ordering = ["agency", "purpose", "-not_after"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(purpose="personal") & Q(user__isnull=False))
                | (Q(purpose="agency") & Q(user__isnull=True)),
                name="signing_certificate_owner_matches_purpose",
            )
        ]

    def __str__(self) -> str:
        return self.subject


class SignatureImage(models.Model):
    """The image shown in a signature's appearance: an official's handwritten signature (blue, transparent
    PNG) with their position, or an agency's seal (red)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name="người ký",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="signature_image",
    )
    agency = models.OneToOneField(
        Agency,
        verbose_name="cơ quan",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="seal_image",
    )
    png = models.BinaryField("ảnh PNG", editable=False)
    position = models.CharField(
        "chức vụ thể hiện",
        max_length=100,
        blank=True,
        help_text="Ví dụ: CHỦ TỊCH, KT. GIÁM ĐỐC / PHÓ GIÁM ĐỐC.",
    )
    updated_at = models.DateTimeField("cập nhật", auto_now=True)

    class Meta:
        verbose_name = "ảnh chữ ký, con dấu"
        verbose_name_plural = "ảnh chữ ký, con dấu"
        constraints = [
            models.CheckConstraint(
                condition=(Q(user__isnull=False) & Q(agency__isnull=True))
                | (Q(user__isnull=True) & Q(agency__isnull=False)),
                name="signature_image_one_owner",
            )
        ]

    def __str__(self) -> str:
        return str(self.user or self.agency)


class SignatureRequest(models.Model):
    """A document (any PDF in the file storage) that an agency must sign: the leader signs it personally, then
    the clerk applies the agency's signature and the document is released. Other apps link their own rows
    through ``source_type``/``source_id`` (e.g. ``dossiers.dossier`` / its id)."""

    class Status(models.TextChoices):
        AWAITING_LEADER = "awaiting_leader", "Chờ lãnh đạo ký"
        AWAITING_SEAL = "awaiting_seal", "Chờ văn thư ký số cơ quan"
        RELEASED = "released", "Đã ký xong, đã phát hành"
        CANCELLED = "cancelled", "Đã hủy"

    agency = models.ForeignKey(
        Agency, verbose_name="cơ quan ký", on_delete=models.PROTECT, related_name="signature_requests"
    )
    title = models.CharField("trích yếu", max_length=500)
    number_notation = models.CharField("số, ký hiệu", max_length=60, blank=True)
    source_type = models.CharField("loại đối tượng nguồn", max_length=100, blank=True)
    source_id = models.CharField("mã đối tượng nguồn", max_length=64, blank=True)
    original_path = models.CharField("tệp gốc", max_length=500)
    original_sha256 = models.CharField("SHA-256 tệp gốc", max_length=64)
    current_path = models.CharField("tệp hiện tại", max_length=500)
    current_sha256 = models.CharField("SHA-256 tệp hiện tại", max_length=64)
    status = models.CharField(
        "trạng thái", max_length=20, choices=Status.choices, default=Status.AWAITING_LEADER, db_index=True
    )
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="lãnh đạo ký",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Để trống: bất kỳ lãnh đạo nào của cơ quan.",
    )
    placement = models.JSONField("vị trí chữ ký", default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người tạo",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("ngày tạo", auto_now_add=True)
    updated_at = models.DateTimeField("cập nhật", auto_now=True)
    released_at = models.DateTimeField("ngày phát hành", null=True, blank=True)
    last_error = models.CharField("lỗi lần ký gần nhất", max_length=500, blank=True)

    class Meta:
        verbose_name = "yêu cầu ký số"
        verbose_name_plural = "yêu cầu ký số"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["agency", "status"]),
            models.Index(fields=["source_type", "source_id"]),
        ]

    def __str__(self) -> str:
        return self.title


class SignatureRecord(models.Model):
    """One signature the platform made: who, on which document (hashes), with which certificate, when, level."""

    request = models.ForeignKey(
        SignatureRequest,
        verbose_name="yêu cầu ký",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="signatures",
    )
    purpose = models.CharField("loại chữ ký", max_length=20, choices=Purpose.choices)
    certificate = models.ForeignKey(
        SigningCertificate, verbose_name="chứng thư số", on_delete=models.PROTECT, related_name="signatures"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người thực hiện",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    level = models.CharField("mức PAdES", max_length=10, choices=Level.choices)
    field_name = models.CharField("tên trường chữ ký", max_length=100)
    input_sha256 = models.CharField("SHA-256 trước khi ký", max_length=64, db_index=True)
    output_sha256 = models.CharField("SHA-256 sau khi ký", max_length=64, db_index=True)
    output_path = models.CharField("tệp đã ký", max_length=500, blank=True)
    signed_at = models.DateTimeField("thời điểm ký")
    timestamp_at = models.DateTimeField("dấu thời gian", null=True, blank=True)

    class Meta:
        verbose_name = "chữ ký đã thực hiện"
        verbose_name_plural = "chữ ký đã thực hiện"
        ordering = ["-signed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.field_name} {self.output_sha256[:12]}"


class SigningBatch(models.Model):
    """A leader's or clerk's batch signing run, with its progress (read by the page while it runs)."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="người ký", on_delete=models.PROTECT, related_name="+"
    )
    purpose = models.CharField("loại chữ ký", max_length=20, choices=Purpose.choices)
    total = models.PositiveIntegerField("tổng số", default=0)
    done = models.PositiveIntegerField("đã ký", default=0)
    failed = models.PositiveIntegerField("lỗi", default=0)
    started_at = models.DateTimeField("bắt đầu", auto_now_add=True)
    finished_at = models.DateTimeField("kết thúc", null=True, blank=True)

    class Meta:
        verbose_name = "lượt ký hàng loạt"
        verbose_name_plural = "lượt ký hàng loạt"

    def __str__(self) -> str:
        return f"{self.actor} {self.done}/{self.total}"


class TimeStampingUnit(models.Model):
    """The platform's own time-stamping authority (RFC 3161), served at ``/chu-ky-so/tsa`` (the demo's TSA).

    Used in-process when ``EGOV_SIGNING_TSA_URL=internal``; other systems reach it over HTTP."""

    name = models.CharField("tên", max_length=200)
    certificate_pem = models.TextField("chứng thư số (PEM)")
    chain_pem = models.TextField("chứng thư trung gian (PEM)", blank=True)
    private_key_pem = models.TextField("khóa bí mật (PEM, mã hóa)")
    policy_oid = models.CharField("mã chính sách (OID)", max_length=100, default="1.3.6.1.4.1.55555.70.1")
    is_active = models.BooleanField("đang dùng", default=True)

    class Meta:
        verbose_name = "đơn vị cấp dấu thời gian"
        verbose_name_plural = "đơn vị cấp dấu thời gian"

    def __str__(self) -> str:
        return self.name
