"""The leader's and the clerk's lists of documents waiting for signature cost a fixed number of queries,
whatever the number of documents."""

from __future__ import annotations

from typing import Any

from django.test import Client

from egov.signing import services
from egov.signing.models import SignatureRequest
from egov.signing.tests.conftest import make_pdf


def queue(pki: Any, first: int, count: int) -> None:
    for n in range(first, first + count):
        services.request_signatures(
            agency=pki.agency,
            pdf=make_pdf(f"QUYẾT ĐỊNH SỐ {n}"),
            title=f"Quyết định cấp giấy phép số {n}",
            number_notation=f"{n:02d}/QĐ-UBND",
            source_type="dossiers.dossier",
            source_id=str(n),
            created_by=pki.desk,
        )


def test_the_waiting_lists_cost_the_same_queries_for_few_or_many(
    pki: Any, officer_client: Any, django_assert_num_queries: Any
) -> None:
    leader: Client = officer_client(pki.leader.email)
    clerk: Client = officer_client(pki.clerk.email)
    leader.get("/chu-ky-so/trinh-ky/")  # the site's shell and counters, cached per process
    clerk.get("/chu-ky-so/trinh-ky/?vai-tro=van-thu")
    seen = []
    for first, more in ((1, 2), (3, 4)):
        queue(pki, first, more)
        with django_assert_num_queries(4):  # user, second factor, roles, the requests with their agencies
            page = leader.get("/chu-ky-so/trinh-ky/").content.decode()
        seen.append(page.count('name="yeu-cau"'))
        # The leader signs one each round; the clerk's list grows as the leader's shrinks.
        services.sign_request(
            request=SignatureRequest.objects.filter(status="awaiting_leader").first(),
            actor=pki.leader,
            pin=pki.pin,
            level="B-B",
        )
        with django_assert_num_queries(4):
            page = clerk.get("/chu-ky-so/trinh-ky/?vai-tro=van-thu").content.decode()
        seen.append(page.count('name="yeu-cau"'))
    assert seen == [2, 1, 5, 2]
