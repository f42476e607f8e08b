"""The tiers and kinds of administrative units every installation needs (QĐ 124/2004/QĐ-TTg; NQ 202/2025/QH15
added the special zone "đặc khu" at commune level). Further kinds are added in the admin."""

from __future__ import annotations

import datetime as dt
from typing import Any

LEVELS_SINCE = dt.date(2004, 7, 8)
LEVELS = [
    ("province", "Cấp tỉnh", 1, 2),
    ("district", "Cấp huyện", 2, 3),
    ("commune", "Cấp xã", 3, 5),
]
KINDS = [
    ("tinh", "Tỉnh", "province"),
    ("thanh-pho-truc-thuoc-trung-uong", "Thành phố", "province"),
    ("thanh-pho", "Thành phố", "district"),
    ("thi-xa", "Thị xã", "district"),
    ("huyen", "Huyện", "district"),
    ("quan", "Quận", "district"),
    ("xa", "Xã", "commune"),
    ("phuong", "Phường", "commune"),
    ("thi-tran", "Thị trấn", "commune"),
    ("dac-khu", "Đặc khu", "commune"),
]


def ensure_levels_and_kinds(level_model: Any, kind_model: Any) -> None:
    """Idempotent; takes the model classes so data migrations can pass their historical models."""
    levels = {}
    for code, name, rank, length in LEVELS:
        levels[code], _ = level_model.objects.get_or_create(
            code=code,
            defaults={"name": name, "rank": rank, "code_length": length, "valid_from": LEVELS_SINCE},
        )
    for code, name, level in KINDS:
        kind_model.objects.get_or_create(code=code, defaults={"name": name, "level": levels[level]})
