"""The public API's lists (procedures, administrative units) answer ``{items, count, limit, offset}`` and cost
a fixed number of queries, whatever the number of rows."""

from __future__ import annotations

from typing import Any

from django.test import Client

from egov.catalog.services import upsert_procedure
from egov.catalog.tests.factories import marriage_spec


def test_procedure_lists_cost_the_same_queries_for_few_or_many(
    marriage: Any, django_assert_num_queries: Any
) -> None:
    client = Client()
    client.get("/api/v1/procedures")  # the catalogue's generation, cached per process
    sizes = []
    for total in (1, 12):
        for number in range(2, total + 1):
            upsert_procedure(
                actor=None, spec=marriage_spec(national_code=f"9.2{number:05d}", name=f"Kết hôn thử {number}")
            )
        client.get("/api/v1/procedures", {"q": "ket hon"})  # the search texts, read again once changed
        # Searching: the versions with their procedures and sectors, their levels; the index counts the matches.
        with django_assert_num_queries(2):
            found = client.get("/api/v1/procedures", {"q": "ket hon", "limit": 100}).json()
        sizes.append(len([p for p in found["items"] if p["code"].startswith("9.")]))
        assert found["count"] == len(found["items"])
        # Browsing with filters: the count, then the page's versions and their levels.
        browsed = {"level": "commune", "online": "online", "limit": 100}
        with django_assert_num_queries(3):
            found = client.get("/api/v1/procedures", browsed).json()
        sizes.append(len([p for p in found["items"] if p["code"].startswith("9.")]))
        assert found["count"] == len(found["items"]) and (found["limit"], found["offset"]) == (100, 0)
    assert sizes == [1, 1, 12, 12]


def test_procedure_pages_add_up_to_the_count(marriage: Any, django_assert_num_queries: Any) -> None:
    client = Client()
    for number in range(2, 8):
        upsert_procedure(
            actor=None, spec=marriage_spec(national_code=f"9.3{number:05d}", name=f"Kết hôn trang {number}")
        )
    for params in ({"q": "ket hon trang"}, {"sector": marriage.sector.code}):
        whole = client.get("/api/v1/procedures", {**params, "limit": 100}).json()
        codes = [p["code"] for p in whole["items"]]
        assert whole["count"] == len(codes) >= 6
        pages = [
            client.get("/api/v1/procedures", {**params, "limit": 4, "offset": o}).json() for o in (0, 4, 8)
        ]
        assert [p["count"] for p in pages] == [whole["count"]] * 3
        assert [c["code"] for p in pages for c in p["items"]] == codes[:12]  # the same order, nothing twice
        assert len(pages[0]["items"]) == 4
    # Past the end: an empty page and the count, one query (no page is read).
    with django_assert_num_queries(1):
        beyond = client.get("/api/v1/procedures", {"sector": marriage.sector.code, "offset": 5000}).json()
    assert beyond["items"] == [] and beyond["count"] == whole["count"]
    assert client.get("/api/v1/procedures", {"offset": 10**20}).status_code == 422


def test_unit_lists_cost_the_same_queries_for_few_or_many(demo: None, django_assert_num_queries: Any) -> None:
    client = Client()
    # The provinces (Bình Phước, and Hà Nội of the rest of the country), a district's communes, districts.
    for parent, total in (("", 2), ("692", 3), ("70", 11)):
        # The parent (when named), the count, the page.
        with django_assert_num_queries(3 if parent else 2):
            units = client.get("/api/v1/units", {"parent": parent} if parent else {}).json()
        assert units["count"] == total and len(units["items"]) == total
        assert (units["limit"], units["offset"]) == (100, 0)
    first = client.get("/api/v1/units", {"parent": "70", "limit": 4}).json()
    rest = client.get("/api/v1/units", {"parent": "70", "limit": 100, "offset": 4}).json()
    codes = [u["code"] for u in first["items"] + rest["items"]]
    assert len(first["items"]) == 4 and first["count"] == rest["count"] == 11
    assert codes == sorted(codes) and len(set(codes)) == 11
    with django_assert_num_queries(2):  # past the end: the parent and the count only
        beyond = client.get("/api/v1/units", {"parent": "70", "offset": 50}).json()
    assert beyond == {"items": [], "count": 11, "limit": 100, "offset": 50}
    assert client.get("/api/v1/units", {"limit": 0}).status_code == 422
