"""Shapes shared by the reference data of several apps."""

from __future__ import annotations

import datetime as dt
from typing import Self

from django.db import models
from django.db.models import Q
from django.utils import timezone


class ValidityQuerySet(models.QuerySet):
    def valid_on(self, day: dt.date) -> Self:
        return self.filter(Q(valid_from__lte=day), Q(valid_to__isnull=True) | Q(valid_to__gte=day))

    def current(self) -> Self:
        return self.filter(valid_to__isnull=True)


class ValidityPeriod(models.Model):
    """A row that is true for a period: units and agencies are never renamed in place, they are succeeded."""

    valid_from = models.DateField("hiệu lực từ ngày")
    valid_to = models.DateField(
        "hết hiệu lực từ ngày",
        null=True,
        blank=True,
        help_text="Ngày cuối cùng còn hiệu lực; để trống nếu đang hiệu lực.",
    )

    class Meta:
        abstract = True

    @property
    def is_current(self) -> bool:
        return self.valid_to is None or self.valid_to >= timezone.localdate()

    def was_valid_on(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or self.valid_to >= day)


class TreeNode(models.Model):
    """A node of a tree stored with a materialised path (``/1/7/42/``), so a subtree is one indexed query.

    The path is maintained by :func:`egov.core.tree.place_under`; nothing else writes it.
    """

    path = models.CharField("đường dẫn cây", max_length=255, db_index=True, editable=False, default="")

    class Meta:
        abstract = True
