"""`create_demo_pki` (run by load_demo) builds root → intermediate → officials and agencies, a TSA and CRLs, with
Vietnamese names, and is safe to run again."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from egov.signing.certificates import load_certificate
from egov.signing.models import (
    CertificateAuthority,
    SignatureImage,
    SigningCertificate,
    TimeStampingUnit,
    TrustedRoot,
)

pytestmark = pytest.mark.django_db


def test_demo_pki_is_complete_and_idempotent(pki: Any) -> None:
    root = load_certificate(TrustedRoot.objects.get().certificate_pem)
    assert root.subject.native["common_name"] == "CA gốc thử nghiệm tỉnh Bình Phước"
    leader_cert = SigningCertificate.objects.get(user=pki.leader)
    cert = load_certificate(leader_cert.certificate_pem)
    assert cert.subject.native["common_name"] == "Ngô Văn Thành"
    assert cert.issuer.native["common_name"] == "CA chuyên dùng thử nghiệm tỉnh Bình Phước"
    assert (
        cert.crl_distribution_points[0]["distribution_point"]
        .native[0]
        .endswith("/chu-ky-so/crl/ca-chuyen-dung.crl")
    )
    assert SigningCertificate.objects.filter(agency=pki.agency, purpose="agency").count() == 1
    assert SignatureImage.objects.filter(user=pki.leader).exists()
    assert SignatureImage.objects.filter(agency=pki.agency).exists()
    tsa = load_certificate(TimeStampingUnit.objects.get().certificate_pem)
    assert tsa.extended_key_usage_value.native == ["time_stamping"]
    assert set(CertificateAuthority.objects.values_list("slug", flat=True)) == {"ca-goc", "ca-chuyen-dung"}

    counts = SigningCertificate.objects.count(), SignatureImage.objects.count()
    out = StringIO()
    call_command("create_demo_pki", stdout=out)
    assert "thêm 0 chứng thư lãnh đạo, 0 chứng thư cơ quan" in out.getvalue()
    assert (SigningCertificate.objects.count(), SignatureImage.objects.count()) == counts


def test_load_trusted_root_command(pki: Any, tmp_path: Any) -> None:
    path = tmp_path / "root.pem"
    path.write_text(pki.root_pem)
    TrustedRoot.objects.all().delete()
    out = StringIO()
    call_command("load_trusted_root", str(path), "--name", "CA gốc quốc gia (thử)", stdout=out)
    assert TrustedRoot.objects.get().name == "CA gốc quốc gia (thử)"


def test_admin_uploads_a_seal_image(pki: Any, client: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from egov.accounts.models import User
    from egov.signing.images import demo_seal_png

    admin_user = User.objects.get(email="quantri@binhphuoc.demo")
    client.force_login(admin_user)
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    session = client.session
    session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(user=admin_user).persistent_id
    session.save()
    image = SignatureImage.objects.get(agency=pki.agency)
    png = demo_seal_png("Ủy ban nhân dân huyện Lộc Ninh (mới)")
    response = client.post(
        f"/admin/signing/signatureimage/{image.pk}/change/",
        {"agency": pki.agency.pk, "position": "", "upload": SimpleUploadedFile("dau.png", png, "image/png")},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    image.refresh_from_db()
    assert bytes(image.png) == png
