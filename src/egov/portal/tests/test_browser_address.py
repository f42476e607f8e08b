"""The address picker in a real browser: choosing a province brings its communes (htmx), at 1280 and 360 px,
with no serious accessibility violation."""

from __future__ import annotations

from typing import Any

import pytest

from egov.portal.tests.a11y import assert_accessible
from egov.portal.tests.test_browser import browser, page, shot  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [1280, 360])
def test_choosing_a_province_brings_its_communes(page: Any, width: int) -> None:  # noqa: F811
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(page.base + "/tai-khoan/dang-ky/")
    province = page.get_by_label("Tỉnh, thành phố")
    commune = page.get_by_label("Xã, phường, thị trấn")
    assert province.input_value() == "70"  # this province first
    assert page.get_by_role("button", name="Chọn").is_hidden()  # scripts run: no need for the no-JS button
    assert commune.locator("optgroup[label='Huyện Lộc Ninh']").count() == 1
    with page.expect_response(lambda r: "/don-vi-hanh-chinh/xa-phuong/" in r.url) as answer:
        province.select_option(label="Thành phố Hà Nội")
    assert answer.value.status == 200
    page.wait_for_function("document.querySelector('#id_address_unit option[value=\"00070\"]') !== null")
    assert commune.locator("optgroup").count() == 0  # two tiers: no districts today
    assert commune.input_value() == ""
    commune.select_option(label="Phường Hoàn Kiếm")
    page.get_by_label("Số nhà, đường, thôn/ấp").fill("Số 5 phố Tràng Tiền")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert_accessible(page)
    shot(page, f"address-picker-{width}")
