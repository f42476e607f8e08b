"""The procedure catalogue (danh mục thủ tục hành chính), versioned.

A :class:`Procedure` is the stable identity (its national code). What a procedure says — name, time limit,
fees, components, its online form — lives in a :class:`ProcedureVersion`. A published version is never edited:
revising it creates the next version (``egov.catalog.services.revise_procedure``) and a dossier keeps the
version it was filed under.

Who decides a procedure is structured (the published wording stays in ``deciding_agency`` for people to read):
``deciding_level`` (the tier whose authority decides; empty: the tier of the desk that received the dossier, for
procedures each tier carries out itself), ``deciding_organ`` (one named agency, e.g. a provincial department,
followed to its successor after a reorganisation) or else the People's Committee of that tier above the desk,
and ``deciding_office`` (the office under that agency that handles it, by the start of its name).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import get_language

from egov.agencies.models import Agency
from egov.units.models import AdministrativeLevel


class Sector(models.Model):
    """Lĩnh vực, e.g. “Hộ tịch”, with its code (``MX1X2-LV`` form, e.g. ``G03-GD10``)."""

    code = models.CharField("mã lĩnh vực", max_length=30, unique=True)
    name = models.CharField("tên lĩnh vực", max_length=200)

    class Meta:
        verbose_name = "lĩnh vực"
        verbose_name_plural = "lĩnh vực"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Procedure(models.Model):
    national_code = models.CharField(
        "mã thủ tục", max_length=40, unique=True, help_text="Mã trên Cơ sở dữ liệu quốc gia, ví dụ 1.001193."
    )
    created_at = models.DateTimeField("ngày tạo", auto_now_add=True)

    class Meta:
        verbose_name = "thủ tục hành chính"
        verbose_name_plural = "thủ tục hành chính"
        ordering = ["national_code"]

    def __str__(self) -> str:
        return self.national_code


class OnlineLevel(models.TextChoices):
    """NĐ 42/2022: full online (toàn trình), partial (một phần), or information only."""

    FULL = "full", "Toàn trình"
    PARTIAL = "partial", "Một phần"
    NONE = "none", "Chưa trực tuyến"


class TimeUnit(models.TextChoices):
    WORKING_DAYS = "working_days", "ngày làm việc"
    WORKING_HOURS = "working_hours", "giờ làm việc"


class VersionStatus(models.TextChoices):
    DRAFT = "draft", "Dự thảo"
    PUBLISHED = "published", "Đang áp dụng"
    SUPERSEDED = "superseded", "Đã thay thế"


class ProcedureVersion(models.Model):
    procedure = models.ForeignKey(
        Procedure, verbose_name="thủ tục", on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveIntegerField("phiên bản")
    status = models.CharField(
        "trạng thái", max_length=20, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    name = models.CharField("tên thủ tục", max_length=500)
    name_en = models.CharField(
        "tên thủ tục (tiếng Anh)",
        max_length=500,
        blank=True,
        help_text="Hiển thị cho người xem cổng bằng tiếng Anh; để trống thì hiển thị tên tiếng Việt.",
    )
    sector = models.ForeignKey(
        Sector, verbose_name="lĩnh vực", on_delete=models.PROTECT, related_name="versions"
    )
    levels = models.ManyToManyField(AdministrativeLevel, verbose_name="cấp thực hiện", related_name="+")
    receiving_agency = models.CharField("cơ quan tiếp nhận", max_length=300)
    deciding_agency = models.CharField(
        "cơ quan có thẩm quyền quyết định",
        max_length=300,
        help_text="Như được công bố, để người dân đọc. Hồ sơ được chuyển theo ba mục “cấp, cơ quan, phòng "
        "chuyên môn giải quyết” dưới đây.",
    )
    deciding_level = models.ForeignKey(
        AdministrativeLevel,
        verbose_name="cấp giải quyết",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Cấp có thẩm quyền quyết định. Để trống: cấp của bộ phận một cửa tiếp nhận hồ sơ (thủ tục "
        "mỗi cấp thực hiện tự giải quyết, ví dụ chứng thực ở cấp xã và cấp huyện).",
    )
    deciding_organ = models.ForeignKey(
        Agency,
        verbose_name="cơ quan giải quyết",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Một cơ quan cụ thể có thẩm quyền (thường là sở, ngành cấp tỉnh); cơ quan đã được sắp xếp "
        "thì cơ quan kế thừa giải quyết. Để trống: Ủy ban nhân dân của cấp giải quyết nơi tiếp nhận hồ sơ.",
    )
    deciding_office = models.CharField(
        "phòng chuyên môn giải quyết",
        max_length=200,
        blank=True,
        help_text="Đơn vị trực thuộc cơ quan giải quyết mà tên bắt đầu bằng chữ này, ví dụ “Phòng Tư pháp”; "
        "cơ quan không có đơn vị như vậy (xã với thủ tục cả xã và huyện cùng làm) thì chính cơ quan giải quyết.",
    )
    processing_time = models.DecimalField("thời hạn giải quyết", max_digits=6, decimal_places=1)
    processing_time_unit = models.CharField(
        "đơn vị thời hạn", max_length=20, choices=TimeUnit.choices, default=TimeUnit.WORKING_DAYS
    )
    processing_time_note = models.CharField("ghi chú thời hạn", max_length=500, blank=True)
    fee_amount = models.PositiveIntegerField("lệ phí, phí (đồng)", default=0)
    fee_note = models.TextField("phí, lệ phí", blank=True, help_text="Mức thu, đối tượng miễn giảm.")
    steps = models.TextField("trình tự thực hiện", blank=True)
    conditions = models.TextField("yêu cầu, điều kiện", blank=True)
    legal_basis = models.TextField("căn cứ pháp lý")
    result = models.CharField("kết quả thực hiện", max_length=500)
    online_level = models.CharField(
        "mức độ trực tuyến", max_length=10, choices=OnlineLevel.choices, default=OnlineLevel.NONE
    )
    form_definition = models.JSONField("biểu mẫu điện tử", default=dict, blank=True)
    published_on = models.DateField("ngày công bố", null=True, blank=True)
    effective_from = models.DateField("ngày có hiệu lực", null=True, blank=True)
    search_text = models.TextField("chuỗi tìm kiếm", editable=False, default="")
    created_at = models.DateTimeField("ngày tạo", auto_now_add=True)

    class Meta:
        verbose_name = "phiên bản thủ tục"
        verbose_name_plural = "phiên bản thủ tục"
        ordering = ["procedure", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["procedure", "number"], name="procedure_version_number_unique"),
            models.UniqueConstraint(
                fields=["procedure"],
                condition=Q(status="published"),
                name="one_published_version_per_procedure",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} (v{self.number})"

    @property
    def display_name(self) -> str:
        """The name in the visitor's language: the English name when English is chosen and one is filled."""
        return self.name_en if self.name_en and get_language() == "en" else self.name

    @property
    def code(self) -> str:
        return self.procedure.national_code

    def deciding_level_code(self, receiving_level: str) -> str:
        """The tier that decides a dossier received at a desk of the tier ``receiving_level``."""
        return self.deciding_level.code if self.deciding_level is not None else receiving_level

    @property
    def accepts_online(self) -> bool:
        return self.online_level != OnlineLevel.NONE and bool(self.form_definition.get("steps"))


class Component(models.Model):
    """Thành phần hồ sơ: one paper the applicant provides, and its upload slot in the online form."""

    version = models.ForeignKey(
        ProcedureVersion,
        verbose_name="phiên bản thủ tục",
        on_delete=models.CASCADE,
        related_name="components",
    )
    key = models.SlugField("mã ô tải lên", max_length=60)
    order = models.PositiveSmallIntegerField("thứ tự", default=0)
    name = models.CharField("tên giấy tờ", max_length=500)
    originals = models.PositiveSmallIntegerField("số bản chính", default=0)
    certified_copies = models.PositiveSmallIntegerField("số bản sao chứng thực", default=0)
    photocopies = models.PositiveSmallIntegerField("số bản photo", default=0)
    required = models.BooleanField("bắt buộc", default=True)
    condition = models.CharField(
        "điều kiện",
        max_length=300,
        blank=True,
        help_text="Khi nào phải nộp, nếu không bắt buộc với mọi người.",
    )
    show_if = models.JSONField(
        "điều kiện hiển thị",
        default=dict,
        blank=True,
        help_text='Ví dụ {"field": "uy_quyen", "equals": true}.',
    )
    template = models.FileField("mẫu đơn, tờ khai", upload_to="catalog/templates/", blank=True)

    class Meta:
        verbose_name = "thành phần hồ sơ"
        verbose_name_plural = "thành phần hồ sơ"
        ordering = ["version", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["version", "key"], name="component_key_unique")]

    def __str__(self) -> str:
        return self.name


class SearchTerm(models.Model):
    """A word or phrase citizens type when searching, added by the province's catalogue administrator on top
    of the platform's vocabulary (``data/search-vocabulary.json``): with ``means``, a colloquial name read as
    the catalogue's wording (“sổ hồng” → “giấy chứng nhận quyền sử dụng đất”); without, everyday phrasing
    that a procedure need not contain (“giúp em”). A term here replaces the file's term for the same words."""

    said = models.CharField(
        "người dân gõ",
        max_length=200,
        unique=True,
        help_text="Không phân biệt dấu, hoa thường; ví dụ “sổ hồng”.",
    )
    means = models.CharField(
        "cách gọi trong danh mục",
        max_length=200,
        blank=True,
        help_text="Ví dụ “giấy chứng nhận quyền sử dụng đất”. Để trống: từ thông thường, tên thủ tục không cần có.",
    )
    updated_at = models.DateTimeField("cập nhật", auto_now=True)

    class Meta:
        verbose_name = "từ tìm kiếm"
        verbose_name_plural = "từ tìm kiếm của người dân"
        ordering = ["said"]

    def __str__(self) -> str:
        return f"{self.said} → {self.means}" if self.means else self.said


class ProcedureQuestion(models.Model):
    """A frequently asked question about one procedure, shown on its page. It belongs to the procedure, not to
    a version: a new version keeps its questions."""

    procedure = models.ForeignKey(
        Procedure, verbose_name="thủ tục", on_delete=models.CASCADE, related_name="questions"
    )
    position = models.PositiveSmallIntegerField("thứ tự", default=0)
    question = models.CharField("câu hỏi", max_length=300)
    answer = models.TextField("trả lời", help_text="Mỗi đoạn cách nhau một dòng trống.")
    question_en = models.CharField("câu hỏi (tiếng Anh)", max_length=300, blank=True)
    answer_en = models.TextField("trả lời (tiếng Anh)", blank=True)

    class Meta:
        verbose_name = "câu hỏi thường gặp về thủ tục"
        verbose_name_plural = "câu hỏi thường gặp về thủ tục"
        ordering = ["procedure", "position", "id"]

    def __str__(self) -> str:
        return self.question
