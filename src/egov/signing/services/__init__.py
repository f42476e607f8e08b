"""Signing services: every write of the ``signing`` app, split by job.

- :mod:`~egov.signing.services.pades` — one PAdES signature on PDF bytes (:func:`sign_pdf`).
- :mod:`~egov.signing.services.signature_requests` — the leader → clerk flow: :func:`request_signatures`,
  :func:`sign_request`, :func:`batch_sign`, :func:`cancel_requests_for_source`, and the hooks the owning app
  registers (``on_released``).
- :mod:`~egov.signing.services.certificates` — which certificate signs (:func:`certificate_for`,
  and the administration of roots, certificates, revocations and signature images.

The read-only predicates (:func:`can_sign`, :func:`usable_certificate`, :func:`awaits_signature_from`) live in
:mod:`egov.signing.selectors`, so that rules and pages read them without importing writes; they are
re-exported here for the services' callers.

This package is the contract other apps use (docs/architecture.md, "Signing"): import from
``egov.signing.services``, not from the modules. :func:`verify_pdf` (in :mod:`egov.signing.verification`) is
re-exported here.

Every failure is a ``DomainError`` with a Vietnamese message, raised before anything is written: the input
document is unchanged and nothing is half-signed.
"""

from __future__ import annotations

from egov.signing.selectors import NotAwaitingSignature, awaits_signature_from, can_sign, usable_certificate
from egov.signing.services.certificates import (
    add_trusted_root,
    certificate_for,
    forget_certificate_checks,
    register_certificate,
    revoke_certificate,
    set_signature_image,
)
from egov.signing.services.pades import SignedDocument, sha256, sign_pdf, signing_key
from egov.signing.services.signature_requests import (
    BatchItemResult,
    BatchResult,
    batch_sign,
    cancel_request,
    cancel_requests_for_source,
    iter_batch_sign,
    on_released,
    on_signed,
    on_signing,
    read_document,
    read_document_stream,
    request_signatures,
    sign_request,
)
from egov.signing.verification import VerificationReport, verify_pdf

__all__ = [
    "BatchItemResult",
    "BatchResult",
    "NotAwaitingSignature",
    "SignedDocument",
    "VerificationReport",
    "add_trusted_root",
    "awaits_signature_from",
    "batch_sign",
    "can_sign",
    "cancel_request",
    "cancel_requests_for_source",
    "certificate_for",
    "forget_certificate_checks",
    "iter_batch_sign",
    "on_released",
    "on_signed",
    "on_signing",
    "read_document",
    "read_document_stream",
    "register_certificate",
    "request_signatures",
    "revoke_certificate",
    "set_signature_image",
    "sha256",
    "sign_pdf",
    "sign_request",
    "signing_key",
    "usable_certificate",
    "verify_pdf",
]
