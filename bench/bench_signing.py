"""Cost of the platform's signing and verification over a bare pyHanko call, as ratios measured in one run.

On one A4 page made by WeasyPrint (SQLite file with the demo data and demo PKI, one process, one core):
- signing at PAdES B-B and B-LT: ``egov.signing.services.sign_pdf`` (certificate checks, appearance, audit record)
  against ``PdfSigner.sign_pdf`` with the same key, appearance and time stamper, key already in memory;
- the same at B-B without appearance (``appearance="invisible"`` against a bare call without stamp), so the
  cost of the NĐ 30 appearance and of the platform's own work can be told apart;
- the leader's batch (``batch_sign``: key opened once, each document stored and its request moved on);
- verification: ``verify_pdf`` (the Vietnamese report) against ``validate_pdf_signature`` with the same roots.
Targets: overhead ≤ 1.15×, and ≥ 20 signatures/s per core at B-B.

Like for like: the bare call uses the platform's key object (``signing_key``: pre-encoded CMS attributes) and
appearance classes (font parsed once, subsets cached), so speed-ups there count for both sides; ``stock`` is
the same bare call with pyHanko's own CMS assembly (a ``SimpleSigner`` holding the parsed key) for reference. ``sign_pdf`` also opens the PIN-protected
key for every signature (PBKDF2 with the PIN), which the bare call, holding the key, does not.
"""

from __future__ import annotations

import io
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
workdir = tempfile.mkdtemp(prefix="egov-bench-")
os.environ["DATABASE_URL"] = f"sqlite:///{workdir}/bench.sqlite3"
os.environ["EGOV_MEDIA_ROOT"] = f"{workdir}/media"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "egov.settings")
os.environ["EGOV_LOG_LEVEL"] = "WARNING"
os.environ["EGOV_SIGNING_TSA_URL"] = "internal"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "40"))


def median_time(action: Callable[[], object], rounds: int = ROUNDS) -> float:
    action()  # warm up
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        action()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def _plain_signer_class() -> type:
    from cryptography.hazmat.primitives.asymmetric import padding
    from pyhanko.sign.signers import SimpleSigner
    from pyhanko_certvalidator.util import get_pyca_cryptography_hash

    class PlainSigner(SimpleSigner):  # SimpleSigner re-parses (and re-checks) the RSA key at every signature
        def __init__(self, key: object, **kwargs: object) -> None:
            super().__init__(**kwargs)  # type: ignore[arg-type]
            self._key = key

        def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
            return self._key.sign(data, padding.PKCS1v15(), get_pyca_cryptography_hash(digest_algorithm))  # type: ignore[attr-defined,no-any-return]

    return PlainSigner


def main() -> None:
    call_command("migrate", verbosity=0)
    call_command("load_demo", quiet=True)

    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign import fields, signers
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    from egov.accounts.models import User
    from egov.signing import appearance as look
    from egov.signing import services
    from egov.signing.certificates import certificate_chain, load_certificate, local_crls, trusted_roots
    from egov.signing.demo import DEMO_PIN
    from egov.signing.models import SignatureImage
    from egov.signing.tests.conftest import make_pdf
    from egov.signing.timestamping import configured_timestamper

    pdf = make_pdf()
    plain_signer = _plain_signer_class()
    leader = User.objects.get(email="lanhdao.locninh@binhphuoc.demo")
    certificate = services.certificate_for(leader, "personal")
    image = SignatureImage.objects.get(user=leader)
    style = look.SignerStampStyle(
        position=image.position, full_name=leader.full_name, image=look.load_png(bytes(image.png))
    )
    rect = look.default_signer_rect(0, 595.28, 841.89)
    roots = trusted_roots()
    crls = list(local_crls().values())
    chain = certificate_chain(certificate)

    def bare(level: str, key: object, visible: bool = True) -> bytes:
        lt = level == "B-LT"
        context = (
            ValidationContext(trust_roots=roots, other_certs=chain, crls=crls, allow_fetching=False)
            if lt
            else None
        )
        meta = signers.PdfSignatureMetadata(
            field_name="Sig",
            md_algorithm="sha256",
            subfilter=fields.SigSeedSubFilter.PADES,
            embed_validation_info=lt,
            validation_context=context,
            signer_key_usage={"digital_signature"} if lt else set(),
        )
        signer = signers.PdfSigner(
            meta,
            key,  # type: ignore[arg-type]
            timestamper=configured_timestamper() if lt else None,
            stamp_style=style if visible else None,
            new_field_spec=fields.SigFieldSpec("Sig", on_page=0, box=rect.as_box() if visible else None),
        )
        return signer.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(pdf))).getvalue()

    print(f"One A4 page ({len(pdf) // 1024} KB), {ROUNDS} rounds, median per signature:")
    with services.signing_key(certificate, pin=DEMO_PIN) as key:
        results = {}
        for level in ("B-B", "B-LT"):
            base = median_time(lambda level=level: bare(level, key))
            ours = median_time(
                lambda level=level: services.sign_pdf(
                    pdf=pdf, purpose="personal", signer=leader, pin=DEMO_PIN, level=level
                )
            )
            results[level] = (base, ours)
            print(
                f"  sign {level:5}: pyHanko {base * 1000:6.1f} ms ({1 / base:5.1f}/s) | "
                f"sign_pdf {ours * 1000:6.1f} ms ({1 / ours:5.1f}/s) | ratio {ours / base:.2f}×"
            )
        base = median_time(lambda: bare("B-B", key, visible=False))
        ours = median_time(
            lambda: services.sign_pdf(
                pdf=pdf, purpose="personal", signer=leader, pin=DEMO_PIN, level="B-B", appearance="invisible"
            )
        )
        print(
            f"  invisible  : pyHanko {base * 1000:6.1f} ms ({1 / base:5.1f}/s) | "
            f"sign_pdf {ours * 1000:6.1f} ms ({1 / ours:5.1f}/s) | ratio {ours / base:.2f}×"
        )
        stock = plain_signer(
            key._key,  # type: ignore[attr-defined]
            signing_cert=key.signing_cert,  # type: ignore[attr-defined]
            signing_key=key.signing_key,  # type: ignore[attr-defined]
            cert_registry=key.cert_registry,  # type: ignore[attr-defined]
        )
        base = median_time(lambda: bare("B-B", stock))
        print(
            f"  stock B-B  : pyHanko's CMS assembly {base * 1000:6.1f} ms ({1 / base:5.1f}/s) | "
            f"sign_pdf / stock {results['B-B'][1] / base:.2f}×"
        )

    count = max(ROUNDS // 2, 10)
    queued = [
        services.request_signatures(agency=certificate.agency, pdf=pdf, title=f"Văn bản {n}")
        for n in range(count)
    ]
    started = time.perf_counter()
    result = services.batch_sign(requests=queued, actor=leader, purpose="personal", pin=DEMO_PIN, level="B-B")
    elapsed = (time.perf_counter() - started) / count
    assert result.succeeded == count
    base_bb = results["B-B"][0]
    print(
        f"  batch B-B  : {elapsed * 1000:6.1f} ms per document ({1 / elapsed:5.1f}/s, stored and moved on) | "
        f"ratio {elapsed / base_bb:.2f}×"
    )

    signed = services.sign_pdf(pdf=pdf, purpose="personal", signer=leader, pin=DEMO_PIN, level="B-LT").content

    def bare_verify() -> None:
        embedded = PdfFileReader(io.BytesIO(signed)).embedded_signatures[0]
        context = ValidationContext(
            trust_roots=roots, crls=crls, allow_fetching=False, revocation_mode="hard-fail"
        )
        status = validate_pdf_signature(embedded, signer_validation_context=context)
        assert status.bottom_line

    def ours_verify() -> None:
        assert services.verify_pdf(signed).valid

    base = median_time(bare_verify)
    ours = median_time(ours_verify)
    print(
        f"  verify B-LT: pyHanko {base * 1000:6.1f} ms ({1 / base:5.1f}/s) | "
        f"verify_pdf {ours * 1000:6.1f} ms ({1 / ours:5.1f}/s) | ratio {ours / base:.2f}×"
    )
    print(f"  (certificate {load_certificate(certificate.certificate_pem).subject.human_friendly})")


if __name__ == "__main__":
    main()
