"""Administrative units (đơn vị hành chính) and their history, all as data (QĐ 124/2004/QĐ-TTg).

Levels, kinds and units are rows. A unit is never renamed, moved or merged in place: a reorganisation ends
the old row (``valid_to``) and starts new ones linked by :class:`UnitSuccession`, so anything filed with the
old unit keeps showing the old name and reports can roll history up into today's units.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from egov.core.models import TreeNode, ValidityPeriod, ValidityQuerySet


class AdministrativeLevel(ValidityPeriod):
    """A tier of local government: province, district, commune (the district tier ended on 30 June 2025)."""

    code = models.SlugField("mã cấp", max_length=20, unique=True)
    name = models.CharField("tên cấp", max_length=50)
    rank = models.PositiveSmallIntegerField("thứ bậc", help_text="1 là cấp cao nhất (tỉnh).")
    code_length = models.PositiveSmallIntegerField("số chữ số của mã đơn vị")

    objects = ValidityQuerySet.as_manager()

    class Meta:
        verbose_name = "cấp hành chính"
        verbose_name_plural = "cấp hành chính"
        ordering = ["rank"]

    def __str__(self) -> str:
        return self.name


class UnitKind(models.Model):
    """Tỉnh, thành phố trực thuộc trung ương, thành phố, thị xã, huyện, quận, xã, phường, thị trấn, đặc khu…"""

    code = models.SlugField("mã loại", max_length=40, unique=True)
    name = models.CharField(
        "tên loại", max_length=60, help_text="Như được viết ở đầu tên đơn vị, ví dụ “Thị xã”, “Phường”."
    )
    level = models.ForeignKey(
        AdministrativeLevel, verbose_name="cấp", on_delete=models.PROTECT, related_name="kinds"
    )

    class Meta:
        verbose_name = "loại đơn vị hành chính"
        verbose_name_plural = "loại đơn vị hành chính"
        ordering = ["level__rank", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.level.name})"


class UnitQuerySet(ValidityQuerySet):
    def with_kind(self) -> UnitQuerySet:
        return self.select_related("kind", "kind__level")


class AdministrativeUnit(ValidityPeriod, TreeNode):
    code = models.CharField(
        "mã đơn vị",
        max_length=10,
        db_index=True,
        help_text="Mã theo danh mục của Tổng cục Thống kê (QĐ 124/2004/QĐ-TTg).",
    )
    name = models.CharField("tên đơn vị", max_length=120, help_text="Tên đầy đủ, ví dụ “Huyện Lộc Ninh”.")
    kind = models.ForeignKey(UnitKind, verbose_name="loại", on_delete=models.PROTECT, related_name="units")
    parent = models.ForeignKey(
        "self",
        verbose_name="trực thuộc",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    source = models.CharField("nguồn dữ liệu", max_length=200, blank=True)

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = "đơn vị hành chính"
        verbose_name_plural = "đơn vị hành chính"
        ordering = ["code", "valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["code"], condition=Q(valid_to__isnull=True), name="unit_code_unique_while_current"
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="unit_validity_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def level(self) -> AdministrativeLevel:
        return self.kind.level

    @property
    def name_in_sentence(self) -> str:
        """“Tỉnh Bình Phước” → “tỉnh Bình Phước”, as the name is written inside a sentence."""
        prefix = self.kind.name
        if self.name.startswith(prefix + " "):
            return prefix.lower() + self.name[len(prefix) :]
        return self.name

    def clean(self) -> None:
        validate_unit_row(self)


class Reorganisation(models.Model):
    """One decision that merges, splits, renames or abolishes units and moves agencies."""

    name = models.CharField("tên đợt sắp xếp", max_length=300)
    legal_basis = models.CharField("căn cứ pháp lý", max_length=500, blank=True)
    effective_date = models.DateField("ngày có hiệu lực")
    applied_at = models.DateTimeField("thời điểm áp dụng", auto_now_add=True)
    key = models.SlugField(
        "mã đợt", max_length=80, unique=True, help_text="Dùng để không áp dụng cùng một đợt hai lần."
    )

    class Meta:
        verbose_name = "đợt sắp xếp đơn vị"
        verbose_name_plural = "đợt sắp xếp đơn vị"
        ordering = ["-effective_date"]

    def __str__(self) -> str:
        return self.name


class SuccessionKind(models.TextChoices):
    MERGE = "merge", "Nhập"
    SPLIT = "split", "Chia tách"
    RENAME = "rename", "Đổi tên"
    TRANSFER = "transfer", "Điều chỉnh trực thuộc"
    ABOLISH = "abolish", "Giải thể / chuyển giao"


class UnitSuccession(models.Model):
    predecessor = models.ForeignKey(
        AdministrativeUnit, verbose_name="đơn vị cũ", on_delete=models.PROTECT, related_name="successor_links"
    )
    successor = models.ForeignKey(
        AdministrativeUnit,
        verbose_name="đơn vị mới",
        on_delete=models.PROTECT,
        related_name="predecessor_links",
    )
    reorganisation = models.ForeignKey(
        Reorganisation, verbose_name="đợt sắp xếp", on_delete=models.PROTECT, related_name="unit_links"
    )
    kind = models.CharField("hình thức", max_length=20, choices=SuccessionKind.choices)
    primary = models.BooleanField(
        "đơn vị kế thừa chính",
        default=True,
        help_text="Khi chia tách, báo cáo dồn số liệu về đơn vị kế thừa chính.",
    )
    note = models.CharField("ghi chú", max_length=300, blank=True)

    class Meta:
        verbose_name = "quan hệ kế thừa đơn vị"
        verbose_name_plural = "quan hệ kế thừa đơn vị"
        constraints = [
            models.UniqueConstraint(fields=["predecessor", "successor"], name="unit_succession_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.predecessor} → {self.successor}"


def validate_unit_row(unit: AdministrativeUnit) -> None:
    """Row-level invariants of a unit, in Vietnamese (used by the admin forms and by the services)."""
    from django.core.exceptions import ValidationError

    errors: dict[str, str] = {}
    level = unit.kind.level if unit.kind_id else None
    if not unit.code.isdigit():
        errors["code"] = "Mã đơn vị hành chính chỉ gồm chữ số."
    elif level is not None and len(unit.code) != level.code_length:
        errors["code"] = f"Mã đơn vị {level.name.lower()} phải gồm {level.code_length} chữ số."
    if not unit.name.strip():
        errors["name"] = "Tên đơn vị không được để trống."
    if unit.parent_id and level is not None:
        parent_level = unit.parent.kind.level  # type: ignore[union-attr]
        if parent_level.rank >= level.rank:
            errors["parent"] = (
                f"{unit.parent} ({parent_level.name.lower()}) không thể là cấp trên của đơn vị "
                f"{level.name.lower()}."
            )
    if unit.valid_to and unit.valid_from and unit.valid_to < unit.valid_from:
        errors["valid_to"] = "Ngày hết hiệu lực phải sau ngày bắt đầu hiệu lực."
    if errors:
        raise ValidationError(errors)
