"""PAdES signing: one signature on PDF bytes (:func:`sign_pdf`), as an official or as an agency.

What a signature looks like (NĐ 30 appearances, placed over the document), the checks on the document and on
who signs, the key opened in its backend, and the :class:`~egov.signing.models.SignatureRecord` with its audit
entry. Every failure is a ``DomainError`` with a Vietnamese message, raised before anything is written."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, cast

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.general import SigningError
from pyhanko.sign.signers.pdf_cms import Signer
from pyhanko.sign.timestamps.common_utils import TimestampRequestError

from egov.accounts.models import User
from egov.accounts.scopes import ensure_role
from egov.agencies.models import Agency
from egov.audit.services import record
from egov.core.errors import DomainError
from egov.signing import appearance as look
from egov.signing.certificates import fingerprint_of
from egov.signing.models import (
    Level,
    Purpose,
    SignatureImage,
    SignatureRecord,
    SignatureRequest,
    SigningCertificate,
)
from egov.signing.registry import get_backend
from egov.signing.selectors import AGENCY_SIGNING_ROLES
from egov.signing.services.certificates import certificate_for, checked_context
from egov.signing.timestamping import configured_timestamper

logger = logging.getLogger(__name__)
VIETNAM = dt.timezone(dt.timedelta(hours=7), "ICT")


@dataclass(frozen=True)
class SignedDocument:
    """The result of one signature: the signed PDF and the record of the signature."""

    content: bytes
    sha256: str
    level: str
    record: SignatureRecord


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --- What a signature looks like -----------------------------------------------------------------------


def _image_of(*, user: User | None = None, agency: Agency | None = None) -> SignatureImage | None:
    if user is not None:
        return SignatureImage.objects.filter(user=user).first()
    return SignatureImage.objects.filter(agency=agency).first()


@dataclass(frozen=True)
class _Visible:
    style: Any
    rect: look.Rect | None


def read_pdf(pdf: bytes) -> PdfFileReader:
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
    clerk); a file signed by someone else is not signed over, and nobody signs the same file twice — neither
    with the same certificate nor, for an official, with another certificate of theirs."""
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
    known = dict(
        SigningCertificate.objects.filter(
            agency=certificate.agency, fingerprint__in=fingerprints
        ).values_list("fingerprint", "user_id")
    )
    if certificate.user_id is not None and certificate.user_id in known.values():
        assert certificate.user is not None
        raise DomainError(
            f"Tài liệu đã có chữ ký số của {certificate.user.full_name} (bằng chứng thư số khác); "
            "không ký lần thứ hai."
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


def _effective_level(level: str | None) -> str:
    has_tsa = bool(settings.EGOV_SIGNING_TSA_URL)
    if level is None:
        return Level.B_LT if has_tsa else Level.B_B
    if level not in Level.values:
        raise DomainError(f"Mức chữ ký không hợp lệ: {level}.")
    return level


# --- Signing ------------------------------------------------------------------------------------------


@dataclass
class Prepared:
    certificate: SigningCertificate
    purpose: str
    level: str


def prepare_signer(
    *, signer: User | Agency | SigningCertificate, purpose: str, actor: User | None, level: str | None
) -> Prepared:
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
    return Prepared(certificate, purpose, _effective_level(level))


_reserved_sizes: dict[tuple[str, str, str], int] = {}


def _timestamper_identity(timestamper: Any) -> str:
    if timestamper is None:
        return ""
    return str(getattr(timestamper, "identity", None) or getattr(timestamper, "url", "") or type(timestamper))


def _reserved_size(output: io.BytesIO, field_name: str) -> int:
    """The space pyHanko reserved for the CMS object of the signature ``field_name`` in ``output`` (hex digits
    between the ``<`` and ``>`` of ``/Contents``, which the ``/ByteRange`` leaves out)."""
    reader = PdfFileReader(output, strict=False)
    embedded = next(sig for sig in reader.embedded_signatures if sig.field_name == field_name)
    _start, before, after, _rest = (int(value) for value in embedded.sig_object["/ByteRange"])
    output.seek(0)
    return after - before - 2


def _sign_remembering_size(
    pdf_signer: signers.PdfSigner,
    *,
    writer: IncrementalPdfFileWriter,
    pdf: bytes,
    field_name: str,
    size_key: tuple[str, str, str],
) -> io.BytesIO:
    """``pdf_signer.sign_pdf``, reserving for the CMS object the space pyHanko reserved for the previous
    signature with the same certificate, level and time-stamping authority (``bytes_reserved``).

    Without it pyHanko sizes that space by building a complete dummy signature first (adding 50 % for time
    stamps, whose size varies), which costs as much as the real one. The size depends only on the certificate,
    chain, level and TSA, so pyHanko estimates it once per process and key. Should a signature ever not fit,
    pyHanko refuses to write it (``SigningError``, nothing returned) and it is made again with a fresh estimate."""
    remembered = _reserved_sizes.get(size_key)
    if remembered is not None:
        try:
            return cast(io.BytesIO, pdf_signer.sign_pdf(writer, bytes_reserved=remembered))
        except SigningError:
            logger.info("signature did not fit the remembered size; estimating afresh")
            _reserved_sizes.pop(size_key, None)
            writer = _open_pdf(pdf)
    output = cast(io.BytesIO, pdf_signer.sign_pdf(writer))
    _reserved_sizes[size_key] = _reserved_size(output, field_name)
    return output


def sign_with_key(
    *,
    key: Signer,
    prepared: Prepared,
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
    context = checked_context(certificate, prepared.purpose, need_context=level in (Level.B_LT, Level.B_LTA))
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
    pdf_signer = signers.PdfSigner(
        meta, key, timestamper=timestamper, stamp_style=visible.style, new_field_spec=field_spec
    )
    try:
        output = _sign_remembering_size(
            pdf_signer,
            writer=writer,
            pdf=pdf,
            field_name=field_name,
            size_key=(certificate.fingerprint, level, _timestamper_identity(timestamper)),
        )
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
    prepared = prepare_signer(signer=signer, purpose=purpose, actor=actor, level=level)
    with signing_key(prepared.certificate, pin=pin) as key:
        return sign_with_key(
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
