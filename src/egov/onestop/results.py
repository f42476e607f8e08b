"""A dossier's result document as the signing app knows it: the source name of its signature requests and
the request still open, if any. Read by the rules, the processing services and the pages alike."""

from __future__ import annotations

from typing import Any

from egov.dossiers.models import Dossier
from egov.signing.models import SignatureRequest
from egov.signing.selectors import requests_for_source

# The signing app's name for a dossier's result document (its requests' ``source_type``).
RESULT_SOURCE = "dossiers.dossier"


def pending_signature(dossier: Dossier) -> Any:
    """The open signature request of the dossier's result, if any."""
    return (
        requests_for_source(RESULT_SOURCE, str(dossier.pk))
        .exclude(status__in=(SignatureRequest.Status.CANCELLED, SignatureRequest.Status.RELEASED))
        .first()
    )
