"""Reference lists behind choice fields (the 54 ethnic groups, countries in Vietnamese) and cross-field rules
in form definitions: validated on the server with a Vietnamese message on the field, shown on the form."""

from __future__ import annotations

from typing import Any

import pytest

from egov.catalog import formdef, lists
from egov.catalog.web_forms import bound_fields, display_value
from egov.core.errors import DomainError


def test_the_54_ethnic_groups_in_the_official_order() -> None:
    names = [name for name, _ in lists.ethnicities()]
    assert len(names) == 54 == len(set(names))
    assert names[:5] == ["Kinh", "Tày", "Thái", "Hoa", "Khơ-me"]
    assert {"Xtiêng", "Mnông", "Chơ-ro", "HMông", "Ê-đê", "Rơ măm"} <= set(names)


def test_countries_in_vietnamese_with_viet_nam_first() -> None:
    names = [name for name, _ in lists.countries()]
    assert names[0] == "Việt Nam"
    assert len(names) > 240 and len(set(names)) == len(names)
    assert {"Hàn Quốc", "Lào", "Campuchia", "Trung Quốc", "Hoa Kỳ", "Nhật Bản", "Pháp", "Thái Lan"} <= set(
        names
    )
    assert "Cộng hoà Nam Hàn" not in names
    rest = names[1:]
    assert rest.index("Ấn Độ") < rest.index("Bồ Đào Nha") < rest.index("Đức") < rest.index("Xin-ga-po")


NATIONALITY = {"key": "quoc_tich", "type": "choice", "label": "Quốc tịch", "options_from": "countries"}
ETHNICITY = {"key": "dan_toc", "type": "choice", "label": "Dân tộc", "options_from": "ethnicities"}


def test_a_list_field_accepts_only_names_on_the_list() -> None:
    assert formdef.clean_one(ETHNICITY, "Xtiêng") == "Xtiêng"
    assert formdef.clean_one(NATIONALITY, "Việt Nam") == "Việt Nam"
    with pytest.raises(Exception, match="không nằm trong danh sách"):
        formdef.clean_one(ETHNICITY, "Kinh tế")
    assert display_value(NATIONALITY, "Lào") == "Lào"


def test_a_list_field_is_drawn_as_a_select_of_the_list() -> None:
    (field,) = bound_fields([ETHNICITY], {}, {}, extra_rows={})
    assert len(field["options"]) == 54 and field["options"][0] == ("Kinh", "Kinh")


def test_a_definition_naming_an_unknown_list_is_refused() -> None:
    bad = {"steps": [{"title": "Bước", "fields": [{**ETHNICITY, "options_from": "ton_giao"}]}]}
    with pytest.raises(DomainError, match="danh mục “ton_giao” không có"):
        formdef.validate_definition(bad)


FATHER = {
    "steps": [
        {"title": "Người đi đăng ký", "fields": [
            {"key": "quan_he", "type": "choice", "label": "Quan hệ", "required": True,
             "options": [["cha", "Cha"], ["me", "Mẹ"]]},
        ]},
        {"title": "Cha, mẹ", "fields": [
            {"key": "co_cha", "type": "yes_no", "label": "Khai thông tin người cha", "required": True},
            {"key": "cha_ho_ten", "type": "text", "label": "Họ tên người cha", "required": True,
             "show_if": {"field": "co_cha", "equals": True}},
            {"key": "me_cccd", "type": "personal_id", "label": "CCCD của mẹ"},
        ]},
    ],
    "rules": [
        {"if": {"field": "quan_he", "equals": "cha"}, "then": {"field": "co_cha", "equals": True},
         "message": "Người đi đăng ký là cha thì phải khai thông tin người cha."},
        {"if": {"field": "quan_he", "equals": "me"}, "then": {"field": "me_cccd", "filled": True},
         "message": "Người đi đăng ký là mẹ: hãy ghi số CCCD của mẹ."},
    ],
}  # fmt: skip


def test_the_rules_of_a_good_definition_pass() -> None:
    formdef.validate_definition(FATHER)


@pytest.mark.parametrize(
    ("rule", "problem"),
    [
        ({"if": {"field": "khong_co", "equals": 1}, "then": {"field": "co_cha", "equals": True}, "message": "x"},
         "điều kiện “if” phải dựa trên một trường"),
        ({"if": {"field": "quan_he", "equals": "cha"}, "then": {"field": "co_cha"}, "message": "x"},
         "điều kiện “then” cần “equals”, “in” hoặc “filled”"),
        ({"if": {"field": "quan_he", "equals": "cha"}, "then": {"field": "co_cha", "equals": True}},
         "thiếu thông báo lỗi"),
    ],
)  # fmt: skip
def test_a_malformed_rule_is_refused_with_what_is_wrong(rule: dict[str, Any], problem: str) -> None:
    with pytest.raises(DomainError) as caught:
        formdef.validate_definition({**FATHER, "rules": [rule]})
    assert any(problem in message for message in caught.value.messages), caught.value.messages


def test_a_father_filing_must_give_the_fathers_details_on_that_step() -> None:
    cleaned = formdef.clean_values(
        FATHER, {"co_cha": "no"}, step_indexes=[1], known_before={"quan_he": "cha"}
    )
    assert cleaned.errors == {"co_cha": ["Người đi đăng ký là cha thì phải khai thông tin người cha."]}
    cleaned = formdef.clean_values(
        FATHER,
        {"co_cha": "yes", "cha_ho_ten": "Nguyễn Văn An"},
        step_indexes=[1],
        known_before={"quan_he": "cha"},
    )
    assert cleaned.ok, cleaned.errors
    cleaned = formdef.clean_values(FATHER, {"co_cha": "no"}, step_indexes=[1], known_before={"quan_he": "me"})
    assert cleaned.errors == {"me_cccd": ["Người đi đăng ký là mẹ: hãy ghi số CCCD của mẹ."]}


def test_the_whole_form_checks_rules_again_when_filed() -> None:
    """Changing the first step after the second was saved does not slip past the rule."""
    cleaned = formdef.clean_values(FATHER, {"quan_he": "cha", "co_cha": "no"})
    assert cleaned.errors == {"co_cha": ["Người đi đăng ký là cha thì phải khai thông tin người cha."]}


def test_the_rule_is_shown_beside_its_field() -> None:
    specs = list(formdef.top_fields(FATHER, [1]))
    fields = bound_fields(specs, {}, {}, extra_rows={}, rules=formdef.rules(FATHER))
    assert fields[0]["rule_notes"] == ["Người đi đăng ký là cha thì phải khai thông tin người cha."]
    assert fields[1]["rule_notes"] == []


@pytest.mark.django_db
def test_the_api_gives_list_fields_their_options_and_the_rules(demo: None) -> None:
    from django.test import Client

    form = Client().get("/api/v1/procedures/1.001193").json()["form"]
    fields = {f["key"]: f for step in form["steps"] for f in step["fields"]}
    assert fields["tre_dan_toc"]["options_from"] == "ethnicities"
    assert len(fields["tre_dan_toc"]["options"]) == 54
    assert fields["me_quoc_tich"]["options"][0] == ["Việt Nam", "Việt Nam"]
    assert form["rules"][0]["then"] == {"field": "co_thong_tin_cha", "equals": True}
