"""A result goes to digital signing only when the approving leader and the agency hold certificates that can
sign now; with an expired, not yet valid or revoked one it is released at once instead of waiting forever."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from egov.accounts.models import User
from egov.agencies.models import Agency
from egov.onestop import processing
from egov.signing.models import SigningCertificate
from egov.signing.services import revoke_certificate

pytestmark = pytest.mark.django_db
LEADER = "lanhdao.locninh@binhphuoc.demo"
AGENCY = "000.00.44.H10"  # UBND huyện Lộc Ninh, which has both certificates in the demo


def _expire(**owner: Any) -> None:
    now = dt.datetime.now(dt.UTC)
    SigningCertificate.objects.filter(**owner).update(
        not_before=now - dt.timedelta(days=800), not_after=now - dt.timedelta(days=1)
    )


def _later(**owner: Any) -> None:
    now = dt.datetime.now(dt.UTC)
    SigningCertificate.objects.filter(**owner).update(
        not_before=now + dt.timedelta(days=1), not_after=now + dt.timedelta(days=800)
    )


def _revoke(**owner: Any) -> None:
    for certificate in SigningCertificate.objects.filter(**owner):
        revoke_certificate(certificate=certificate, reason="Mất thiết bị ký")


@pytest.mark.parametrize("change", [_expire, _later, _revoke])
@pytest.mark.parametrize("whose", ["leader", "agency"])
def test_a_certificate_that_cannot_sign_does_not_send_the_result_to_signing(
    demo: None, change: Any, whose: str
) -> None:
    leader = User.objects.get(email=LEADER)
    agency = Agency.objects.get(code=AGENCY)
    assert processing._can_sign(leader, agency)
    change(**({"user": leader} if whose == "leader" else {"agency": agency, "purpose": "agency"}))
    assert not processing._can_sign(leader, agency)
