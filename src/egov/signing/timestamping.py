"""RFC 3161 time stamps: the platform's own time-stamping authority (server side) and the client used when
signing (``EGOV_SIGNING_TSA_URL``: empty = none, ``internal`` = the platform's own TSA in-process, or the URL of
any RFC 3161 server)."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from asn1crypto import algos, cms, core, keys, tsp
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from django.conf import settings
from pyhanko.sign import general
from pyhanko.sign.timestamps.api import TimeStamper
from pyhanko.sign.timestamps.common_utils import TimestampRequestError
from pyhanko.sign.timestamps.requests_client import RequestsHTTPTimeStamper

from egov.signing.certificates import load_certificate, split_pem
from egov.signing.models import TimeStampingUnit

ACCEPTED_HASHES = {"sha256", "sha384", "sha512"}


@dataclass(frozen=True, eq=False)
class TsaKeys:
    certificate: asn1_x509.Certificate
    chain: list[asn1_x509.Certificate]
    private_key: RSAPrivateKey
    policy: str


def load_tsa(unit: TimeStampingUnit) -> TsaKeys:

    key = serialization.load_pem_private_key(
        unit.private_key_pem.encode(), settings.EGOV_SIGNING_KEY_SECRET.encode()
    )
    assert isinstance(key, RSAPrivateKey)
    return TsaKeys(
        certificate=load_certificate(unit.certificate_pem),
        chain=[load_certificate(block) for block in split_pem(unit.chain_pem)],
        private_key=key,
        policy=unit.policy_oid,
    )


@lru_cache(maxsize=8)
def _loaded_tsa(pk: int, certificate_pem: str, chain_pem: str, private_key_pem: str, policy: str) -> TsaKeys:
    unit = TimeStampingUnit(
        pk=pk,
        certificate_pem=certificate_pem,
        chain_pem=chain_pem,
        private_key_pem=private_key_pem,
        policy_oid=policy,
    )
    return load_tsa(unit)


def active_tsa() -> TsaKeys | None:
    """The active time-stamping unit's keys. Decrypting and checking its private key costs about as much as a
    whole signature, so the keys are kept per process (a changed unit is a different cache entry)."""
    unit = TimeStampingUnit.objects.filter(is_active=True).order_by("-pk").first()
    if unit is None:
        return None
    return _loaded_tsa(unit.pk, unit.certificate_pem, unit.chain_pem, unit.private_key_pem, unit.policy_oid)


def _rejection(fail: str, text: str) -> bytes:
    """A ``TimeStampResp`` with only a rejection status (asn1crypto insists on a token, so encode it by hand)."""
    status = tsp.PKIStatusInfo(
        {"status": "rejection", "status_string": [text], "fail_info": tsp.PKIFailureInfo({fail})}
    ).dump()
    return core.Sequence.load(b"\x30" + _der_length(len(status)) + status).dump()


def _der_length(length: int) -> bytes:
    if length < 0x80:
        return bytes([length])
    raw = length.to_bytes((length.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(raw)]) + raw


@lru_cache(maxsize=8)
def _signing_certificate_v2(certificate_der: bytes) -> bytes:
    certificate = asn1_x509.Certificate.load(certificate_der)
    return general.simple_cms_attribute(
        "signing_certificate_v2", general.as_signing_certificate_v2(certificate)
    ).dump()


def grant(request: tsp.TimeStampReq, tsa: TsaKeys, *, now: dt.datetime | None = None) -> tsp.TimeStampResp:
    """Answer one time-stamp request: a TSTInfo signed by the TSA (signed attributes with ESS
    signing-certificate-v2), the TSA certificate included when the client asks for it."""
    imprint: tsp.MessageImprint = request["message_imprint"]
    md = imprint["hash_algorithm"]["algorithm"].native
    gen_time = (now or dt.datetime.now(dt.UTC)).replace(microsecond=0)
    info: dict[str, Any] = {
        "version": "v1",
        "policy": request["req_policy"].native or tsa.policy,
        "message_imprint": imprint,
        "serial_number": secrets.randbits(63),
        "gen_time": gen_time,
        "accuracy": {"seconds": 1},
        "tsa": asn1_x509.GeneralName(name="directory_name", value=tsa.certificate.subject),
    }
    if request["nonce"].native is not None:
        info["nonce"] = request["nonce"]
    tst_info = tsp.TSTInfo(info).dump()
    digest = hashes.Hash(getattr(hashes, md.upper())())
    digest.update(tst_info)
    # Encoded once and parsed back: asn1crypto re-encodes a value it built every time it is used.
    signed_attrs = cms.CMSAttributes.load(
        cms.CMSAttributes(
            [
                general.simple_cms_attribute("content_type", "tst_info"),
                general.simple_cms_attribute("signing_time", cms.Time({"utc_time": core.UTCTime(gen_time)})),
                cms.CMSAttribute.load(_signing_certificate_v2(tsa.certificate.dump())),
                general.simple_cms_attribute("message_digest", digest.finalize()),
            ]
        ).dump()
    )
    signature = tsa.private_key.sign(signed_attrs.dump(), PKCS1v15(), getattr(hashes, md.upper())())
    digest_algorithm = algos.DigestAlgorithm({"algorithm": md})
    signer_info = cms.SignerInfo(
        {
            "version": "v1",
            "sid": cms.SignerIdentifier(
                {
                    "issuer_and_serial_number": cms.IssuerAndSerialNumber(
                        {"issuer": tsa.certificate.issuer, "serial_number": tsa.certificate.serial_number}
                    )
                }
            ),
            "digest_algorithm": digest_algorithm,
            "signature_algorithm": algos.SignedDigestAlgorithm({"algorithm": "rsassa_pkcs1v15"}),
            "signed_attrs": signed_attrs,
            "signature": signature,
        }
    )
    certificates = [tsa.certificate, *tsa.chain] if request["cert_req"].native else []
    signed_data = cms.SignedData(
        {
            "version": "v3",
            "digest_algorithms": cms.DigestAlgorithms([digest_algorithm]),
            "encap_content_info": cms.EncapsulatedContentInfo(
                {"content_type": "tst_info", "content": cms.ParsableOctetString(tst_info)}
            ),
            "certificates": certificates or None,
            "signer_infos": [signer_info],
        }
    )
    token = cms.ContentInfo({"content_type": "signed_data", "content": signed_data})
    return tsp.TimeStampResp({"status": tsp.PKIStatusInfo({"status": "granted"}), "time_stamp_token": token})


def respond(request_der: bytes, tsa: TsaKeys) -> bytes:
    """The DER ``TimeStampResp`` to a DER ``TimeStampReq`` (RFC 3161 §2.4), rejections included."""
    try:
        request = tsp.TimeStampReq.load(request_der)
        md = request["message_imprint"]["hash_algorithm"]["algorithm"].native
        digest = request["message_imprint"]["hashed_message"].native
        _ = request["nonce"].native, request["cert_req"].native, request["req_policy"].native
    except (ValueError, TypeError, KeyError):
        return _rejection("bad_data_format", "Yêu cầu dấu thời gian không đúng định dạng RFC 3161.")
    if md not in ACCEPTED_HASHES:
        return _rejection("bad_alg", "Thuật toán băm không được chấp nhận.")
    if len(digest) != getattr(hashes, md.upper())().digest_size:
        return _rejection("bad_data_format", "Độ dài giá trị băm không khớp thuật toán.")
    return grant(request, tsa).dump()


class InternalTimeStamper(TimeStamper):
    """The platform's own TSA, called in-process with the same code the HTTP endpoint runs."""

    def __init__(self, tsa: TsaKeys) -> None:
        super().__init__()
        self.tsa = tsa
        self.identity = "internal:" + tsa.certificate.sha256.hex()

    async def async_request_tsa_response(self, req: tsp.TimeStampReq) -> tsp.TimeStampResp:
        return tsp.TimeStampResp.load(respond(req.dump(), self.tsa))


@lru_cache(maxsize=8)
def _internal_timestamper(tsa: TsaKeys) -> InternalTimeStamper:
    """One per TSA and process, so pyHanko's sample response (used to size signatures) is made only once."""
    return InternalTimeStamper(tsa)


class RetryingHTTPTimeStamper(RequestsHTTPTimeStamper):
    """An RFC 3161 HTTP client that retries the time-stamp request (only it: the signature is not made again)."""

    def __init__(self, url: str, *, timeout: int, retries: int) -> None:
        super().__init__(url, timeout=timeout)
        self.retries = retries

    async def async_request_tsa_response(self, req: tsp.TimeStampReq) -> tsp.TimeStampResp:
        import asyncio

        for attempt in range(self.retries + 1):
            try:
                return await super().async_request_tsa_response(req)
            except TimestampRequestError:
                if attempt == self.retries:
                    raise
                await asyncio.sleep(0.2 * (attempt + 1))
        raise AssertionError("unreachable")


def configured_timestamper() -> TimeStamper | None:
    """The time stamper of ``EGOV_SIGNING_TSA_URL``, or ``None`` when no TSA is configured (signatures B-B)."""
    url = settings.EGOV_SIGNING_TSA_URL
    if not url:
        return None
    if url == "internal":
        tsa = active_tsa()
        return _internal_timestamper(tsa) if tsa else None
    return RetryingHTTPTimeStamper(
        url, timeout=settings.EGOV_SIGNING_NETWORK_TIMEOUT, retries=settings.EGOV_SIGNING_TSA_RETRIES
    )


__all__ = ["TimestampRequestError", "configured_timestamper", "keys", "respond"]
