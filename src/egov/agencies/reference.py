"""Kinds of agencies every installation needs; more are added in the admin."""

from __future__ import annotations

from typing import Any

KINDS = [
    ("ubnd", "Ủy ban nhân dân"),
    ("so", "Sở"),
    ("ban", "Ban và cơ quan tương đương sở"),
    ("van-phong", "Văn phòng"),
    ("phong", "Phòng chuyên môn"),
    ("trung-tam-phuc-vu-hanh-chinh-cong", "Trung tâm Phục vụ hành chính công"),
    ("don-vi-su-nghiep", "Đơn vị sự nghiệp"),
    ("co-quan-nganh-doc", "Cơ quan ngành dọc đặt tại địa phương"),
]


def ensure_agency_kinds(kind_model: Any) -> None:
    for code, name in KINDS:
        kind_model.objects.get_or_create(code=code, defaults={"name": name})
