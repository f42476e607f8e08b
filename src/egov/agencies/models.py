"""Agencies (cơ quan), their departments and their history."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from egov.core.models import TreeNode, ValidityPeriod, ValidityQuerySet
from egov.units.models import AdministrativeUnit, Reorganisation, SuccessionKind


class AgencyKind(models.Model):
    """UBND, sở/ban/ngành, phòng chuyên môn, trung tâm phục vụ hành chính công, … — data, not code."""

    code = models.SlugField("mã loại", max_length=40, unique=True)
    name = models.CharField("tên loại", max_length=120)

    class Meta:
        verbose_name = "loại cơ quan"
        verbose_name_plural = "loại cơ quan"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class AgencyQuerySet(ValidityQuerySet):
    def with_related(self) -> AgencyQuerySet:
        return self.select_related("kind", "unit", "parent")


class Agency(ValidityPeriod, TreeNode):
    code = models.CharField(
        "mã định danh",
        max_length=35,
        db_index=True,
        help_text="Mã định danh điện tử theo QĐ 20/2020/QĐ-TTg, ví dụ 000.00.06.H56.",
    )
    name = models.CharField("tên cơ quan", max_length=200)
    short_name = models.CharField("tên viết tắt", max_length=60, blank=True)
    kind = models.ForeignKey(
        AgencyKind, verbose_name="loại cơ quan", on_delete=models.PROTECT, related_name="agencies"
    )
    unit = models.ForeignKey(
        AdministrativeUnit, verbose_name="địa bàn", on_delete=models.PROTECT, related_name="agencies"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name="cơ quan cấp trên",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    has_one_stop_desk = models.BooleanField("có bộ phận một cửa", default=False)
    address = models.CharField("địa chỉ", max_length=300, blank=True)
    phone = models.CharField("điện thoại", max_length=20, blank=True)
    email = models.EmailField("thư điện tử", blank=True)
    website = models.URLField("trang thông tin", blank=True)

    objects = AgencyQuerySet.as_manager()

    class Meta:
        verbose_name = "cơ quan"
        verbose_name_plural = "cơ quan"
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(
                fields=["code"], condition=Q(valid_to__isnull=True), name="agency_code_unique_while_current"
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="agency_validity_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Department(models.Model):
    """A department inside an agency (phòng, ban thuộc sở; bộ phận)."""

    agency = models.ForeignKey(
        Agency, verbose_name="cơ quan", on_delete=models.CASCADE, related_name="departments"
    )
    name = models.CharField("tên phòng ban", max_length=200)
    code = models.CharField("mã", max_length=20, blank=True)
    is_active = models.BooleanField("đang hoạt động", default=True)

    class Meta:
        verbose_name = "phòng ban"
        verbose_name_plural = "phòng ban"
        ordering = ["agency", "name"]
        constraints = [models.UniqueConstraint(fields=["agency", "name"], name="department_name_unique")]

    def __str__(self) -> str:
        return f"{self.name} – {self.agency.short_name or self.agency.name}"


class AgencySuccession(models.Model):
    predecessor = models.ForeignKey(
        Agency, verbose_name="cơ quan cũ", on_delete=models.PROTECT, related_name="successor_links"
    )
    successor = models.ForeignKey(
        Agency, verbose_name="cơ quan mới", on_delete=models.PROTECT, related_name="predecessor_links"
    )
    reorganisation = models.ForeignKey(
        Reorganisation, verbose_name="đợt sắp xếp", on_delete=models.PROTECT, related_name="agency_links"
    )
    kind = models.CharField("hình thức", max_length=20, choices=SuccessionKind.choices)
    primary = models.BooleanField("cơ quan kế thừa chính", default=True)

    class Meta:
        verbose_name = "quan hệ kế thừa cơ quan"
        verbose_name_plural = "quan hệ kế thừa cơ quan"
        constraints = [
            models.UniqueConstraint(fields=["predecessor", "successor"], name="agency_succession_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.predecessor} → {self.successor}"


class Weekday(models.IntegerChoices):
    """Days of the week as Python numbers them (Monday = 0)."""

    MONDAY = 0, _("Thứ Hai")
    TUESDAY = 1, _("Thứ Ba")
    WEDNESDAY = 2, _("Thứ Tư")
    THURSDAY = 3, _("Thứ Năm")
    FRIDAY = 4, _("Thứ Sáu")
    SATURDAY = 5, _("Thứ Bảy")
    SUNDAY = 6, _("Chủ Nhật")


class OpeningHours(models.Model):
    """One period when an agency's one-stop desk receives the public, e.g. Monday 7:00–11:30. A day with two
    periods (morning and afternoon) has two rows; a day without rows is closed."""

    agency = models.ForeignKey(
        Agency, verbose_name="cơ quan", on_delete=models.CASCADE, related_name="opening_hours"
    )
    weekday = models.PositiveSmallIntegerField("ngày trong tuần", choices=Weekday.choices)
    opens = models.TimeField("từ giờ")
    closes = models.TimeField("đến giờ")

    class Meta:
        verbose_name = "giờ tiếp nhận hồ sơ"
        verbose_name_plural = "giờ tiếp nhận hồ sơ"
        ordering = ["agency", "weekday", "opens"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "weekday", "opens"], name="opening_hours_unique"),
            models.CheckConstraint(condition=Q(closes__gt=models.F("opens")), name="opening_hours_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"
