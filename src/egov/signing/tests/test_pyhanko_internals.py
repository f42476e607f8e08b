"""What the platform does in place of pyHanko's defaults gives pyHanko's own result, and the one place that
relies on pyHanko internals (the cached font engine of ``egov.signing.fonts``) still matches the pyHanko
installed: these tests fail when a pyHanko release changes what that code copies."""

from __future__ import annotations

import asyncio
import hashlib
import inspect
import io
from importlib.metadata import version
from typing import Any

import pytest
from fontTools.ttLib import TTFont
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.font.opentype import CIDFont, CIDFontType2, GlyphAccumulator
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.writer import PdfFileWriter
from pyhanko.sign.signers import SimpleSigner
from pyhanko.sign.signers.pdf_cms import PdfCMSSignedAttributes

from egov.signing import fonts, services
from egov.signing.certificates import local_crls
from egov.signing.services import pades

TEXTS = ("CHỦ TỊCH", "KT. GIÁM ĐỐC", "Ngô Văn Thành", "Ủy ban nhân dân huyện Lộc Ninh", "Số: 15/QĐ-UBND")


def test_the_pyhanko_release_is_the_one_the_font_engine_was_checked_against() -> None:
    assert version("pyHanko").startswith("0.38."), (
        "pyHanko changed: check egov/signing/fonts.py against pyhanko/pdf_utils/font/opentype.py, then update"
    )


def _font_objects(engine: Any) -> dict[str, Any]:
    """What an engine wrote into its PDF: the Type0 font, its CID font, descriptor, widths, embedded font
    program and ToUnicode map (the random subset tag of the names left out)."""
    type0 = engine.as_resource().get_object()
    cid_font = type0["/DescendantFonts"][0].get_object()
    descriptor = cid_font["/FontDescriptor"].get_object()

    def without_names(obj: Any, *names: str) -> dict[str, Any]:
        return {key: repr(value) for key, value in obj.items() if key not in names}

    return {
        "type0": without_names(type0, "/BaseFont", "/DescendantFonts", "/ToUnicode"),
        "cid_font": without_names(cid_font, "/BaseFont", "/FontDescriptor", "/W"),
        "widths": repr(cid_font["/W"]),
        "descriptor": without_names(descriptor, "/FontName", "/FontFile2"),
        "font_file": _font_tables(descriptor["/FontFile2"].get_object().data),
        "to_unicode": type0["/ToUnicode"].get_object().data,
    }


def _font_tables(data: bytes) -> dict[str, bytes]:
    """The tables of an embedded TrueType program; fontTools stamps the time it was written into ``head``."""
    font = TTFont(io.BytesIO(data))
    font["head"].modified = 0
    tags = [tag for tag in sorted(font.keys()) if tag != "GlyphOrder"]
    return {tag: font["head"].compile(font) if tag == "head" else font.getTableData(tag) for tag in tags}


@pytest.mark.parametrize("weight", ["bold", "regular"])
def test_cached_font_engine_writes_what_pyhankos_own_engine_writes(weight: str) -> None:
    path = fonts.font_path(weight)
    with open(path, "rb") as handle:
        stock = GlyphAccumulator(PdfFileWriter(), handle, 11)
        cached = fonts.font_engine(PdfFileWriter(), weight=weight, size=11)
        for text in TEXTS:
            ours, theirs = cached.shape(text), stock.shape(text)
            assert (ours.graphics_ops, ours.x_advance) == (theirs.graphics_ops, theirs.x_advance), text
        cached.prepare_write()
        stock.prepare_write()
    assert _font_objects(cached) == _font_objects(stock)


def test_cached_font_engine_sets_what_pyhanko_sets_and_overrides_what_exists() -> None:
    path = fonts.font_path("bold")
    with open(path, "rb") as handle:
        stock = GlyphAccumulator(PdfFileWriter(), handle, 11)
    cached = fonts.font_engine(PdfFileWriter(), size=11)
    # pyHanko's engine keeps its glyph set for _get_cid_and_width, which the cached engine replaces; the cached
    # one keeps the parsed program instead. Any other difference is an attribute a new pyHanko relies on.
    assert set(vars(stock)) - set(vars(cached)) == {"_glyph_set"}
    assert set(vars(cached)) - set(vars(stock)) == {"program"}
    for name in ("_get_cid_and_width", "_extract_subset"):
        assert inspect.signature(getattr(GlyphAccumulator, name)).parameters.keys() == (
            inspect.signature(getattr(fonts.CachedGlyphAccumulator, name)).parameters.keys()
        ), name
    assert "set_font_file" in vars(CIDFontType2) and "_font_descriptor" in inspect.getsource(CIDFont.__init__)
    assert "_GlyphAccumulator__reverse_cmap" in vars(cached) and "_reverse_cmap" in vars(GlyphAccumulator)


@pytest.mark.django_db
def test_signed_attributes_are_pyhankos_own(pki: Any) -> None:
    """The backends' signers build the signed attributes of a PAdES signature from pre-encoded parts
    (``PadesSignedAttributes``); the DER is the one pyHanko's default signer builds."""
    certificate = services.certificate_for(pki.leader, "personal")
    digest = hashlib.sha256(b"van ban").digest()
    settings = PdfCMSSignedAttributes(signing_time=None)
    with services.signing_key(certificate, pin=pki.pin) as key:
        assert key.signed_attr_prov_spec is not None
        stock = SimpleSigner(
            signing_cert=key.signing_cert,
            signing_key=key.signing_key,  # type: ignore[attr-defined]
            cert_registry=key.cert_registry,
        )
        for dry_run in (False, True):
            ours = asyncio.run(
                key.signed_attrs(digest, "sha256", attr_settings=settings, use_pades=True, dry_run=dry_run)
            )
            theirs = asyncio.run(
                stock.signed_attrs(digest, "sha256", attr_settings=settings, use_pades=True, dry_run=dry_run)
            )
            assert ours.dump() == theirs.dump()


@pytest.mark.django_db
def test_a_signature_outgrowing_the_remembered_space_is_made_again_and_verifies(pki: Any, pdf: bytes) -> None:
    first = services.sign_pdf(pdf=pdf, purpose="personal", signer=pki.leader, pin=pki.pin, level="B-B")
    key = (first.record.certificate.fingerprint, "B-B", "")
    embedded = PdfFileReader(io.BytesIO(first.content)).embedded_signatures[0]
    _start, before, after, _rest = (int(v) for v in embedded.sig_object["/ByteRange"])
    assert pades._reserved_sizes[key] == after - before - 2  # what pyHanko reserved, remembered
    pades._reserved_sizes[key] = 64  # far too small: pyHanko refuses to write the signature
    again = services.sign_pdf(pdf=pdf, purpose="personal", signer=pki.leader, pin=pki.pin, level="B-B")
    assert services.verify_pdf(again.content).valid
    assert pades._reserved_sizes[key] == after - before - 2


@pytest.mark.django_db
def test_b_lt_embeds_the_platforms_own_crl_read_from_the_database(pki: Any, pdf: bytes) -> None:
    signed = services.sign_pdf(pdf=pdf, purpose="personal", signer=pki.leader, pin=pki.pin, level="B-LT")
    reader = PdfFileReader(io.BytesIO(signed.content))
    dss = reader.root["/DSS"]
    embedded = {bytes(crl.get_object().data) for crl in dss["/CRLs"]}
    assert embedded & set(local_crls().values())
    assert isinstance(dss["/CRLs"], generic.ArrayObject)
