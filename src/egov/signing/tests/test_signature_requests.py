"""The leader → clerk flow holds under repeats, races, cancellation and a failing owner: one personal
signature per leader and request (also under two calls at once), nothing signed on a cancelled request, and a
release that fails in the owner's hook records no signature either."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection, transaction

from egov.audit.models import AuditEntry
from egov.core.errors import DomainError
from egov.signing import services
from egov.signing.models import SignatureRecord, SignatureRequest
from egov.signing.services import signature_requests
from egov.signing.tests.conftest import make_pdf

SOURCE = "dossiers.dossier"


def queue(
    pki: Any, source_id: str = "41", title: str = "Quyết định cấp giấy phép xây dựng"
) -> SignatureRequest:
    return services.request_signatures(
        agency=pki.agency,
        pdf=make_pdf(title.upper()),
        title=title,
        number_notation=f"{source_id}/QĐ-UBND",
        source_type=SOURCE,
        source_id=source_id,
        created_by=pki.desk,
    )


def signed_files() -> list[Path]:
    folder = Path(settings.MEDIA_ROOT) / "signing" / "signed"
    return sorted(folder.rglob("*.pdf")) if folder.exists() else []


@pytest.fixture
def released_to(monkeypatch: Any) -> list[int]:
    """Stands in for the dossiers' release hook during a test (the real one is restored afterwards)."""
    released: list[int] = []
    monkeypatch.setitem(
        signature_requests._released_hooks, SOURCE, [lambda request, pdf: released.append(request.pk)]
    )
    return released


@pytest.mark.django_db
def test_a_leader_cannot_sign_the_same_document_twice(pki: Any, released_to: list[int]) -> None:
    request = queue(pki)
    services.sign_request(request=request, actor=pki.leader, pin=pki.pin, level="B-B")
    for _ in range(2):  # the leader presses "sign" again, on the page or in a batch
        with pytest.raises(DomainError, match=r"Bạn đã ký số văn bản .* không ký lần thứ hai"):
            services.sign_request(request=request, actor=pki.leader, pin=pki.pin, level="B-B")
    result = services.batch_sign(requests=[request], actor=pki.leader, purpose="personal", pin=pki.pin)
    assert result.failed == 1 and "không ký lần thứ hai" in result.items[0].message
    assert SignatureRecord.objects.filter(request=request, actor=pki.leader).count() == 1
    assert AuditEntry.objects.filter(action="signed").count() == 1
    request.refresh_from_db()
    assert request.status == SignatureRequest.Status.AWAITING_SEAL and request.last_error == ""
    assert not services.awaits_signature_from(request, pki.leader)
    assert services.awaits_signature_from(request, pki.clerk)
    services.sign_request(request=request, actor=pki.clerk, level="B-B")
    assert released_to == [request.pk]


@pytest.mark.django_db(transaction=True)
def test_two_calls_at_once_make_one_personal_signature(pki: Any) -> None:
    request = queue(pki)
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def sign() -> None:
        try:
            start.wait()
            services.sign_request(
                request=SignatureRequest.objects.get(pk=request.pk),
                actor=pki.leader,
                pin=pki.pin,
                level="B-B",
            )
            outcomes.append("signed")
        except DomainError as exc:
            outcomes.append(" ".join(exc.messages))
        except BaseException as exc:  # a 500 for the officer
            outcomes.append(f"crash: {exc!r}")
        finally:
            connection.close()

    threads = [threading.Thread(target=sign) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes)[1] == "signed", outcomes
    assert "Bạn đã ký số văn bản" in sorted(outcomes)[0] and "không ký lần thứ hai" in sorted(outcomes)[0]
    assert SignatureRecord.objects.filter(request=request).count() == 1
    assert AuditEntry.objects.filter(action="signed").count() == 1
    assert len(signed_files()) == 1  # the loser's file is not left behind
    request.refresh_from_db()
    assert request.status == SignatureRequest.Status.AWAITING_SEAL


@pytest.mark.django_db
def test_cancelled_requests_cannot_be_signed(pki: Any, released_to: list[int]) -> None:
    waiting_for_leader = queue(pki, "41")
    waiting_for_seal = queue(pki, "42", "Giấy phép kinh doanh")
    services.sign_request(request=waiting_for_seal, actor=pki.leader, pin=pki.pin, level="B-B")
    other = queue(pki, "43", "Văn bản của hồ sơ khác")
    with transaction.atomic():  # the caller's transaction (the dossier's state change)
        cancelled = services.cancel_requests_for_source(
            source_type=SOURCE, source_id="41", reason="Công dân rút hồ sơ.", actor=pki.desk
        ) + services.cancel_requests_for_source(
            source_type=SOURCE, source_id="42", reason="Dừng xử lý hồ sơ.", actor=pki.desk
        )
    assert sorted(r.pk for r in cancelled) == sorted([waiting_for_leader.pk, waiting_for_seal.pk])
    assert other.status == SignatureRequest.objects.get(pk=other.pk).status == "awaiting_leader"
    entry = AuditEntry.objects.get(object_id=str(waiting_for_leader.pk), data__status="cancelled")
    assert entry.actor == pki.desk and entry.data["reason"] == "Công dân rút hồ sơ."
    assert entry.data["previous_status"] == "awaiting_leader"

    records = SignatureRecord.objects.count()
    for request, actor in ((waiting_for_leader, pki.leader), (waiting_for_seal, pki.clerk)):
        with pytest.raises(DomainError, match="đã bị hủy"):
            services.sign_request(request=request, actor=actor, pin=pki.pin, level="B-B")
        assert not services.awaits_signature_from(request, actor)
    batch = services.batch_sign(requests=[waiting_for_seal], actor=pki.clerk, purpose="agency", level="B-B")
    assert batch.failed == 1 and "đã bị hủy" in batch.items[0].message
    assert SignatureRecord.objects.count() == records and released_to == []
    # Cancelled twice is cancelled once; a new request for the source is a new one.
    assert (
        services.cancel_requests_for_source(source_type=SOURCE, source_id="41", reason="", actor=None) == []
    )
    again = queue(pki, "41")
    assert again.pk != waiting_for_leader.pk and again.status == "awaiting_leader"


@pytest.mark.django_db
def test_a_cancellation_rolls_back_with_the_callers_transaction(pki: Any) -> None:
    request = queue(pki)

    class StateChangeFailed(Exception):
        pass

    with pytest.raises(StateChangeFailed), transaction.atomic():
        services.cancel_requests_for_source(
            source_type=SOURCE, source_id="41", reason="Rút hồ sơ.", actor=None
        )
        raise StateChangeFailed
    request.refresh_from_db()
    assert request.status == "awaiting_leader"
    assert not AuditEntry.objects.filter(data__status="cancelled").exists()


@pytest.mark.django_db
def test_a_release_hook_that_fails_records_no_signature(pki: Any, monkeypatch: Any) -> None:
    def refuse(request: SignatureRequest, pdf: bytes) -> None:
        raise DomainError("Hồ sơ đã được công dân rút: không phát hành kết quả.")

    monkeypatch.setitem(signature_requests._released_hooks, SOURCE, [refuse])
    request = queue(pki)
    services.sign_request(request=request, actor=pki.leader, pin=pki.pin, level="B-B")
    request.refresh_from_db()
    before = (request.current_path, request.current_sha256, signed_files())
    with pytest.raises(DomainError, match="Hồ sơ đã được công dân rút: không phát hành kết quả"):
        services.sign_request(request=request, actor=pki.clerk, level="B-B")
    assert not SignatureRecord.objects.filter(request=request, purpose="agency").exists()
    assert AuditEntry.objects.filter(action="signed").count() == 1  # the leader's only
    request.refresh_from_db()
    assert request.status == "awaiting_seal" and request.released_at is None
    assert (request.current_path, request.current_sha256, signed_files()) == before

    # In a batch the officer reads the hook's message for that document.
    batch = services.batch_sign(requests=[request], actor=pki.clerk, purpose="agency", level="B-B")
    assert (
        batch.failed == 1 and batch.items[0].message == "Hồ sơ đã được công dân rút: không phát hành kết quả."
    )
    assert not SignatureRecord.objects.filter(request=request, purpose="agency").exists()

    # Once the owner accepts, the same signature goes through.
    monkeypatch.setitem(signature_requests._released_hooks, SOURCE, [])
    services.sign_request(request=request, actor=pki.clerk, level="B-B")
    request.refresh_from_db()
    assert request.status == "released" and request.signatures.count() == 2


@pytest.mark.django_db
def test_the_owner_locks_and_may_refuse_before_the_request_is_signed(pki: Any, monkeypatch: Any) -> None:
    seen: list[tuple[int, bool]] = []

    def owner(request: SignatureRequest) -> None:
        seen.append((request.pk, transaction.get_connection().in_atomic_block))
        if request.source_id == "44":
            raise DomainError("Hồ sơ đang được cập nhật, vui lòng thử lại.")

    monkeypatch.setitem(signature_requests._signing_hooks, SOURCE, [owner])
    refused, accepted = queue(pki, "44"), queue(pki, "45")
    with pytest.raises(DomainError, match="Hồ sơ đang được cập nhật"):
        services.sign_request(request=refused, actor=pki.leader, pin=pki.pin, level="B-B")
    services.sign_request(request=accepted, actor=pki.leader, pin=pki.pin, level="B-B")
    assert seen == [(refused.pk, True), (accepted.pk, True)]
    assert list(SignatureRecord.objects.values_list("request_id", flat=True)) == [accepted.pk]
