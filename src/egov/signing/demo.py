"""The demo PKI of the demo province: root CA → intermediate CA → one certificate per signing official (leaders)
and per agency that issues results or forms, a time-stamping authority, CRLs — names in Vietnamese.

Generating RSA keys takes seconds, so the material is made once and cached under ``EGOV_VAR_DIR/cache``
(demo keys, never for production); loading it into the database is then fast and idempotent.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from django.conf import settings
from django.db import transaction

from egov.accounts.models import StaffAssignment
from egov.accounts.roles import Role
from egov.agencies.models import Agency
from egov.signing import pki, services
from egov.signing.certificates import forget_local_crls
from egov.signing.contrib.pkcs12.backend import server_password
from egov.signing.images import demo_seal_png, demo_signature_png
from egov.signing.models import (
    CertificateAuthority,
    Purpose,
    SignatureImage,
    SigningCertificate,
    TimeStampingUnit,
    TrustedRoot,
)

DEMO_PIN = "123456"
"""The PIN of every demo official's key file (printed by ``load_demo``)."""
CACHE_VERSION = 1
NOT_BEFORE = dt.datetime(2018, 1, 1, tzinfo=dt.UTC)
NOT_AFTER = dt.datetime(2040, 12, 31, tzinfo=dt.UTC)
PROVINCE = "Bình Phước"
ROOT = pki.Subject(
    common_name="CA gốc thử nghiệm tỉnh Bình Phước",
    organisation="Ủy ban nhân dân tỉnh Bình Phước (thử nghiệm)",
    locality=PROVINCE,
)
INTERMEDIATE = pki.Subject(
    common_name="CA chuyên dùng thử nghiệm tỉnh Bình Phước",
    organisation="Ủy ban nhân dân tỉnh Bình Phước (thử nghiệm)",
    locality=PROVINCE,
)
TSA = pki.Subject(
    common_name="Dấu thời gian thử nghiệm tỉnh Bình Phước",
    organisation="Ủy ban nhân dân tỉnh Bình Phước (thử nghiệm)",
    locality=PROVINCE,
)


def crl_url(slug: str) -> str:
    return f"{settings.EGOV_SITE_URL}/chu-ky-so/crl/{slug}.crl"


def ca_url(slug: str) -> str:
    return f"{settings.EGOV_SITE_URL}/chu-ky-so/ca/{slug}.cer"


def position_for(agency: Agency) -> str:
    """How the demo leaders sign: ``TM. ỦY BAN NHÂN DÂN / CHỦ TỊCH`` for people's committees, ``GIÁM ĐỐC``
    for departments, ``THỦ TRƯỞNG`` otherwise."""
    if agency.kind.code == "ubnd":
        return "TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH"
    if agency.kind.code == "so":
        return "GIÁM ĐỐC"
    return "THỦ TRƯỞNG CƠ QUAN"


@dataclass
class Issued:
    key: pki.KeyType
    cert: x509.Certificate


def _pem_key(key: pki.KeyType) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def _pem_cert(cert: x509.Certificate) -> str:
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def _load_key(text: str) -> pki.KeyType:
    key = serialization.load_pem_private_key(text.encode(), None)
    assert isinstance(key, pki.rsa.RSAPrivateKey)
    return key


def _cache_file() -> Path:
    tag = hashlib.sha256(f"{CACHE_VERSION}:{settings.EGOV_SITE_URL}".encode()).hexdigest()[:12]
    return Path(settings.VAR_DIR) / "cache" / f"demo-pki-{tag}.json"


def _authorities(material: dict[str, Any]) -> tuple[Issued, Issued]:
    if "root" not in material:
        root_key = pki.new_key(3072)
        root = pki.issue_certificate(
            subject=ROOT,
            key=root_key,
            issuer_cert=None,
            issuer_key=root_key,
            serial=pki.serial_for("root"),
            not_before=NOT_BEFORE,
            not_after=NOT_AFTER + dt.timedelta(days=365),
            kind="root",
        )
        inter_key = pki.new_key()
        inter = pki.issue_certificate(
            subject=INTERMEDIATE,
            key=inter_key,
            issuer_cert=root,
            issuer_key=root_key,
            serial=pki.serial_for("intermediate"),
            not_before=NOT_BEFORE,
            not_after=NOT_AFTER,
            kind="intermediate",
            crl_url=crl_url("ca-goc"),
            ca_issuers_url=ca_url("ca-goc"),
        )
        tsa_key = pki.new_key()
        tsa = pki.issue_certificate(
            subject=TSA,
            key=tsa_key,
            issuer_cert=inter,
            issuer_key=inter_key,
            serial=pki.serial_for("tsa"),
            not_before=NOT_BEFORE,
            not_after=NOT_AFTER,
            kind="tsa",
            crl_url=crl_url("ca-chuyen-dung"),
            ca_issuers_url=ca_url("ca-chuyen-dung"),
        )
        material.update(
            root={"key": _pem_key(root_key), "cert": _pem_cert(root)},
            intermediate={"key": _pem_key(inter_key), "cert": _pem_cert(inter)},
            tsa={"key": _pem_key(tsa_key), "cert": _pem_cert(tsa)},
        )
    return (
        Issued(
            _load_key(material["root"]["key"]),
            x509.load_pem_x509_certificate(material["root"]["cert"].encode()),
        ),
        Issued(
            _load_key(material["intermediate"]["key"]),
            x509.load_pem_x509_certificate(material["intermediate"]["cert"].encode()),
        ),
    )


def issue_end_entity(
    *,
    inter: Issued,
    label: str,
    subject: pki.Subject,
    kind: str = "signer",
    not_before: dt.datetime = NOT_BEFORE,
    not_after: dt.datetime = NOT_AFTER,
) -> Issued:
    key = pki.new_key()
    cert = pki.issue_certificate(
        subject=subject,
        key=key,
        issuer_cert=inter.cert,
        issuer_key=inter.key,
        serial=pki.serial_for(label),
        not_before=not_before,
        not_after=not_after,
        kind=kind,
        crl_url=crl_url("ca-chuyen-dung"),
        ca_issuers_url=ca_url("ca-chuyen-dung"),
    )
    return Issued(key, cert)


def _signing_agencies(*, all_desks: bool) -> list[Agency]:
    """Agencies where demo officers work (they issue results and forms); with ``all_desks``, also every agency
    with a one-stop desk."""
    from django.db.models import Q

    condition = Q(pk__in=StaffAssignment.objects.values("agency_id"))
    if all_desks:
        condition |= Q(has_one_stop_desk=True)
    return list(Agency.objects.current().filter(condition).select_related("kind", "unit").order_by("path"))


def _leaders() -> list[StaffAssignment]:
    return list(
        StaffAssignment.objects.filter(role=Role.LEADER, user__email__endswith="binhphuoc.demo")
        .select_related("user", "agency__kind")
        .order_by("user__email")
    )


def ensure_demo_pki(*, all_desks: bool = False) -> dict[str, int]:
    """Create (or complete) the demo PKI in the database. Safe to run again: adds only what is missing."""

    cache_file = _cache_file()
    material: dict[str, Any] = json.loads(cache_file.read_text()) if cache_file.exists() else {}
    dirty = "root" not in material
    root, inter = _authorities(material)
    entities: dict[str, Any] = material.setdefault("entities", {})
    secret_tag = hashlib.sha256(settings.EGOV_SIGNING_KEY_SECRET.encode()).hexdigest()[:16]
    chain = [inter.cert]
    counts = {"officials": 0, "agencies": 0}

    def entity(label: str, subject: pki.Subject, password_for: Any, image: Any) -> dict[str, Any]:
        nonlocal dirty
        data = entities.get(label)
        if data is None:
            issued = issue_end_entity(inter=inter, label=label, subject=subject)
            data = entities[label] = {
                "key": _pem_key(issued.key),
                "cert": _pem_cert(issued.cert),
                "png": base64.b64encode(image()).decode(),
            }
            dirty = True
        password = password_for(
            pki.fingerprint(pki.der(x509.load_pem_x509_certificate(data["cert"].encode())))
        )
        p12_tag = hashlib.sha256(f"{secret_tag}:{password}".encode()).hexdigest()[:16]
        if data.get("p12_tag") != p12_tag:
            data["p12"] = base64.b64encode(
                pki.to_pkcs12(
                    key=_load_key(data["key"]),
                    cert=x509.load_pem_x509_certificate(data["cert"].encode()),
                    chain=chain,
                    password=password,
                    name=label,
                )
            ).decode()
            data["p12_tag"] = p12_tag
            dirty = True
        return data

    with transaction.atomic():
        secret = settings.EGOV_SIGNING_KEY_SECRET
        TrustedRoot.objects.get_or_create(
            fingerprint=pki.fingerprint(pki.der(root.cert)),
            defaults={
                "name": ROOT.common_name,
                "certificate_pem": _pem_cert(root.cert),
                "subject": root.cert.subject.rfc4514_string(),
                "not_after": root.cert.not_valid_after_utc,
            },
        )
        for slug, issued, name in (
            ("ca-goc", root, ROOT.common_name),
            ("ca-chuyen-dung", inter, INTERMEDIATE.common_name),
        ):
            CertificateAuthority.objects.get_or_create(
                slug=slug,
                defaults={
                    "name": name,
                    "certificate_pem": _pem_cert(issued.cert),
                    "private_key_pem": pki.key_to_pem(issued.key, secret).decode(),
                    "crl_url": crl_url(slug),
                },
            )
        forget_local_crls()
        if not TimeStampingUnit.objects.exists():
            TimeStampingUnit.objects.create(
                name=TSA.common_name,
                certificate_pem=material["tsa"]["cert"],
                chain_pem=_pem_cert(inter.cert),
                private_key_pem=pki.key_to_pem(_load_key(material["tsa"]["key"]), secret).decode(),
            )
        known = set(SigningCertificate.objects.values_list("fingerprint", flat=True))
        for assignment in _leaders():
            user, agency = assignment.user, assignment.agency
            subject = pki.Subject(
                common_name=user.full_name,
                organisation=agency.name,
                title=position_for(agency).split("\n")[-1].title(),
                locality=PROVINCE,
            )
            data = entity(
                f"user:{user.email}",
                subject,
                lambda _fp: DEMO_PIN,
                lambda u=user: demo_signature_png(u.full_name),
            )
            cert = x509.load_pem_x509_certificate(data["cert"].encode())
            if pki.fingerprint(pki.der(cert)) not in known:
                services.register_certificate(
                    certificate_der=pki.der(cert),
                    chain_der=[pki.der(inter.cert)],
                    purpose=Purpose.PERSONAL,
                    agency=agency,
                    user=user,
                    backend="pkcs12",
                    key_blob=base64.b64decode(data["p12"]),
                    pin_required=True,
                )
                counts["officials"] += 1
            if not SignatureImage.objects.filter(user=user).exists():
                SignatureImage.objects.create(
                    user=user, png=base64.b64decode(data["png"]), position=position_for(agency)
                )
        for agency in _signing_agencies(all_desks=all_desks):
            subject = pki.Subject(
                common_name=agency.name, organisation=agency.name, unit=agency.code, locality=PROVINCE
            )
            data = entity(
                f"agency:{agency.code}", subject, server_password, lambda a=agency: demo_seal_png(a.name)
            )
            cert = x509.load_pem_x509_certificate(data["cert"].encode())
            fingerprint = pki.fingerprint(pki.der(cert))
            if fingerprint not in known:
                services.register_certificate(
                    certificate_der=pki.der(cert),
                    chain_der=[pki.der(inter.cert)],
                    purpose=Purpose.AGENCY,
                    agency=agency,
                    backend="pkcs12",
                    key_blob=base64.b64decode(data["p12"]),
                    pin_required=False,
                )
                counts["agencies"] += 1
            if not SignatureImage.objects.filter(agency=agency).exists():
                SignatureImage.objects.create(agency=agency, png=base64.b64decode(data["png"]))
    if dirty:
        cache_file.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=cache_file.parent, suffix=".json")
        with os.fdopen(handle, "w") as out:
            json.dump(material, out)
        os.replace(temporary, cache_file)
    return counts


def demo_authority() -> tuple[Issued, Issued]:
    """The demo root and intermediate (keys included), for tests and tools that issue more certificates."""
    material = json.loads(_cache_file().read_text())
    return _authorities(material)
