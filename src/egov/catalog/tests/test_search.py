"""Search the demo catalogue as citizens type: without diacritics, partial, with small typos."""

import pytest
from django.test import Client

from egov.catalog.models import ProcedureVersion, SearchTerm
from egov.catalog.search_text import Vocabulary
from egov.catalog.selectors import Filters, search, understood_as


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


def codes(query: str) -> list[str]:
    return [v.procedure.national_code for v in search(query, Filters())]


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("làm giấy khai sinh cho con", "Đăng ký khai sinh"),
        ("lam giay khai sinh cho be o dau", "Đăng ký khai sinh"),
        ("thủ tục đăng ký kết hôn như thế nào", "Đăng ký kết hôn"),
        ("xin đăng ký giám hộ cho cháu", "Đăng ký giám hộ"),
    ],
)
def test_everyday_words_around_the_name_are_not_required(demo: None, query: str, first: str) -> None:
    assert names(query)[0] == first


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("giấy xác nhận độc thân", "1.004873"),  # Cấp Giấy xác nhận tình trạng hôn nhân
        ("giay xac nhan doc than", "1.004873"),
        ("công chứng bản sao", "2.000815"),  # Chứng thực bản sao từ bản chính …
        ("công chứng di chúc", "2.001019"),
        (
            "làm sổ đỏ cho hộ gia đình",
            "1.003010",
        ),  # … Giấy chứng nhận quyền sử dụng đất … (hộ gia đình, cá nhân)
        ("chuyển trường cấp 2", "1.005090"),  # Chuyển trường đối với học sinh trung học cơ sở
        ("báo tử", "1.000656"),  # Đăng ký khai tử
        ("làm giấy phép kinh doanh", "1.001612"),  # Đăng ký thành lập hộ kinh doanh
        ("đổi bằng lái xe", "1.002804"),  # Đổi giấy phép lái xe
        ("lấy chồng nước ngoài", "2.000806"),  # Đăng ký kết hôn có yếu tố nước ngoài
    ],
)
def test_colloquial_names_find_the_catalogue_wording(demo: None, query: str, first: str) -> None:
    assert codes(query)[0] == first


def test_what_was_typed_still_counts_beside_the_catalogue_wording(demo: None) -> None:
    # “giấy phép kinh doanh” alone is read as a household business; said in full, it is the transport licence.
    assert codes("giấy phép kinh doanh vận tải")[0] == "1.002861"
    assert codes("chứng thực bản sao")[0] == "2.000815"


@pytest.mark.parametrize("query", ["dang ky khai sinh", "Đăng ký khai sinh", "đăng kí khai sinh"])
def test_the_whole_phrase_ranks_first(demo: None, query: str) -> None:
    found = names(query)
    births = [n for n in found if "khai sinh" in n.lower()]
    assert len(births) == 3 and found[:3] == births and found[0] == "Đăng ký khai sinh"
    assert all(found.index(n) < found.index("Đăng ký khai tử") for n in births if "Đăng ký khai tử" in found)


def test_a_query_of_everyday_words_only_is_searched_as_typed(demo: None) -> None:
    assert names("con")[0] == "Đăng ký nhận cha, mẹ, con"


def test_the_page_says_which_wording_it_searched(demo: None, client: Client) -> None:
    body = client.get("/thu-tuc/", {"q": "cong chung ban sao"}).content.decode()
    assert "Kết quả cho “<strong>chứng thực bản sao</strong>”" in body
    assert body.index(
        "Chứng thực bản sao từ bản chính giấy tờ, văn bản do cơ quan, tổ chức có thẩm quyền của Việt"
    ) < (body.index("Chứng thực di chúc") if "Chứng thực di chúc" in body else len(body))
    typed = client.get("/thu-tuc/", {"q": "dang ky khai sinh"}).content.decode()
    assert "Kết quả cho" not in typed and typed.index("Đăng ký khai sinh</a>") < typed.index(
        "Đăng ký lại khai sinh"
    )


def test_the_api_searches_the_same_way(demo: None, client: Client) -> None:
    found = client.get("/api/v1/procedures", {"q": "bao tu"}).json()
    assert found["items"][0]["code"] == "1.000656" and found["understood_as"] == "khai tử"
    typed = client.get("/api/v1/procedures", {"q": "khai tu"}).json()
    assert typed["items"][0]["code"] == "1.000656" and typed["understood_as"] is None
    assert client.get("/api/v1/procedures").json()["understood_as"] is None


def test_the_vocabulary_reads_the_longest_name_and_keeps_the_catalogue_words_required() -> None:
    words = Vocabulary.from_data(
        {
            "stop_words": ["làm", "cho"],
            "synonyms": [
                {"means": "chứng thực", "say": ["công chứng"]},
                {"means": "chứng thực bản sao", "say": ["công chứng bản sao"]},
                {"means": "cho thuê", "say": ["thuê"]},
            ],
        }
    )
    catalogue, typed = words.readings("Làm CÔNG CHỨNG bản sao cho con")
    assert catalogue.shown == "Làm chứng thực bản sao cho con"
    assert catalogue.required == ["chung", "thuc", "ban", "sao", "con"] and catalogue.extra == ["lam", "cho"]
    assert typed.required == ["cong", "chung", "ban", "sao", "con"]
    (only,) = words.readings("khai sinh, cho con")
    assert only.words == ("khai", "sinh", "cho", "con") and only.required == ["khai", "sinh", "con"]
    assert words.readings("thuê nhà")[0].required == ["cho", "thue", "nha"]  # “cho” here is the catalogue's


def test_the_provinces_administrator_adds_a_colloquial_name_in_the_admin(demo: None) -> None:
    from conftest import sign_in_officer

    assert understood_as("lam giay hong") is None  # not in the platform's vocabulary
    admin = sign_in_officer(Client(), "quantri@binhphuoc.demo")
    added = admin.post(
        "/admin/catalog/searchterm/add/", {"said": "giấy hồng", "means": "giấy chứng nhận quyền sử dụng đất"}
    )
    assert added.status_code == 302
    assert codes("lam giay hong")[0] in {"1.003010", "1.004227"}
    assert understood_as("lam giay hong") == "lam giấy chứng nhận quyền sử dụng đất"
    # A term of the province replaces the platform's: “công chứng” made everyday phrasing finds by the rest.
    admin.post("/admin/catalog/searchterm/add/", {"said": "cong chung", "means": ""})
    assert understood_as("công chứng di chúc") is None and codes("công chứng di chúc")[0] == "2.001019"
    term = SearchTerm.objects.get(said="giấy hồng")
    admin.post(f"/admin/catalog/searchterm/{term.pk}/delete/", {"post": "yes"})
    assert understood_as("lam giay hong") is None
