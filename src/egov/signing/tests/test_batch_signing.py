"""The leader signs many approved results in one action, each separately; a broken one does not affect the
others; the clerk then applies the agency's signature and the result is released (owner apps are told); signing
a released document again is refused."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.test import Client

from egov.core.errors import DomainError
from egov.signing import services
from egov.signing.models import SignatureRecord, SignatureRequest
from egov.signing.services import signature_requests
from egov.signing.tests.conftest import make_pdf
from egov.signing.verification import verify_pdf

pytestmark = pytest.mark.django_db


def queue(pki: Any, count: int) -> list[SignatureRequest]:
    return [
        services.request_signatures(
            agency=pki.agency,
            pdf=make_pdf(f"QUYẾT ĐỊNH SỐ {n}"),
            title=f"Quyết định cấp giấy phép số {n}",
            number_notation=f"{n:02d}/QĐ-UBND",
            source_type="dossiers.dossier",
            source_id=str(n),
            created_by=pki.desk,
        )
        for n in range(1, count + 1)
    ]


def test_leader_batch_then_clerk_releases(pki: Any, monkeypatch: Any) -> None:
    released: list[tuple[int, bytes]] = []
    # Stand in for the dossiers' hook during this test only (the real one is restored afterwards).
    monkeypatch.setitem(
        signature_requests._released_hooks,
        "dossiers.dossier",
        [lambda request, pdf: released.append((request.pk, pdf))],
    )
    requests = queue(pki, 3)
    broken = requests[1]
    with default_storage.open(
        broken.current_path, "wb"
    ) as handle:  # someone changed the file after submission
        handle.write(make_pdf("BẢN ĐÃ BỊ SỬA"))

    progress: list[str] = []
    result = services.batch_sign(
        requests=requests,
        actor=pki.leader,
        purpose="personal",
        pin=pki.pin,
        level="B-B",
        on_progress=lambda item, batch: progress.append(f"{batch.done + batch.failed}/{batch.total}"),
    )
    assert progress == ["1/3", "2/3", "3/3"]
    assert (result.succeeded, result.failed) == (2, 1)
    assert "đã bị thay đổi" in result.items[1].message
    statuses = [SignatureRequest.objects.get(pk=r.pk).status for r in requests]
    assert statuses == ["awaiting_seal", "awaiting_leader", "awaiting_seal"]

    clerk_result = services.batch_sign(
        requests=list(SignatureRequest.objects.filter(status="awaiting_seal")),
        actor=pki.clerk,
        purpose="agency",
    )
    assert clerk_result.succeeded == 2
    assert sorted(pk for pk, _ in released) == sorted([requests[0].pk, requests[2].pk])
    for request in SignatureRequest.objects.filter(status="released"):
        report = verify_pdf(services.read_document(request.current_path))
        assert report.valid and len([s for s in report.signatures if not s.is_document_timestamp]) == 2
        assert request.signatures.count() == 2

    # The leader presses "sign" again on a released request: refused, no third signature.
    with pytest.raises(DomainError, match="đã được ký số đủ và phát hành"):
        services.sign_request(
            request=SignatureRequest.objects.get(pk=requests[0].pk), actor=pki.leader, pin=pki.pin
        )
    assert SignatureRecord.objects.filter(request=requests[0]).count() == 2


def test_audit_records_every_signature(pki: Any) -> None:
    from egov.audit.models import AuditEntry

    [request] = queue(pki, 1)
    signed = services.sign_request(request=request, actor=pki.leader, pin=pki.pin, level="B-B")
    entry = AuditEntry.objects.get(action="signed")
    assert entry.actor == pki.leader
    assert entry.data["output_sha256"] == signed.sha256
    assert entry.data["input_sha256"] == request.original_sha256
    assert entry.data["level"] == "B-B" and entry.data["certificate"] == signed.record.certificate.fingerprint


def test_wrong_pin_stops_the_batch_before_anything_is_signed(pki: Any) -> None:
    requests = queue(pki, 2)
    with pytest.raises(DomainError, match="Mã PIN không đúng"):
        services.batch_sign(requests=requests, actor=pki.leader, purpose="personal", pin="999999")
    assert not SignatureRecord.objects.exists()


def test_batch_page_shows_waiting_documents_and_signs_them(pki: Any, officer_client: Any) -> None:
    queue(pki, 2)
    client: Client = officer_client(pki.leader.email)
    page = client.get("/chu-ky-so/trinh-ky/")
    assert page.status_code == 200
    assert "Quyết định cấp giấy phép số 1" in page.content.decode()
    ids = [str(r.pk) for r in SignatureRequest.objects.all()]
    response = client.post("/chu-ky-so/trinh-ky/?vai-tro=lanh-dao", {"yeu-cau": ids, "pin": pki.pin})
    body = b"".join(response.streaming_content).decode()  # type: ignore[attr-defined]
    assert "[1/2]" in body and "[2/2]" in body
    assert "Xong: 2 văn bản đã ký, 0 văn bản lỗi." in body
    assert SignatureRequest.objects.filter(status="awaiting_seal").count() == 2

    clerk: Client = officer_client(pki.clerk.email)
    page = clerk.get("/chu-ky-so/trinh-ky/?vai-tro=van-thu")
    assert page.content.decode().count('name="yeu-cau"') == 2
    download = clerk.get(f"/chu-ky-so/trinh-ky/{ids[0]}/tep/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")  # type: ignore[attr-defined]


@pytest.mark.parametrize(("who", "tab"), [("leader", "lanh-dao"), ("clerk", "van-thu")])
def test_the_batch_page_costs_the_same_queries_for_one_or_many_documents(
    pki: Any, officer_client: Any, django_assert_num_queries: Any, who: str, tab: str
) -> None:
    """Văn bản chờ ký số: the officer, their second factor, their roles and one read of the documents (with
    their agency and leader), however many are listed."""
    client: Client = officer_client(getattr(pki, who).email)
    url = f"/chu-ky-so/trinh-ky/?vai-tro={tab}"
    pdf = make_pdf()

    def add(first: int, count: int) -> None:
        for n in range(first, first + count):
            request = services.request_signatures(
                agency=pki.agency,
                pdf=pdf,
                title=f"Quyết định số {n}",
                leader=pki.leader if n % 2 else None,
                source_type="dossiers.dossier",
                source_id=str(n),
            )
            if tab == "van-thu":
                services.sign_request(request=request, actor=pki.leader, pin=pki.pin, level="B-B")

    add(1, 1)
    client.get(url)
    with django_assert_num_queries(4):
        page = client.get(url).content.decode()
    assert page.count('name="yeu-cau"') == 1
    add(2, 5)
    with django_assert_num_queries(4):
        page = client.get(url).content.decode()
    assert page.count('name="yeu-cau"') == 6 and "Quyết định số 6" in page
