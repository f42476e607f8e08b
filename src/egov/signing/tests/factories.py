"""Extra certificates for tests: expired, not yet valid, wrong purpose, from an unknown CA."""

from __future__ import annotations

import datetime as dt
from typing import Any

from egov.signing import pki as tools
from egov.signing.demo import demo_authority, issue_end_entity
from egov.signing.models import Purpose, SigningCertificate
from egov.signing.services import register_certificate

PIN = "246810"


def official_certificate(
    user: Any,
    agency: Any,
    *,
    label: str,
    kind: str = "signer",
    not_before: dt.datetime | None = None,
    not_after: dt.datetime | None = None,
    stranger: bool = False,
    purpose: str = Purpose.PERSONAL,
) -> SigningCertificate:
    """A certificate for ``user`` (or the agency) with a PIN-protected key file, issued by the demo intermediate
    CA, or by a CA nobody trusts (``stranger``)."""
    _root, inter = demo_authority()
    if stranger:
        key = tools.new_key()
        subject = tools.Subject(common_name="CA lạ không tin cậy")
        cert = tools.issue_certificate(
            subject=subject,
            key=key,
            issuer_cert=None,
            issuer_key=key,
            serial=99,
            not_before=dt.datetime(2018, 1, 1, tzinfo=dt.UTC),
            not_after=dt.datetime(2040, 1, 1, tzinfo=dt.UTC),
            kind="root",
        )
        inter = type(inter)(key, cert)
    now = dt.datetime.now(dt.UTC)
    issued = issue_end_entity(
        inter=inter,
        label=f"test:{label}:{now.timestamp()}",
        subject=tools.Subject(common_name=user.full_name if user else agency.name, organisation=agency.name),
        kind=kind,
        not_before=not_before or now - dt.timedelta(days=1),
        not_after=not_after or now + dt.timedelta(days=365),
    )
    p12 = tools.to_pkcs12(key=issued.key, cert=issued.cert, chain=[inter.cert], password=PIN, name=label)
    return register_certificate(
        certificate_der=tools.der(issued.cert),
        chain_der=[tools.der(inter.cert)],
        purpose=purpose,
        agency=agency,
        user=user if purpose == Purpose.PERSONAL else None,
        backend="pkcs12",
        key_blob=p12,
        pin_required=True,
    )
