"""Cost of the platform's signing and verification over a bare pyHanko call, as ratios measured in one run.

On one A4 page made by WeasyPrint (SQLite file with the demo data and demo PKI, one process, one core):
- signing at PAdES B-B and B-LT: ``egov.signing.services.sign_pdf`` (opening the PIN-protected key, certificate
  checks, NĐ 30 appearance, audit record) against a bare pyHanko call on the same document: ``PdfSigner.sign_pdf``
  with the same appearance and time stamper and a ``SimpleSigner`` holding the key already parsed (pyHanko's
  own CMS assembly; unlike a stock ``SimpleSigner`` it does not parse the RSA key again for every signature);
- the same bare call with the platform's own key object (pre-encoded CMS attributes), i.e. with the platform's
  speed-ups credited to the baseline too, which shows what the platform's own work costs;
- the same at B-B without appearance (``appearance="invisible"``), so the cost of the NĐ 30 appearance and of the
  platform's own work can be told apart;
- the PIN opens the key for each signature (asked at signing time, never stored): what opening it costs in the
  platform's backend, and the same job done by a bare pyHanko call that opens the same PIN-protected PKCS#12 file
  with its own loader (``SimpleSigner.load_pkcs12_data``) for each signature;
- the leader's batch (``batch_sign``: key opened once, each document stored and its request moved on);
- verification: ``verify_pdf`` (the Vietnamese report) against ``validate_pdf_signature`` with the same roots.
Targets: overhead ≤ 1.15× the bare call, and ≥ 20 signatures/s per core at B-B.
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
        stock = plain_signer(
            key._key,  # type: ignore[attr-defined]
            signing_cert=key.signing_cert,  # type: ignore[attr-defined]
            signing_key=key.signing_key,  # type: ignore[attr-defined]
            cert_registry=key.cert_registry,  # type: ignore[attr-defined]
        )
        results = {}
        for level in ("B-B", "B-LT"):
            plain = median_time(lambda level=level: bare(level, stock))
            tuned = median_time(lambda level=level: bare(level, key))
            ours = median_time(
                lambda level=level: services.sign_pdf(
                    pdf=pdf, purpose="personal", signer=leader, pin=DEMO_PIN, level=level
                )
            )
            results[level] = (tuned, ours, plain)
            verdict = "ok" if ours / plain <= 1.15 else "MISSED"
            print(
                f"  sign {level:5}: bare pyHanko {plain * 1000:6.1f} ms ({1 / plain:5.1f}/s) | "
                f"sign_pdf {ours * 1000:6.1f} ms ({1 / ours:5.1f}/s) | ratio {ours / plain:.2f}× "
                f"(target ≤ 1.15: {verdict}) | bare call with the platform's key object "
                f"{tuned * 1000:6.1f} ms: ratio {ours / tuned:.2f}×"
            )
        base = median_time(lambda: bare("B-B", key, visible=False))
        ours = median_time(
            lambda: services.sign_pdf(
                pdf=pdf, purpose="personal", signer=leader, pin=DEMO_PIN, level="B-B", appearance="invisible"
            )
        )
        print(
            f"  invisible  : bare call with the platform's key object {base * 1000:6.1f} ms ({1 / base:5.1f}/s) | "
            f"sign_pdf {ours * 1000:6.1f} ms ({1 / ours:5.1f}/s) | ratio {ours / base:.2f}×"
        )

    # The PIN opens the key for each signature (never stored): what that costs in the platform's backend, and
    # what the same job costs a bare pyHanko call (its own loader of the same PIN-protected file).
    def open_key() -> None:
        with services.signing_key(certificate, pin=DEMO_PIN):
            pass

    opening = median_time(open_key)
    blob = bytes(certificate.key_blob)
    for level in ("B-B", "B-LT"):
        base, ours, _ = results[level]
        with_pin = median_time(
            lambda level=level: bare(
                level,
                signers.SimpleSigner.load_pkcs12_data(blob, other_certs=chain, passphrase=DEMO_PIN.encode()),
            ),
            rounds=max(ROUNDS // 4, 5),
        )
        print(
            f"  {level:5} with the PIN each time: bare pyHanko (load_pkcs12_data + sign) {with_pin * 1000:6.1f} ms | "
            f"sign_pdf / that {ours / with_pin:.2f}× | platform's own work, key opening "
            f"({opening * 1000:.1f} ms) set aside: {(ours - opening) / base:.2f}× the key-in-memory call"
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
    tuned_bb, _, plain_bb = results["B-B"]
    print(
        f"  batch B-B  : {elapsed * 1000:6.1f} ms per document ({1 / elapsed:5.1f}/s, stored and moved on) | "
        f"ratio to the bare call {elapsed / plain_bb:.2f}×, to the call with the platform's key object "
        f"{elapsed / tuned_bb:.2f}×"
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
        f"verify_pdf {ours * 1000:6.1f} ms ({1 / ours:5.1f}/s) | ratio {ours / base:.2f}× "
        f"(target ≤ 1.15: {'ok' if ours / base <= 1.15 else 'MISSED'})"
    )
    per_core = 1 / results["B-B"][1]
    print(
        f"  B-B signatures per second on one core: {per_core:.1f} (target ≥ 20: {'ok' if per_core >= 20 else 'MISSED'})"
    )
    print(f"  (certificate {load_certificate(certificate.certificate_pem).subject.human_friendly})")


if __name__ == "__main__":
    main()
