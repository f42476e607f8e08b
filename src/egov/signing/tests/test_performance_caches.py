"""What is kept between signatures for speed (opened key files, fonts, signature sizes) never changes what is
checked: the PIN is needed every time, a revoked certificate's key is closed, signatures verify."""

from __future__ import annotations

import io
from typing import Any

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import PdfFileReader

from egov.core.errors import DomainError
from egov.signing import services
from egov.signing.contrib.pkcs12 import backend as pkcs12_backend
from egov.signing.models import SignatureRecord

pytestmark = pytest.mark.django_db


def test_pin_is_checked_at_every_signature_after_the_key_was_opened(pki: Any, pdf: bytes) -> None:
    services.sign_pdf(pdf=pdf, purpose="personal", signer=pki.leader, pin=pki.pin, level="B-B")
    count = SignatureRecord.objects.count()
    for wrong in ("000000", pki.pin + "0", ""):
        with pytest.raises(DomainError):
            services.sign_pdf(pdf=pdf, purpose="personal", signer=pki.leader, pin=wrong, level="B-B")
    assert SignatureRecord.objects.count() == count
    again = services.sign_pdf(pdf=pdf, purpose="personal", signer=pki.leader, pin=pki.pin, level="B-B")
    assert services.verify_pdf(again.content).valid


def test_a_revoked_agency_certificate_closes_its_key(pki: Any, pdf: bytes) -> None:
    signed = services.sign_pdf(pdf=pdf, purpose="agency", signer=pki.agency, level="B-B", appearance="text")
    certificate = signed.record.certificate
    assert any(key[1] == certificate.fingerprint for key in pkcs12_backend._server_keys)
    services.revoke_certificate(certificate=certificate, reason="test")
    assert not any(key[1] == certificate.fingerprint for key in pkcs12_backend._server_keys)
    with pytest.raises(DomainError):
        services.sign_pdf(pdf=pdf, purpose="agency", signer=certificate, level="B-B", appearance="text")


def test_repeated_signatures_embed_the_same_font_subset_and_verify(pki: Any, pdf: bytes) -> None:
    def font_files(content: bytes) -> list[bytes]:
        """The embedded font programs reachable from the last signature's appearance."""
        field = PdfFileReader(io.BytesIO(content)).embedded_signatures[-1].sig_field
        found, seen, todo = [], set(), [field["/AP"]["/N"]]
        while todo:
            obj = todo.pop()
            if isinstance(obj, generic.IndirectObject):
                if obj.idnum in seen:
                    continue
                seen.add(obj.idnum)
                obj = obj.get_object()
            if isinstance(obj, generic.DictionaryObject):
                if "/FontFile2" in obj:
                    found.append(obj["/FontFile2"].get_object().data)
                todo.extend(obj.raw_get(key) for key in obj if key not in ("/Parent", "/P"))
            elif isinstance(obj, generic.ArrayObject):
                todo.extend(obj)
        return found

    first = services.sign_pdf(pdf=pdf, purpose="personal", signer=pki.leader, pin=pki.pin, level="B-B")
    second = services.sign_pdf(pdf=pdf, purpose="personal", signer=pki.leader, pin=pki.pin, level="B-LT")
    assert font_files(first.content) and font_files(first.content) == font_files(second.content)
    for signed in (first, second):
        assert services.verify_pdf(signed.content).valid


def test_verification_sees_a_revocation_made_after_the_crls_were_kept(pki: Any, pdf: bytes) -> None:
    signed = services.sign_pdf(pdf=pdf, purpose="personal", signer=pki.leader, pin=pki.pin, level="B-B")
    before = services.verify_pdf(signed.content).signatures[0]
    assert before.revocation == "good"  # the platform's CRLs were read (and are now kept for a minute)
    services.revoke_certificate(certificate=signed.record.certificate, reason="Mất thiết bị ký")
    after = services.verify_pdf(signed.content).signatures[0]
    assert after.revocation == "revoked" and not services.verify_pdf(signed.content).valid
