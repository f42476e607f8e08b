"""The one validator of online forms: types, required fields, conditions, groups, unknown fields."""

from typing import Any

import pytest

from egov.catalog.formdef import clean_values, validate_definition
from egov.catalog.tests.factories import MARRIAGE_SPEC, valid_answers
from egov.core.errors import DomainError

FORM = MARRIAGE_SPEC["form"]


def resolve(code: str) -> tuple[str, str] | None:
    return (code, "Xã Lộc Tấn, Huyện Lộc Ninh, Tỉnh Bình Phước") if code == "25279" else None


def clean(raw: dict[str, Any], **kwargs: Any):  # type: ignore[no-untyped-def]
    return clean_values(FORM, raw, resolve_unit=resolve, **kwargs)


def test_valid_answers_come_out_typed() -> None:
    result = clean(valid_answers())
    assert result.ok, result.errors
    values = result.values
    assert values["noi_cu_tru"] == {
        "unit": "25279",
        "line": "Ấp 3",
        "full": "Ấp 3, Xã Lộc Tấn, Huyện Lộc Ninh, Tỉnh Bình Phước",
    }
    assert values["ben"][0]["ngay_sinh"] == "1990-05-12" and values["ben"][1]["ngay_sinh"] == "1994-03-08"
    assert values["chi_phi"] == 15_000_000
    assert values["so_con"] == 0
    assert values["nop_thay"] is False
    assert "ly_do_nop_thay" not in values


def test_html_strings_are_accepted_like_json_values() -> None:
    raw = {**valid_answers(), "nop_thay": "yes", "ly_do_nop_thay": "Ốm", "so_con": "2", "chi_phi": "1500000"}
    result = clean(raw)
    assert result.ok, result.errors
    assert result.values["nop_thay"] is True and result.values["so_con"] == 2


@pytest.mark.parametrize(
    ("changes", "path", "message"),
    [
        ({"ho_ten": ""}, "ho_ten", "Hãy nhập “Họ và tên”."),
        ({"cccd": "123"}, "cccd", "Số CCCD: Số định danh cá nhân (CCCD) phải gồm đúng 12 chữ số."),
        ({"dien_thoai": "12"}, "dien_thoai", "Điện thoại: Số điện thoại không hợp lệ"),
        ({"noi_cu_tru": {"unit": "99999", "line": ""}}, "noi_cu_tru", "không có trong danh mục"),
        ({"nop_thay": ""}, "nop_thay", "Hãy chọn “Nộp thay người khác?”."),
        ({"nop_thay": "có lẽ"}, "nop_thay", "Hãy trả lời Có hoặc Không"),
        ({"nop_thay": True}, "ly_do_nop_thay", "Hãy nhập “Lý do nộp thay”."),
        ({"chi_phi": "mười triệu"}, "chi_phi", "phải là số tiền (đồng)"),
        ({"chi_phi": "-5"}, "chi_phi", "nguyên, không âm"),
        ({"chi_phi": 200_000_000}, "chi_phi", "không được lớn hơn 100000000"),
        ({"so_con": "vô số"}, "so_con", "phải là số"),
        ({"so_con": "Infinity"}, "so_con", "phải là số"),
        ({"so_con": 21}, "so_con", "không được lớn hơn 20"),
        ({"so_con": True}, "so_con", "phải là số"),
        ({"ngon_ngu": ["fr"]}, "ngon_ngu", "không nằm trong danh sách"),
        ({"ma_so_thue": "123"}, "ma_so_thue", "Mã số thuế không hợp lệ"),
        ({"thu": "a@"}, "thu", "không hợp lệ"),
        ({"ghi_chu": "x" * 51}, "ghi_chu", "dài tối đa 50 ký tự"),
        ({"ho_ten": {"nested": 1}}, "ho_ten", "không hợp lệ"),
        ({"ben": "hai người"}, "ben", "phải là một danh sách"),
        (
            {"ben": [{"ho_ten_ben": "A", "ngay_sinh": "31/02/1990", "gioi_tinh": "nam"}]},
            "ben.0.ngay_sinh",
            "ngày hợp lệ",
        ),
        (
            {"ben": [{"ho_ten_ben": "A", "ngay_sinh": "01/01/1990", "gioi_tinh": "x"}]},
            "ben.0.gioi_tinh",
            "không nằm trong danh sách",
        ),
    ],
)
def test_each_kind_of_bad_input_gets_a_vietnamese_message(
    changes: dict[str, Any], path: str, message: str
) -> None:
    result = clean({**valid_answers(), **changes})
    assert not result.ok
    assert any(message in m for m in result.errors.get(path, [])), result.errors


def test_groups_count_rows_and_skip_blank_ones() -> None:
    one = {
        **valid_answers(),
        "ben": [valid_answers()["ben"][0], {"ho_ten_ben": "", "ngay_sinh": "", "gioi_tinh": ""}],
    }
    assert clean(one).errors["ben"] == ["Cần khai ít nhất 2 người trong “Hai bên”."]
    three = {**valid_answers(), "ben": valid_answers()["ben"] * 2}
    assert clean(three).errors["ben"] == ["Chỉ được khai tối đa 2 người trong “Hai bên”."]


def test_unknown_fields_are_refused_when_asked() -> None:
    raw = {
        **valid_answers(),
        "truong_la": "x",
        "ben": [{**valid_answers()["ben"][0], "la": 1}, valid_answers()["ben"][1]],
    }
    result = clean(raw, reject_unknown=True)
    assert result.errors["truong_la"] == ["Trường này không có trong biểu mẫu của thủ tục."]
    assert "ben.0.la" in result.errors
    assert clean(raw).errors.keys() == {"ben.0.la"}


def test_one_step_is_validated_with_earlier_answers_known() -> None:
    result = clean({"ly_do_nop_thay": ""}, step_indexes=[0], known_before={})
    assert "ho_ten" in result.errors and "ben" not in result.errors


@pytest.mark.parametrize(
    ("definition", "message"),
    [
        (
            {"steps": [{"title": "A", "fields": [{"key": "Sai Ma", "type": "text", "label": "x"}]}]},
            "không hợp lệ",
        ),
        (
            {"steps": [{"title": "A", "fields": [{"key": "a", "type": "file", "label": "x"}]}]},
            "không được hỗ trợ",
        ),
        (
            {"steps": [{"title": "A", "fields": [{"key": "a", "type": "choice", "label": "x"}]}]},
            "danh sách lựa chọn",
        ),
        (
            {
                "steps": [
                    {
                        "title": "A",
                        "fields": [
                            {"key": "a", "type": "text", "label": "x"},
                            {"key": "a", "type": "text", "label": "y"},
                        ],
                    }
                ]
            },
            "bị trùng",
        ),
        (
            {
                "steps": [
                    {
                        "title": "A",
                        "fields": [
                            {"key": "a", "type": "text", "label": "x", "show_if": {"field": "b", "equals": 1}}
                        ],
                    }
                ]
            },
            "trường đứng trước",
        ),
        ({"steps": [{"title": "", "fields": []}]}, "thiếu tiêu đề"),
        (
            {
                "steps": [
                    {
                        "title": "A",
                        "fields": [
                            {
                                "key": "g",
                                "type": "group",
                                "label": "G",
                                "fields": [{"key": "h", "type": "group", "label": "H", "fields": []}],
                            }
                        ],
                    }
                ]
            },
            "không được hỗ trợ",
        ),
        ("not a dict", "steps"),
    ],
)
def test_malformed_definitions_are_refused(definition: Any, message: str) -> None:
    with pytest.raises(DomainError) as caught:
        validate_definition(definition)
    assert any(message in m for m in caught.value.messages), caught.value.messages


def test_the_test_form_itself_is_valid() -> None:
    validate_definition(FORM)
