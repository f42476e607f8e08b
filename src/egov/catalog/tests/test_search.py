"""Search the demo catalogue as citizens type: without diacritics, partial, with small typos."""

import pytest
from django.test import Client

from egov.catalog.models import ProcedureVersion
from egov.catalog.selectors import Filters, search


def names(query: str, **filters: str) -> list[str]:
    return [v.name for v in search(query, Filters(**filters))]


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("dang ky khai sinh", "Đăng ký khai sinh"),
        ("Đăng ký khai sinh", "Đăng ký khai sinh"),
        ("DANG KY KHAI SINH", "Đăng ký khai sinh"),
        ("đăng kí kết hôn", "Đăng ký kết hôn"),
        ("dang ky ket hon", "Đăng ký kết hôn"),
        ("dang ky khai sihn", "Đăng ký khai sinh"),  # two letters swapped
        ("dang ki khai tu", "Đăng ký khai tử"),
        (
            "ly lich tu phap",
            "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam, người nước ngoài đang cư trú tại Việt Nam",
        ),
        ("giay phep xay dung", "Cấp giấy phép xây dựng đối với công trình nhà ở riêng lẻ"),
        ("ho kinh doanh", "Đăng ký thành lập hộ kinh doanh"),
    ],
)
def test_the_expected_procedure_comes_first(demo: None, query: str, first: str) -> None:
    assert names(query)[0] == first


def test_a_partial_query_finds_every_procedure_about_it(demo: None) -> None:
    found = names("khai sinh")
    assert {"Đăng ký khai sinh", "Đăng ký lại khai sinh", "Đăng ký khai sinh có yếu tố nước ngoài"} <= set(
        found
    )
    assert all("khai sinh" in n.lower() for n in found[:3])


def test_unrelated_words_find_nothing(demo: None) -> None:
    assert names("tàu vũ trụ sao hỏa") == []


def test_filters_narrow_the_search(demo: None) -> None:
    district = names("khai sinh", level="district")
    assert district == ["Đăng ký khai sinh có yếu tố nước ngoài"]
    assert all(v.online_level != "none" for v in search("chung thuc", Filters(online="online")))


def test_browsing_by_sector_and_level(demo: None, client: Client) -> None:
    page = client.get("/thu-tuc/", {"cap": "province"}).content.decode()
    assert "Cấp Phiếu lý lịch tư pháp" in page and "Đăng ký khai tử" not in page
    assert ProcedureVersion.objects.filter(status="published").count() >= 40
    body = client.get("/thu-tuc/", {"q": "dang ky khai sinh"}).content.decode()
    assert body.index("Đăng ký khai sinh</a>") < body.index("Đăng ký lại khai sinh")


def test_browse_by_the_desk_where_one_files(demo: None, client: Client) -> None:
    commune = names("", agency="000.22.44.H10")  # UBND xã Lộc Tấn: commune-level procedures
    assert (
        "Đăng ký khai sinh" in commune
        and "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam, người nước ngoài đang cư trú tại Việt Nam"
        not in commune
    )
    province = client.get("/api/v1/procedures", {"agency": "000.00.30.H10", "limit": 100}).json()
    assert province["items"] and all("province" in p["levels"] for p in province["items"])
    assert province["count"] == len(province["items"])
    assert names("", agency="000.99.99.H10") == []
