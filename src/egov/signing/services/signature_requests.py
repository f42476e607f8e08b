"""Signature requests: a document queued for the leader's signature then the agency's (the clerk), signed one
at a time or in batches, released to the app that owns it (``on_released`` hooks), or cancelled with it."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from pyhanko.sign.signers.pdf_cms import Signer

from egov.accounts.models import User
from egov.accounts.roles import Role
from egov.accounts.scopes import holds_role
from egov.agencies.models import Agency
from egov.audit.services import record
from egov.core.errors import DomainError
from egov.signing import appearance as look
from egov.signing.models import Purpose, SignatureRecord, SignatureRequest, SigningBatch
from egov.signing.selectors import (
    NotAwaitingSignature,
    refuse_unless_awaiting,
)
from egov.signing.services.pades import (
    Prepared,
    SignedDocument,
    prepare_signer,
    read_pdf,
    sha256,
    sign_with_key,
    signing_key,
)

logger = logging.getLogger(__name__)


@dataclass
class BatchItemResult:
    request: SignatureRequest
    ok: bool
    message: str = ""
    signed: SignedDocument | None = None


@dataclass
class BatchResult:
    batch: SigningBatch
    items: list[BatchItemResult] = field(default_factory=list)

    @property
    def succeeded(self) -> int:
        return sum(1 for item in self.items if item.ok)

    @property
    def failed(self) -> int:
        return sum(1 for item in self.items if not item.ok)


ReleasedHook = Callable[[SignatureRequest, bytes], None]
SigningHook = Callable[[SignatureRequest], None]
SignedHook = Callable[[SignatureRequest, SignatureRecord], None]
_released_hooks: dict[str, list[ReleasedHook]] = {}
_signing_hooks: dict[str, list[SigningHook]] = {}
_signed_hooks: dict[str, list[SignedHook]] = {}
OPEN = (SignatureRequest.Status.AWAITING_LEADER, SignatureRequest.Status.AWAITING_SEAL)
"""The statuses of a request that still waits for a signature."""


def on_released(source_type: str, hook: ReleasedHook) -> None:
    """Call ``hook(request, signed_pdf)`` inside the releasing transaction of every request whose
    ``source_type`` is ``source_type`` (e.g. ``"dossiers.dossier"``). Register it in your ``AppConfig.ready``.

    The signature and the hook commit together: if the hook raises (a ``DomainError`` with a Vietnamese
    message, say), the signature is not recorded either and the signer gets that error."""
    _released_hooks.setdefault(source_type, []).append(hook)


def on_signing(source_type: str, hook: SigningHook) -> None:
    """Call ``hook(request)`` first in the transaction of every signature of a request whose ``source_type`` is
    ``source_type``, before the request's row is locked. The owner locks its own row there (and may refuse
    with a ``DomainError``), so a signature takes the locks in the order its state changes take them — the
    owner's row, then the request's (:func:`cancel_requests_for_source`) — and the two never deadlock."""
    _signing_hooks.setdefault(source_type, []).append(hook)


def on_signed(source_type: str, hook: SignedHook) -> None:
    """Call ``hook(request, record)`` inside the transaction of every signature made on a request whose
    ``source_type`` is ``source_type`` — the leader's, then the agency's — once the request has moved on and
    before the release hooks run: the owner records who signed and when, and tells whoever signs next."""
    _signed_hooks.setdefault(source_type, []).append(hook)


def _store(data: bytes, *, folder: str) -> str:
    name = f"signing/{folder}/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.pdf"
    return default_storage.save(name, ContentFile(data))


def read_document_stream(path: str) -> Any:
    return default_storage.open(path, "rb")


def read_document(path: str) -> bytes:
    with default_storage.open(path, "rb") as handle:
        return bytes(handle.read())


def request_signatures(
    *,
    agency: Agency,
    pdf: bytes | None = None,
    path: str = "",
    title: str,
    number_notation: str = "",
    leader: User | None = None,
    placement: look.Rect | None = None,
    source_type: str = "",
    source_id: str = "",
    created_by: User | None = None,
) -> SignatureRequest:
    """Queue a document for the leader's signature then the agency's (clerk). Give the PDF as bytes (stored
    under ``signing/``) or as ``path`` in the default storage. Idempotent per ``(source_type, source_id)``: a
    request still open for the same source is returned as is."""
    if source_type and source_id:
        existing = SignatureRequest.objects.filter(
            source_type=source_type, source_id=source_id, agency=agency
        ).exclude(status=SignatureRequest.Status.CANCELLED)
        found = existing.first()
        if found is not None:
            return found
    if pdf is None:
        if not path:
            raise DomainError("Cần tệp PDF cần ký.")
        pdf = read_document(path)
    read_pdf(pdf)
    if leader is not None and not holds_role(leader, agency, Role.LEADER):
        raise DomainError(f"{leader.full_name} không phải lãnh đạo của {agency.name}.")
    stored = path or _store(pdf, folder="originals")
    digest = sha256(pdf)
    with transaction.atomic():
        request = SignatureRequest.objects.create(
            agency=agency,
            title=title[:500],
            number_notation=number_notation,
            source_type=source_type,
            source_id=source_id,
            original_path=stored,
            original_sha256=digest,
            current_path=stored,
            current_sha256=digest,
            leader=leader,
            placement=placement.to_json() if placement else {},
            created_by=created_by,
        )
        record(action="created", actor=created_by, target=request, data={"sha256": digest})
    return request


def _sign_request_with(
    *, key: Signer, prepared: Prepared, request: SignatureRequest, actor: User
) -> SignedDocument:
    """One signature on ``request``, in one transaction: the owner's hooks lock its row, the request's row is
    locked and checked again (another click, another officer, a cancellation may have come first), the
    document signed and stored, the request moved on and, when released, the owner told. Anything raised on
    the way — by a check or by the owner's hook — leaves nothing recorded and no file behind."""
    stored = ""
    try:
        with transaction.atomic():
            for hook in _signing_hooks.get(request.source_type, []):
                hook(request)
            locked = SignatureRequest.objects.select_for_update().select_related("agency").get(pk=request.pk)
            refuse_unless_awaiting(locked, actor, prepared.purpose)
            pdf = read_document(locked.current_path)
            if sha256(pdf) != locked.current_sha256:
                raise DomainError("Tệp văn bản đã bị thay đổi so với bản được trình ký: không ký.")
            personal = prepared.purpose == Purpose.PERSONAL
            signed = sign_with_key(
                key=key,
                prepared=prepared,
                pdf=pdf,
                actor=actor,
                appearance="signature" if personal else "seal",
                placement=look.Rect.from_json(locked.placement) if personal and locked.placement else None,
                number_notation=locked.number_notation,
                reason=locked.title[:200],
                request=locked,
            )
            stored = _store(signed.content, folder="signed")
            SignatureRecord.objects.filter(pk=signed.record.pk).update(output_path=stored)
            signed.record.output_path = stored
            locked.current_path = stored
            locked.current_sha256 = signed.sha256
            locked.last_error = ""
            if personal:
                locked.status = SignatureRequest.Status.AWAITING_SEAL
            else:
                locked.status = SignatureRequest.Status.RELEASED
                locked.released_at = timezone.now()
            locked.save()
            for signed_hook in _signed_hooks.get(locked.source_type, []):
                signed_hook(locked, signed.record)
            if locked.status == SignatureRequest.Status.RELEASED:
                record(action="updated", actor=actor, target=locked, data={"released": signed.sha256})
                for released in _released_hooks.get(locked.source_type, []):
                    released(locked, signed.content)
    except BaseException:
        if stored:
            default_storage.delete(stored)
        raise
    request.__dict__.update({k: v for k, v in locked.__dict__.items() if k != "_state"})
    return signed


def sign_request(
    *, request: SignatureRequest, actor: User, pin: str | None = None, level: str | None = None
) -> SignedDocument:
    """The next signature a request waits for: the leader's own (``actor`` is the leader) or, after it, the
    agency's (``actor`` is the clerk), which releases the document. Refused (Vietnamese ``DomainError``, nothing
    signed) when the request was cancelled or released, or when ``actor`` has already signed it — also when two
    calls come at once: the request's row is locked, the second one finds the first one's signature."""
    request.refresh_from_db()
    purpose = refuse_unless_awaiting(request, actor, None)
    signer: User | Agency = actor if purpose == Purpose.PERSONAL else request.agency
    prepared = prepare_signer(signer=signer, purpose=purpose, actor=actor, level=level)
    with signing_key(prepared.certificate, pin=pin) as key:
        return _sign_request_with(key=key, prepared=prepared, request=request, actor=actor)


def cancel_requests_for_source(
    *, source_type: str, source_id: str, reason: str, actor: User | None
) -> list[SignatureRequest]:
    """Cancel every request of the source that still waits for a signature (e.g. the dossier whose result it
    is was withdrawn or stopped), in the caller's transaction: each row locked, marked cancelled, audited
    with ``reason``. No signature can be made on them afterwards (``sign_request`` refuses in Vietnamese); a
    new :func:`request_signatures` for the source makes a new request. Returns the requests cancelled."""
    with transaction.atomic():
        cancelled = list(
            SignatureRequest.objects.select_for_update()
            .filter(source_type=source_type, source_id=source_id, status__in=OPEN)
            .order_by("pk")
        )
        for request in cancelled:
            previous = request.status
            request.status = SignatureRequest.Status.CANCELLED
            request.last_error = ""
            request.save(update_fields=["status", "last_error", "updated_at"])
            record(
                action="updated",
                actor=actor,
                target=request,
                data={"status": request.status, "previous_status": previous, "reason": reason},
            )
    return cancelled


def iter_batch_sign(
    *,
    requests: Iterable[SignatureRequest],
    actor: User,
    purpose: str,
    pin: str | None = None,
    level: str | None = None,
) -> Iterator[tuple[BatchItemResult, SigningBatch]]:
    """:func:`batch_sign` one document at a time: yields each result as soon as it is signed (for progress)."""
    items = list(requests)
    batch = SigningBatch.objects.create(actor=actor, purpose=purpose, total=len(items))
    if items:
        if purpose == Purpose.AGENCY and len({item.agency_id for item in items}) > 1:
            raise DomainError("Một lượt ký số cơ quan chỉ gồm văn bản của một cơ quan.")
        signer: User | Agency = actor if purpose == Purpose.PERSONAL else items[0].agency
        prepared = prepare_signer(signer=signer, purpose=purpose, actor=actor, level=level)
        with signing_key(prepared.certificate, pin=pin) as key:
            for item in items:
                try:
                    signed = _sign_request_with(key=key, prepared=prepared, request=item, actor=actor)
                    outcome = BatchItemResult(request=item, ok=True, signed=signed)
                    batch.done += 1
                except DomainError as exc:
                    message = " ".join(exc.messages)
                    if not isinstance(exc, NotAwaitingSignature):  # the document's problem, shown on the list
                        SignatureRequest.objects.filter(pk=item.pk).update(last_error=message[:500])
                    outcome = BatchItemResult(request=item, ok=False, message=message)
                    batch.failed += 1
                except Exception:  # one broken document must not stop the batch
                    logger.exception("batch signing item failed", extra={"request": item.pk})
                    message = "Lỗi không xác định khi ký văn bản này; các văn bản khác không bị ảnh hưởng."
                    outcome = BatchItemResult(request=item, ok=False, message=message)
                    batch.failed += 1
                SigningBatch.objects.filter(pk=batch.pk).update(done=batch.done, failed=batch.failed)
                yield outcome, batch
    batch.finished_at = timezone.now()
    batch.save(update_fields=["finished_at", "done", "failed"])


def batch_sign(
    *,
    requests: Iterable[SignatureRequest],
    actor: User,
    purpose: str,
    pin: str | None = None,
    level: str | None = None,
    on_progress: Callable[[BatchItemResult, SigningBatch], None] | None = None,
) -> BatchResult:
    """Sign many requests in one action, each separately (its own signature, file and transaction): a failure
    in one is reported and does not stop or affect the others. The key is opened once (one PIN entry).
    ``purpose="personal"``: the leader signs requests awaiting the leader; ``"agency"``: the clerk applies the
    agency's signature to requests awaiting it (all of one agency). ``on_progress`` is called after each.
    A wrong PIN or an unusable certificate fails the whole batch before anything is signed (``DomainError``)."""
    items = list(requests)
    if not items:
        return BatchResult(
            batch=SigningBatch.objects.create(
                actor=actor, purpose=purpose, total=0, finished_at=timezone.now()
            )
        )
    result: BatchResult | None = None
    for outcome, batch in iter_batch_sign(requests=items, actor=actor, purpose=purpose, pin=pin, level=level):
        if result is None:
            result = BatchResult(batch=batch)
        result.items.append(outcome)
        if on_progress is not None:
            on_progress(outcome, batch)
    assert result is not None
    result.batch.refresh_from_db()
    return result


def cancel_request(*, request: SignatureRequest, actor: User | None, reason: str) -> bool:
    """Close a request still waiting for a signature without signing it (its document will not be issued as it
    is: the dossier left the state it was made for). Returns whether it was open. Inside the caller's
    transaction when there is one."""
    with transaction.atomic():
        closed = SignatureRequest.objects.filter(
            pk=request.pk,
            status__in=(SignatureRequest.Status.AWAITING_LEADER, SignatureRequest.Status.AWAITING_SEAL),
        ).update(status=SignatureRequest.Status.CANCELLED, last_error=reason[:500])
        if closed:
            record(
                action="updated",
                actor=actor,
                target=request,
                actor_label="" if actor else "hệ thống",
                data={"status": SignatureRequest.Status.CANCELLED, "reason": reason[:300]},
            )
    return bool(closed)
