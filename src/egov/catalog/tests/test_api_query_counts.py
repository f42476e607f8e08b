"""The public API's lists (procedures, administrative units) cost a fixed number of queries, whatever the
number of rows."""

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
        searched, browsed = {"q": "ket hon"}, {"level": "commune", "online": "online", "limit": 100}
        for params in (searched, browsed):
            # versions with their procedures and sectors, their levels (the search index is the process's)
            with django_assert_num_queries(2):
                found = client.get("/api/v1/procedures", params).json()
            sizes.append(len([p for p in found if p["code"].startswith("9.")]))
    assert sizes == [1, 1, 12, 12]


def test_unit_lists_cost_the_same_queries_for_few_or_many(demo: None, django_assert_num_queries: Any) -> None:
    client = Client()
    for parent, total in (("", 1), ("692", 3), ("70", 11)):  # the province, a district's communes, districts
        with django_assert_num_queries(1 if not parent else 2):  # the parent, then its children
            units = client.get("/api/v1/units", {"parent": parent} if parent else {}).json()
        assert len(units) == total
