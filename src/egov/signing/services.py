"""Signing services: every write of the ``signing`` app.

The contract other apps use (docs/architecture.md, "Signing"):

- :func:`sign_pdf` — sign PDF bytes once, as an official (``purpose="personal"``) or as an agency
  (``purpose="agency"``), and get a :class:`SignedDocument` (bytes + the :class:`SignatureRecord`).
- :func:`request_signatures` — put a document in the leader → clerk flow (a :class:`SignatureRequest`);
  :func:`sign_request` / :func:`batch_sign` move it on; ``on_released`` hooks tell the owner app.
- :func:`verify_pdf` (in :mod:`egov.signing.verification`, re-exported here) — the report on a signed file.

Every failure is a ``DomainError`` with a Vietnamese message, raised before anything is written: the input
document is unchanged and nothing is half-signed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import logging
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.general import SigningError
from pyhanko.sign.signers.pdf_cms import Signer
from pyhanko.sign.timestamps.common_utils import TimestampRequestError
from pyhanko_certvalidator import ValidationContext

from egov.accounts.models import User
from egov.accounts.roles import Role
from egov.accounts.scopes import ensure_role, holds_role
from egov.agencies.models import Agency
from egov.audit.services import record
from egov.core.errors import DomainError
from egov.signing import appearance as look
from egov.signing.certificates import (
    check_before_signing,
    fingerprint_of,
    forget_local_crls,
    load_certificate,
)
from egov.signing.models import (
    Level,
    Purpose,
    SignatureImage,
    SignatureRecord,
    SignatureRequest,
    SigningBatch,
    SigningCertificate,
    TrustedRoot,
)
from egov.signing.registry import get_backend
from egov.signing.timestamping import configured_timestamper
from egov.signing.verification import VerificationReport, verify_pdf

logger = logging.getLogger(__name__)
VIETNAM = dt.timezone(dt.timedelta(hours=7), "ICT")
AGENCY_SIGNING_ROLES = (Role.CLERK, Role.LEADER, Role.RECEIVING_OFFICER)
"""Who may apply the agency's signature: the clerk (văn thư), the leader, and the one-stop desk for forms."""


@dataclass(frozen=True)
class SignedDocument:
    """The result of one signature: the signed PDF and the record of the signature."""

    content: bytes
    sha256: str
    level: str
    record: SignatureRecord


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
_released_hooks: dict[str, list[ReleasedHook]] = {}


def on_released(source_type: str, hook: ReleasedHook) -> None:
    """Call ``hook(request, signed_pdf)`` inside the releasing transaction of every request whose
    ``source_type`` is ``source_type`` (e.g. ``"dossiers.dossier"``). Register it in your ``AppConfig.ready``."""
    _released_hooks.setdefault(source_type, []).append(hook)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --- Certificates and what a signature looks like ------------------------------------------------------


def certificate_for(signer: User | Agency, purpose: str) -> SigningCertificate:
    """The signer's current certificate for ``purpose`` (the one valid longest)."""
    now = timezone.now()
    qs = SigningCertificate.objects.filter(purpose=purpose, is_active=True).select_related("user", "agency")
    qs = qs.filter(user=signer) if isinstance(signer, User) else qs.filter(agency=signer, user__isnull=True)
    found = (
        qs.filter(not_before__lte=now, not_after__gte=now).order_by("-not_after").first()
        or qs.order_by("-not_after").first()
    )
    if found is None:
        who = signer.full_name if isinstance(signer, User) else signer.name
        raise DomainError(f"{who} chưa có chứng thư số đăng ký trên hệ thống để ký.")
    return found


def _image_of(*, user: User | None = None, agency: Agency | None = None) -> SignatureImage | None:
    if user is not None:
        return SignatureImage.objects.filter(user=user).first()
    return SignatureImage.objects.filter(agency=agency).first()


@dataclass(frozen=True)
class _Visible:
    style: Any
    rect: look.Rect | None


def _read_pdf(pdf: bytes) -> PdfFileReader:
    return _open_pdf(pdf).prev


def _open_pdf(pdf: bytes) -> IncrementalPdfFileWriter:
    """The writer that will add the signature to ``pdf`` (its reader, ``.prev``, serves every check: the file is
    parsed once); ``DomainError`` when it is not a PDF that can be signed."""
    if len(pdf) > settings.EGOV_SIGNING_MAX_PDF_MB * 1024 * 1024:
        raise DomainError(f"Tệp PDF lớn hơn {settings.EGOV_SIGNING_MAX_PDF_MB} MB.")
    if not pdf.lstrip()[:5] == b"%PDF-":
        raise DomainError("Tệp không phải PDF.")
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
        reader = writer.prev
        if reader.encrypted:
            raise DomainError(
                "Tệp PDF đã được đặt mật khẩu (mã hóa): không ký được. Hãy gửi bản không mã hóa."
            )
        reader.root["/Pages"]
        _ = len(reader.embedded_signatures)
    except DomainError:
        raise
    except (PdfError, ValueError, KeyError, TypeError, IndexError, AttributeError) as exc:
        raise DomainError("Tệp PDF bị hỏng hoặc không đọc được: không ký được.") from exc
    return writer


def _page_size(reader: PdfFileReader, page: int) -> tuple[int, float, float]:
    pages = reader.root["/Pages"]["/Count"]
    index = page if page >= 0 else pages + page
    if not 0 <= index < pages:
        raise DomainError("Vị trí chữ ký nằm ngoài số trang của tài liệu.")
    box = reader.find_page_for_modification(index)[0].get_object()
    media = box.get("/MediaBox") or reader.root["/Pages"].get("/MediaBox") or [0, 0, 595, 842]
    return index, float(media[2]) - float(media[0]), float(media[3]) - float(media[1])


def _last_visible_signature(reader: PdfFileReader) -> look.Rect | None:
    """The rectangle of the last visible personal signature already on the document (the seal goes over it)."""
    for embedded in reversed(reader.embedded_signatures):
        annotation = embedded.sig_field
        rect = annotation.get("/Rect")
        if not rect or abs(float(rect[2]) - float(rect[0])) < 1:
            continue
        page_ref = annotation.get("/P")
        index = -1
        if page_ref is not None:
            for number in range(reader.root["/Pages"]["/Count"]):
                if reader.find_page_for_modification(number)[1] == page_ref.idnum:
                    index = number
                    break
        (x1, x2), (y1, y2) = (
            sorted([float(rect[0]), float(rect[2])]),
            sorted([float(rect[1]), float(rect[3])]),
        )
        return look.Rect(index, x1, y1, x2, y2)
    return None


def _visible(
    *,
    reader: PdfFileReader,
    certificate: SigningCertificate,
    appearance: str,
    placement: look.Rect | None,
    number_notation: str,
    signing_time: dt.datetime,
) -> _Visible:
    if appearance == "invisible":
        return _Visible(None, None)
    if appearance == "signature":
        assert certificate.user is not None
        image = _image_of(user=certificate.user)
        if placement is None:
            index, width, height = _page_size(reader, -1)
            placement = look.default_signer_rect(index, width, height)
        style = look.SignerStampStyle(
            position=image.position if image else "",
            full_name=certificate.user.full_name,
            image=look.load_png(bytes(image.png)) if image else None,
        )
        return _Visible(style, placement)
    if appearance == "seal":
        image = _image_of(agency=certificate.agency)
        if image is None:
            raise DomainError(f"{certificate.agency.name} chưa có ảnh con dấu để thể hiện chữ ký số cơ quan.")
        if placement is None:
            signer_rect = _last_visible_signature(reader)
            if signer_rect is None:
                raise DomainError("Tài liệu chưa có chữ ký của người có thẩm quyền để đóng dấu lên.")
            placement = look.seal_rect_over(signer_rect)
        return _Visible(look.SealStampStyle(image=look.load_png(bytes(image.png))), placement)
    if appearance == "text":
        if placement is None:
            _, width, height = _page_size(reader, 0)
            placement = look.default_text_stamp_rect(width, height)
        lines = [certificate.agency.name]
        if number_notation:
            lines.append(
                f"Số: {number_notation}" if not number_notation.startswith("Số") else number_notation
            )
        lines.append(signing_time.astimezone(VIETNAM).isoformat(timespec="seconds"))
        return _Visible(look.TextStampStyle(lines=tuple(lines)), placement)
    raise DomainError(f"Kiểu thể hiện chữ ký không hợp lệ: {appearance}.")


# --- Checks on the document and on who signs ----------------------------------------------------------


def _check_existing_signatures(reader: PdfFileReader, certificate: SigningCertificate) -> None:
    """Signatures already on the document must come from this agency's own certificates (the leader before the
    clerk); a file signed by someone else is not signed over, and nobody signs the same file twice."""
    if not reader.embedded_signatures:
        return
    fingerprints = []
    for embedded in reader.embedded_signatures:
        try:
            fingerprints.append(fingerprint_of(embedded.signer_cert))
        except (ValueError, KeyError, AttributeError) as exc:
            raise DomainError("Tệp có chữ ký số không đọc được: không ký tiếp.") from exc
    if certificate.fingerprint in fingerprints:
        raise DomainError("Tài liệu đã có chữ ký của chứng thư số này; không ký lần thứ hai.")
    known = set(
        SigningCertificate.objects.filter(
            agency=certificate.agency, fingerprint__in=fingerprints
        ).values_list("fingerprint", flat=True)
    )
    strangers = [fp for fp in fingerprints if fp not in known]
    if strangers:
        raise DomainError(
            "Tệp đã được ký bởi người hoặc tổ chức khác, không thuộc cơ quan này: không ký tiếp lên tệp đó."
        )


def _check_actor(actor: User | None, certificate: SigningCertificate) -> None:
    if actor is None:
        if certificate.purpose == Purpose.PERSONAL:
            raise DomainError("Chữ ký cá nhân phải do chính người ký thực hiện.")
        return
    if certificate.purpose == Purpose.PERSONAL:
        if certificate.user_id != actor.pk:
            raise DomainError("Chỉ chủ sở hữu chứng thư số mới được ký bằng chứng thư đó.")
        return
    ensure_role(actor, certificate.agency, *AGENCY_SIGNING_ROLES)


def _checked_context(
    certificate: SigningCertificate, purpose: str, *, need_context: bool
) -> ValidationContext | None:
    """``check_before_signing``, reused for ``EGOV_SIGNING_CHECK_SECONDS`` when no validation data is needed
    (B-B, B-T). B-LT and B-LTA always check afresh: the data gathered goes into the document."""
    key = f"signing:checked:{certificate.pk}:{certificate.fingerprint[:16]}"
    if not need_context and cache.get(key):
        return None
    context = check_before_signing(certificate, purpose=purpose)
    cache.set(key, True, settings.EGOV_SIGNING_CHECK_SECONDS)
    return context


def forget_certificate_checks(certificate: SigningCertificate) -> None:
    """Check ``certificate`` afresh before its next signature, and close its key if the server keeps it open."""
    from egov.signing.contrib.pkcs12.backend import forget_server_keys

    cache.delete(f"signing:checked:{certificate.pk}:{certificate.fingerprint[:16]}")
    forget_server_keys(certificate.fingerprint)
    forget_local_crls()


def _effective_level(level: str | None) -> str:
    has_tsa = bool(settings.EGOV_SIGNING_TSA_URL)
    if level is None:
        return Level.B_LT if has_tsa else Level.B_B
    if level not in Level.values:
        raise DomainError(f"Mức chữ ký không hợp lệ: {level}.")
    return level


# --- Signing ------------------------------------------------------------------------------------------


@dataclass
class _Prepared:
    certificate: SigningCertificate
    purpose: str
    level: str


def _prepare(
    *, signer: User | Agency | SigningCertificate, purpose: str, actor: User | None, level: str | None
) -> _Prepared:
    if purpose not in Purpose.values:
        raise DomainError("Loại chữ ký phải là “personal” (cá nhân) hoặc “agency” (cơ quan).")
    certificate = signer if isinstance(signer, SigningCertificate) else certificate_for(signer, purpose)
    if certificate.purpose != purpose:
        raise DomainError(
            "Chứng thư số cá nhân không dùng để ký thay cơ quan."
            if certificate.purpose == Purpose.PERSONAL
            else "Chứng thư số của cơ quan không dùng làm chữ ký cá nhân."
        )
    _check_actor(actor, certificate)
    return _Prepared(certificate, purpose, _effective_level(level))


_reserved_sizes: dict[tuple[str, str, str], int] = {}


def _timestamper_identity(timestamper: Any) -> str:
    if timestamper is None:
        return ""
    return str(getattr(timestamper, "identity", None) or getattr(timestamper, "url", "") or type(timestamper))


class _SizeRememberingPdfSigner(signers.PdfSigner):
    """pyHanko's signer, reusing the space reserved for the CMS object from the previous signature with the
    same certificate, level and time-stamping authority.

    pyHanko sizes that space by building a complete dummy signature first (and adds 50 % for time stamps whose
    size varies), which costs as much as the real one. The size depends only on the certificate, chain, level
    and TSA, so it is estimated once per process and key; should a signature ever not fit, pyHanko refuses to
    write it (nothing is returned) and the signature is made again with a fresh estimate."""

    def __init__(self, *args: Any, size_key: tuple[str, str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.size_key = size_key

    def init_signing_session(self, pdf_out: Any, existing_fields_only: bool = False) -> Any:
        session = super().init_signing_session(pdf_out, existing_fields_only=existing_fields_only)
        estimate = session.estimate_signature_container_size
        size_key = self.size_key

        async def remembered(validation_info: Any, tight: bool = False) -> int:
            size = _reserved_sizes.get(size_key)
            if size is None:
                size = _reserved_sizes[size_key] = await estimate(validation_info, tight=tight)
            return size

        session.estimate_signature_container_size = remembered  # type: ignore[method-assign]
        return session

    def sign_pdf_bytes(self, writer: IncrementalPdfFileWriter, pdf: bytes) -> Any:
        try:
            return self.sign_pdf(writer)
        except SigningError as exc:
            if "larger than expected" not in str(exc) or self.size_key not in _reserved_sizes:
                raise
        _reserved_sizes.pop(self.size_key, None)
        logger.info("signature container outgrew the remembered size; estimating afresh")
        return self.sign_pdf(_open_pdf(pdf))


def _sign_with(
    *,
    key: Signer,
    prepared: _Prepared,
    pdf: bytes,
    actor: User | None,
    appearance: str | None,
    placement: look.Rect | None,
    number_notation: str,
    reason: str,
    request: SignatureRequest | None,
) -> SignedDocument:
    certificate, level = prepared.certificate, prepared.level
    writer = _open_pdf(pdf)
    reader = writer.prev
    _check_existing_signatures(reader, certificate)
    timestamper = None
    if level != Level.B_B:
        timestamper = configured_timestamper()
        if timestamper is None:
            raise DomainError(f"Chưa cấu hình máy chủ cấp dấu thời gian (TSA) nên không ký được mức {level}.")
    context = _checked_context(certificate, prepared.purpose, need_context=level in (Level.B_LT, Level.B_LTA))
    if appearance is None:
        appearance = (
            "signature"
            if prepared.purpose == Purpose.PERSONAL
            else ("seal" if reader.embedded_signatures else "text")
        )
    signing_time = timezone.now()
    visible = _visible(
        reader=reader,
        certificate=certificate,
        appearance=appearance,
        placement=placement,
        number_notation=number_notation,
        signing_time=signing_time,
    )
    field_name = (
        f"{'ChuKyCaNhan' if prepared.purpose == Purpose.PERSONAL else 'ChuKyCoQuan'}-{uuid.uuid4().hex[:8]}"
    )
    page = 0
    if visible.rect is not None:
        page, _, _ = _page_size(reader, visible.rect.page)
    meta = signers.PdfSignatureMetadata(
        field_name=field_name,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason or None,
        location=certificate.agency.name,
        name=certificate.user.full_name if certificate.user else certificate.agency.name,
        embed_validation_info=level in (Level.B_LT, Level.B_LTA),
        validation_context=context,
        use_pades_lta=level == Level.B_LTA,
        signer_key_usage={"digital_signature"} if level in (Level.B_LT, Level.B_LTA) else set(),
    )
    field_spec = fields.SigFieldSpec(
        sig_field_name=field_name,
        on_page=page,
        box=visible.rect.as_box() if visible.rect is not None else None,
    )
    pdf_signer = _SizeRememberingPdfSigner(
        meta,
        key,
        timestamper=timestamper,
        stamp_style=visible.style,
        new_field_spec=field_spec,
        size_key=(certificate.fingerprint, level, _timestamper_identity(timestamper)),
    )
    try:
        output = pdf_signer.sign_pdf_bytes(writer, pdf)
    except TimestampRequestError as exc:
        raise DomainError(
            "Không lấy được dấu thời gian từ máy chủ cấp dấu thời gian (TSA): tài liệu chưa được ký. "
            "Vui lòng thử lại sau."
        ) from exc
    except SigningError as exc:
        logger.warning("signing failed", extra={"error": str(exc)})
        raise DomainError("Không ký được tài liệu (lỗi khi tạo chữ ký số). Tài liệu chưa được ký.") from exc
    content = output.getvalue()
    digest = sha256(content)
    timestamp_at = signing_time if timestamper is not None else None
    with transaction.atomic():
        signature = SignatureRecord.objects.create(
            request=request,
            purpose=prepared.purpose,
            certificate=certificate,
            actor=actor,
            level=level,
            field_name=field_name,
            input_sha256=sha256(pdf),
            output_sha256=digest,
            signed_at=signing_time,
            timestamp_at=timestamp_at,
        )
        record(
            action="signed",
            actor=actor,
            target=signature,
            actor_label="" if actor else f"Hệ thống – {certificate.agency.name}",
            data={
                "purpose": prepared.purpose,
                "level": level,
                "certificate": certificate.fingerprint,
                "certificate_subject": certificate.subject,
                "input_sha256": signature.input_sha256,
                "output_sha256": digest,
                "field": field_name,
                "request": request.pk if request else None,
            },
        )
    return SignedDocument(content=content, sha256=digest, level=level, record=signature)


@contextmanager
def signing_key(certificate: SigningCertificate, *, pin: str | None) -> Iterator[Signer]:
    """The certificate's key, opened in its backend (for several signatures in a row)."""
    with get_backend(certificate.backend).open(certificate, pin=pin) as key:
        yield key


def sign_pdf(
    *,
    pdf: bytes,
    purpose: str,
    signer: User | Agency | SigningCertificate,
    pin: str | None = None,
    actor: User | None = None,
    level: str | None = None,
    appearance: str | None = None,
    placement: look.Rect | None = None,
    number_notation: str = "",
    reason: str = "",
) -> SignedDocument:
    """Sign ``pdf`` once and return the signed bytes with the :class:`SignatureRecord` (audited).

    - ``purpose="personal"``: ``signer`` is the official (a ``User``; ``actor`` must be that same user, and
      defaults to it); the appearance shows position, signature image and name (NĐ 30).
    - ``purpose="agency"``: ``signer`` is the ``Agency``; ``actor`` is the clerk/leader/desk officer doing it,
      or ``None`` for the system itself. Appearance ``"seal"`` (over the official's signature already on the
      document; default when there is one) or ``"text"`` (top-right of page 1 with ``number_notation`` and the
      time: forms and attachments; default otherwise).
    - ``level``: ``"B-B"``, ``"B-T"``, ``"B-LT"``, ``"B-LTA"``; default B-LT when a TSA is configured, else B-B.
    - ``pin``: the PIN of a token or of a PIN-protected key file, used once and never stored.
    - ``placement``: an :class:`~egov.signing.appearance.Rect` (points, page index; -1 = last page) to put the
      signature elsewhere than the default spot; ``appearance="invisible"`` for no appearance.

    Raises ``DomainError`` (Vietnamese) — nothing signed, nothing recorded — for an expired, revoked, untrusted or
    wrong-purpose certificate, a wrong PIN, an absent token, an unreachable TSA, an encrypted or malformed PDF,
    or a PDF already signed by someone outside the agency."""
    if purpose == Purpose.PERSONAL and actor is None and isinstance(signer, User):
        actor = signer
    prepared = _prepare(signer=signer, purpose=purpose, actor=actor, level=level)
    with signing_key(prepared.certificate, pin=pin) as key:
        return _sign_with(
            key=key,
            prepared=prepared,
            pdf=pdf,
            actor=actor,
            appearance=appearance,
            placement=placement,
            number_notation=number_notation,
            reason=reason,
            request=None,
        )


# --- The leader → clerk flow --------------------------------------------------------------------------


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
    _read_pdf(pdf)
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
    *, key: Signer, prepared: _Prepared, request: SignatureRequest, actor: User, level: str | None
) -> SignedDocument:
    expected = (
        SignatureRequest.Status.AWAITING_LEADER
        if prepared.purpose == Purpose.PERSONAL
        else SignatureRequest.Status.AWAITING_SEAL
    )
    request.refresh_from_db()
    if request.status != expected:
        done = request.signatures.filter(purpose=prepared.purpose).order_by("-signed_at").first()
        if done is not None:  # a retry after success: never sign twice
            return SignedDocument(
                content=read_document(done.output_path),
                sha256=done.output_sha256,
                level=done.level,
                record=done,
            )
        raise DomainError(
            f"Văn bản “{request.title}” không ở bước chờ ký này ({request.get_status_display()})."
        )
    if prepared.purpose == Purpose.PERSONAL:
        ensure_role(actor, request.agency, Role.LEADER)
        if request.leader_id and request.leader_id != actor.pk:
            raise DomainError("Văn bản này được giao cho lãnh đạo khác ký.")
    pdf = read_document(request.current_path)
    if sha256(pdf) != request.current_sha256:
        raise DomainError("Tệp văn bản đã bị thay đổi so với bản được trình ký: không ký.")
    placement = look.Rect.from_json(request.placement) if request.placement else None
    signed = _sign_with(
        key=key,
        prepared=prepared,
        pdf=pdf,
        actor=actor,
        appearance="signature" if prepared.purpose == Purpose.PERSONAL else "seal",
        placement=placement if prepared.purpose == Purpose.PERSONAL else None,
        number_notation=request.number_notation,
        reason=request.title[:200],
        request=request,
    )
    path = _store(signed.content, folder="signed")
    with transaction.atomic():
        locked = SignatureRequest.objects.select_for_update().get(pk=request.pk)
        if locked.status != expected:  # someone else finished it meanwhile: keep theirs
            default_storage.delete(path)
            raise DomainError("Văn bản vừa được người khác ký.")
        SignatureRecord.objects.filter(pk=signed.record.pk).update(output_path=path, request=locked)
        signed.record.output_path = path
        locked.current_path = path
        locked.current_sha256 = signed.sha256
        locked.last_error = ""
        if prepared.purpose == Purpose.PERSONAL:
            locked.status = SignatureRequest.Status.AWAITING_SEAL
        else:
            locked.status = SignatureRequest.Status.RELEASED
            locked.released_at = timezone.now()
        locked.save()
        if locked.status == SignatureRequest.Status.RELEASED:
            record(action="updated", actor=actor, target=locked, data={"released": signed.sha256})
            for hook in _released_hooks.get(locked.source_type, []):
                hook(locked, signed.content)
        request.__dict__.update(locked.__dict__)
    return signed


def sign_request(
    *, request: SignatureRequest, actor: User, pin: str | None = None, level: str | None = None
) -> SignedDocument:
    """The next signature a request waits for: the leader's own (``actor`` is the leader) or, after it, the
    agency's (``actor`` is the clerk), which releases the document."""
    request.refresh_from_db()
    if request.status != SignatureRequest.Status.AWAITING_LEADER:
        mine = request.signatures.filter(actor=actor).order_by("-signed_at").first()
        if mine is not None:  # a retry by someone who already signed: their signature, never a second one
            return SignedDocument(
                content=read_document(mine.output_path),
                sha256=mine.output_sha256,
                level=mine.level,
                record=mine,
            )
    purpose = (
        Purpose.PERSONAL if request.status == SignatureRequest.Status.AWAITING_LEADER else Purpose.AGENCY
    )
    signer: User | Agency = actor if purpose == Purpose.PERSONAL else request.agency
    prepared = _prepare(signer=signer, purpose=purpose, actor=actor, level=level)
    with signing_key(prepared.certificate, pin=pin) as key:
        return _sign_request_with(key=key, prepared=prepared, request=request, actor=actor, level=level)


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
        prepared = _prepare(signer=signer, purpose=purpose, actor=actor, level=level)
        with signing_key(prepared.certificate, pin=pin) as key:
            for item in items:
                try:
                    signed = _sign_request_with(
                        key=key, prepared=prepared, request=item, actor=actor, level=level
                    )
                    outcome = BatchItemResult(request=item, ok=True, signed=signed)
                    batch.done += 1
                except DomainError as exc:
                    message = " ".join(exc.messages)
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


# --- Certificates, roots, images (administration) ----------------------------------------------------


def add_trusted_root(*, data: bytes, name: str = "", actor: User | None = None) -> list[TrustedRoot]:
    """Trust the root certificate(s) in ``data`` (PEM bundle or DER). Adding one already known reactivates it."""
    from egov.signing.certificates import read_certificates, to_pem

    roots = []
    with transaction.atomic():
        for der in read_certificates(data):
            cert = load_certificate(to_pem(der))
            if not cert.ca or cert.subject != cert.issuer:
                raise DomainError("Chỉ nạp được chứng thư gốc (tự ký, là CA).")
            root, created = TrustedRoot.objects.update_or_create(
                fingerprint=fingerprint_of(cert),
                defaults={
                    "name": name or cert.subject.human_friendly[:200],
                    "certificate_pem": to_pem(der),
                    "subject": cert.subject.human_friendly[:500],
                    "not_after": cert.not_valid_after,
                    "is_active": True,
                    "added_by": actor,
                },
            )
            record(action="created" if created else "updated", actor=actor, target=root)
            roots.append(root)
    return roots


def register_certificate(
    *,
    certificate_der: bytes,
    chain_der: Iterable[bytes] = (),
    purpose: str,
    agency: Agency,
    user: User | None = None,
    backend: str,
    backend_config: dict[str, Any] | None = None,
    key_blob: bytes = b"",
    pin_required: bool = True,
    actor: User | None = None,
) -> SigningCertificate:
    """Register a signing certificate for an official (``purpose="personal"``, ``user``) or an agency, with
    where its key lives. The certificate's own dates are its validity; checks happen at every signature."""
    from egov.signing.certificates import to_pem

    get_backend(backend)
    cert = load_certificate(to_pem(certificate_der))
    if purpose == Purpose.PERSONAL and user is None:
        raise DomainError("Chứng thư số cá nhân phải gắn với một cán bộ.")
    if purpose == Purpose.AGENCY:
        user = None
    with transaction.atomic():
        certificate, _ = SigningCertificate.objects.update_or_create(
            fingerprint=fingerprint_of(cert),
            defaults={
                "purpose": purpose,
                "user": user,
                "agency": agency,
                "certificate_pem": to_pem(certificate_der),
                "chain_pem": "".join(to_pem(d) for d in chain_der),
                "subject": cert.subject.human_friendly[:500],
                "issuer": cert.issuer.human_friendly[:500],
                "serial_number": format(cert.serial_number, "x"),
                "not_before": cert.not_valid_before,
                "not_after": cert.not_valid_after,
                "backend": backend,
                "backend_config": backend_config or {},
                "key_blob": key_blob,
                "pin_required": pin_required,
                "is_active": True,
            },
        )
        record(
            action="created", actor=actor, target=certificate, data={"fingerprint": certificate.fingerprint}
        )
    return certificate


def revoke_certificate(
    *, certificate: SigningCertificate, reason: str = "", actor: User | None = None
) -> None:
    """Stop using a certificate; when the platform's own CA issued it, publish it on that CA's CRL too."""
    from egov.signing.models import CertificateAuthority, Revocation

    issuer = load_certificate(certificate.certificate_pem).issuer
    with transaction.atomic():
        certificate.is_active = False
        certificate.save(update_fields=["is_active"])
        for authority in CertificateAuthority.objects.select_for_update():
            if load_certificate(authority.certificate_pem).subject == issuer:
                Revocation.objects.get_or_create(
                    authority=authority,
                    serial_number=certificate.serial_number,
                    defaults={"revoked_at": timezone.now(), "reason": reason},
                )
                authority.crl_number += 1
                authority.save(update_fields=["crl_number"])
        record(action="updated", actor=actor, target=certificate, data={"revoked": True, "reason": reason})
    forget_certificate_checks(certificate)


def set_signature_image(
    *,
    png: bytes,
    user: User | None = None,
    agency: Agency | None = None,
    position: str = "",
    actor: User | None = None,
) -> SignatureImage:
    """Upload an official's signature image (blue, transparent PNG) or an agency's seal image (red PNG)."""
    from PIL import Image, UnidentifiedImageError

    try:
        image = Image.open(io.BytesIO(png))
        image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise DomainError("Ảnh chữ ký, con dấu phải là tệp PNG hợp lệ.") from exc
    if image.format != "PNG":
        raise DomainError("Ảnh chữ ký, con dấu phải là tệp PNG (nền trong suốt).")
    if (user is None) == (agency is None):
        raise DomainError("Ảnh phải thuộc về một cán bộ hoặc một cơ quan.")
    with transaction.atomic():
        if user is not None:
            image_row, _ = SignatureImage.objects.update_or_create(
                user=user, defaults={"png": png, "position": position}
            )
        else:
            image_row, _ = SignatureImage.objects.update_or_create(agency=agency, defaults={"png": png})
        record(action="updated", actor=actor, target=image_row)
    return image_row


__all__ = [
    "BatchResult",
    "SignedDocument",
    "VerificationReport",
    "add_trusted_root",
    "batch_sign",
    "iter_batch_sign",
    "on_released",
    "register_certificate",
    "request_signatures",
    "revoke_certificate",
    "set_signature_image",
    "sign_pdf",
    "sign_request",
    "verify_pdf",
]


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
