"""A dossier's result document as the signing app knows it: the source name of its signature requests and
the request still open, if any. Read by the rules, the processing services and the pages alike."""

from __future__ import annotations

from typing import Any

from egov.dossiers.models import Dossier
from egov.signing.models import SignatureRequest
from egov.signing.selectors import awaiting_from, requests_for_source, signs_anything

# The signing app's name for a dossier's result document (its requests' ``source_type``).
RESULT_SOURCE = "dossiers.dossier"


def pending_signature(dossier: Dossier) -> Any:
    """The open signature request of the dossier's result, if any."""
    return (
        requests_for_source(RESULT_SOURCE, str(dossier.pk))
        .exclude(status__in=(SignatureRequest.Status.CANCELLED, SignatureRequest.Status.RELEASED))
        .first()
    )


def awaiting_my_signature(user: Any) -> list[SignatureRequest]:
    """The results waiting for ``user``'s signature (as the leader who approves, or as the agency's clerk), the
    oldest request first: one query, none for an officer who signs nothing."""
    if not signs_anything(user):
        return []
    return list(awaiting_from(user).filter(source_type=RESULT_SOURCE))


def dossier_ids(requests: list[SignatureRequest]) -> list[int]:
    """The dossiers the result requests belong to (``source_id`` holds the dossier's primary key)."""
    return sorted({int(r.source_id) for r in requests if r.source_id.isdigit()})
