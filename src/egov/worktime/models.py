"""Days the province declares different from the national calendar: extra days off and make-up working days
(“nghỉ bù”, “làm bù”). National holidays, lunar Tết included, come from the ``holidays`` package."""

from __future__ import annotations

from django.db import models


class CalendarException(models.Model):
    class Kind(models.TextChoices):
        DAY_OFF = "day_off", "Ngày nghỉ"
        WORKING_DAY = "working_day", "Ngày làm việc (làm bù)"

    day = models.DateField("ngày", unique=True)
    kind = models.CharField("loại", max_length=20, choices=Kind.choices)
    name = models.CharField("tên", max_length=200)
    legal_basis = models.CharField("căn cứ", max_length=300, blank=True)

    class Meta:
        verbose_name = "ngày nghỉ, làm bù của tỉnh"
        verbose_name_plural = "ngày nghỉ, làm bù của tỉnh"
        ordering = ["-day"]

    def __str__(self) -> str:
        return f"{self.day:%d/%m/%Y} – {self.name} ({self.get_kind_display()})"
