"""A small, complete procedure spec for tests that should not depend on the demo catalogue."""

from __future__ import annotations

import copy
from typing import Any

SECTOR = {"code": "G03-TP05", "name": "Hộ tịch"}

MARRIAGE_SPEC: dict[str, Any] = {
    "national_code": "9.000001",
    "name": "Đăng ký kết hôn (thử nghiệm)",
    "sector": "G03-TP05",
    "levels": ["commune"],
    "receiving_agency": "Bộ phận một cửa Ủy ban nhân dân cấp xã",
    "deciding_agency": "Ủy ban nhân dân cấp xã",
    "deciding_level": "commune",
    "processing_time": 1,
    "processing_time_unit": "working_days",
    "fee_amount": 0,
    "fee_note": "Miễn lệ phí.",
    "steps": "Nộp hồ sơ.\nNhận kết quả.",
    "conditions": "Nam từ đủ 20 tuổi, nữ từ đủ 18 tuổi.",
    "legal_basis": "Luật Hộ tịch 2014",
    "result": "Giấy chứng nhận kết hôn",
    "online_level": "full",
    "published_on": "2018-06-01",
    "effective_from": "2018-07-01",
    "components": [
        {"key": "to-khai", "name": "Tờ khai đăng ký kết hôn", "originals": 1, "required": True},
        {
            "key": "uy-quyen",
            "name": "Văn bản ủy quyền",
            "originals": 1,
            "required": True,
            "condition": "Khi nộp thay",
            "show_if": {"field": "nop_thay", "equals": True},
        },
    ],
    "form": {
        "steps": [
            {
                "key": "nguoi-nop",
                "title": "Người nộp",
                "fields": [
                    {
                        "key": "ho_ten",
                        "type": "text",
                        "label": "Họ và tên",
                        "required": True,
                        "prefill": "full_name",
                    },
                    {
                        "key": "cccd",
                        "type": "personal_id",
                        "label": "Số CCCD",
                        "required": True,
                        "prefill": "personal_id",
                    },
                    {"key": "dien_thoai", "type": "phone", "label": "Điện thoại", "prefill": "phone"},
                    {
                        "key": "noi_cu_tru",
                        "type": "address",
                        "label": "Nơi cư trú",
                        "required": True,
                        "prefill": "address",
                    },
                    {"key": "nop_thay", "type": "yes_no", "label": "Nộp thay người khác?", "required": True},
                    {
                        "key": "ly_do_nop_thay",
                        "type": "text",
                        "label": "Lý do nộp thay",
                        "required": True,
                        "show_if": {"field": "nop_thay", "equals": True},
                    },
                ],
            },
            {
                "key": "hai-ben",
                "title": "Hai bên kết hôn",
                "fields": [
                    {
                        "key": "ben",
                        "type": "group",
                        "label": "Hai bên",
                        "item_label": "Người",
                        "min_items": 2,
                        "max_items": 2,
                        "required": True,
                        "fields": [
                            {"key": "ho_ten_ben", "type": "text", "label": "Họ và tên", "required": True},
                            {"key": "ngay_sinh", "type": "date", "label": "Ngày sinh", "required": True},
                            {
                                "key": "gioi_tinh",
                                "type": "choice",
                                "label": "Giới tính",
                                "required": True,
                                "options": [["nam", "Nam"], ["nu", "Nữ"]],
                            },
                        ],
                    },
                    {
                        "key": "con_chung",
                        "type": "group",
                        "label": "Con chung",
                        "item_label": "Con",
                        "min_items": 0,
                        "max_items": 5,
                        "fields": [
                            {"key": "ten_con", "type": "text", "label": "Tên con", "required": True},
                            {
                                "key": "nam_sinh_con",
                                "type": "number",
                                "label": "Năm sinh",
                                "min": 1900,
                                "max": 2100,
                            },
                        ],
                    },
                    {"key": "chi_phi", "type": "money", "label": "Chi phí dự kiến", "max": 100000000},
                    {"key": "so_con", "type": "number", "label": "Số con chung", "min": 0, "max": 20},
                    {
                        "key": "ngon_ngu",
                        "type": "multichoice",
                        "label": "Ngôn ngữ",
                        "options": [["vi", "Tiếng Việt"], ["en", "Tiếng Anh"]],
                    },
                    {"key": "ma_so_thue", "type": "tax_code", "label": "Mã số thuế"},
                    {"key": "thu", "type": "email", "label": "Thư điện tử"},
                    {"key": "ghi_chu", "type": "textarea", "label": "Ghi chú", "max_length": 50},
                ],
            },
        ]
    },
}


def marriage_spec(**changes: Any) -> dict[str, Any]:
    spec = copy.deepcopy(MARRIAGE_SPEC)
    spec.update(changes)
    return spec


def valid_answers() -> dict[str, Any]:
    return {
        "ho_ten": "Nguyễn Văn An", "cccd": "070090001234", "dien_thoai": "0912345678",
        "noi_cu_tru": {"unit": "25279", "line": "Ấp 3"}, "nop_thay": False,
        "ben": [{"ho_ten_ben": "Nguyễn Văn An", "ngay_sinh": "12/05/1990", "gioi_tinh": "nam"},
                {"ho_ten_ben": "Lê Thị Hoa", "ngay_sinh": "1994-03-08", "gioi_tinh": "nu"}],
        "chi_phi": "15.000.000 đ", "so_con": 0, "ngon_ngu": ["vi"],
    }  # fmt: skip
