"""Fonts for signature appearances: static instances of the packaged Noto Serif (``fontpkg-noto-serif``).

pyHanko's default font (Courier, not embedded) has no Vietnamese glyphs, so appearances embed a subset of an
OpenType font through ``GlyphAccumulatorFactory``. The package ships a variable font; pyHanko needs a static
one, so the regular and bold instances are made once with fontTools and cached under ``EGOV_VAR_DIR``.
"""

from __future__ import annotations

import io
import os
import tempfile
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import fontpkg_noto_serif
from django.conf import settings
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.font.api import FontEngine
from pyhanko.pdf_utils.font.opentype import CIDFontType2, GlyphAccumulator
from pyhanko.pdf_utils.writer import BasePdfFileWriter

WEIGHTS = {"regular": 400, "bold": 700}
VIETNAMESE_AND_LATIN = [
    *range(0x20, 0x7F),  # ASCII
    *range(0xA0, 0x250),  # Latin-1, Latin Extended-A and -B (ă, â, đ, ê, ô, ơ, ư …)
    *range(0x300, 0x324),  # combining marks used by Vietnamese
    *range(0x1EA0, 0x1EFA),  # Latin Extended Additional: the precomposed Vietnamese letters (ạ … ỹ)
    *range(0x2010, 0x2027),  # dashes, quotes, ellipsis
    0x20AB,  # ₫
    0x2116,  # №
]
"""What signature appearances print. The font is cut down to these once, so that embedding a subset into each
signed PDF stays fast (the full Noto Serif takes over a second per signature to subset)."""


def _variable_font() -> Path:
    root = Path(fontpkg_noto_serif.ROOT) / "files"
    return next(p for p in root.glob("NotoSerif*.ttf") if "Italic" not in p.name)


@cache
def font_path(weight: str = "bold") -> str:
    """Path of a static Noto Serif TTF of ``weight`` (``regular`` or ``bold``), created on first use."""
    from fontTools import subset
    from fontTools.ttLib import TTFont
    from fontTools.varLib import instancer

    source = _variable_font()
    folder = Path(settings.VAR_DIR) / "cache" / "fonts"
    target = folder / f"NotoSerif-{weight}-vi2-{source.stat().st_size}.ttf"
    if not target.exists():
        folder.mkdir(parents=True, exist_ok=True)
        font = TTFont(source)
        static = instancer.instantiateVariableFont(font, {"wght": WEIGHTS[weight], "wdth": 100})
        options = subset.Options()
        options.hinting = False
        options.layout_features = []  # Vietnamese is drawn from precomposed letters (text is NFC-normalised)
        options.drop_tables += ["GSUB", "GPOS", "GDEF", "STAT", "MVAR", "HVAR"]
        options.name_IDs = ["*"]
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=VIETNAMESE_AND_LATIN)
        subsetter.subset(static)
        handle, temporary = tempfile.mkstemp(dir=folder, suffix=".ttf")
        os.close(handle)
        static.save(temporary)
        os.replace(temporary, target)  # atomic: parallel processes never read a half-written font
    return str(target)


# --- One parsed font per process, one subset per set of glyphs -----------------------------------------
#
# pyHanko's ``GlyphAccumulatorFactory`` opens and parses the font file for every signature (fontTools and
# HarfBuzz), then cuts a subset of the glyphs used and serialises it while the PDF is written. An official's
# name and position (or an agency's text stamp) use the same glyphs signature after signature, so the font is
# parsed once per process and each distinct subset is made once and kept (``SUBSETS_KEPT``). The embedded
# bytes are those pyHanko would write; only the random subset tag of the font name and the time fontTools
# stamps into the ``head`` table differ.
#
# This is the one place in the platform that relies on pyHanko internals, on purpose: pyHanko has no public way
# to reuse a parsed font or a subset (its public engine, ``GlyphAccumulator(writer, font_handle, size)``, costs
# about 10 ms per appearance against 0.2 ms here, i.e. some 40 % of a B-B signature). ``CachedGlyphAccumulator``
# sets the attributes ``GlyphAccumulator.__init__`` sets and overrides two of its private methods
# (``_get_cid_and_width``, ``_extract_subset``); ``_SubsetCIDFont`` fills ``CIDFont._font_descriptor``.
# ``tests/test_pyhanko_internals.py`` fails when a pyHanko release changes any of that (a new attribute, a
# renamed method, different bytes than pyHanko's own engine writes): re-read ``pyhanko/pdf_utils/font/
# opentype.py`` of the new release then, or fall back to ``GlyphAccumulatorFactory`` in :func:`font_engine`.

SUBSETS_KEPT = 256


@dataclass(frozen=True)
class _FontProgram:
    path: str
    data: bytes
    hb_font: Any
    tt: Any
    ps_name: str
    units_per_em: int
    widths: dict[int, int]
    reverse_cmap: dict[str, set[int]]


@cache
def _program(path: str) -> _FontProgram:
    import uharfbuzz as hb
    from fontTools import ttLib

    data = Path(path).read_bytes()
    tt = ttLib.TTFont(io.BytesIO(data))
    if "CFF " in tt:  # pragma: no cover  (the packaged Noto Serif is TrueType)
        raise ValueError("only TrueType outlines are supported")
    glyph_set = tt.getGlyphSet()
    widths = {gid: glyph_set[name].width for gid, name in enumerate(tt.getGlyphOrder())}
    for tag in ("head", "hhea", "OS/2", "name", "post", "cmap"):
        tt[tag]  # load now: the object is shared by threads afterwards, read only
    return _FontProgram(
        path=path,
        data=data,
        hb_font=hb.Font(hb.Face(data)),
        tt=tt,
        ps_name=_postscript_name(tt),
        units_per_em=tt["head"].unitsPerEm,
        widths=widths,
        reverse_cmap=tt["cmap"].buildReversed(),
    )


def _postscript_name(tt: Any) -> str:
    """The font's PostScript name (name ID 6), read as pyHanko reads it."""
    return str(next(record for record in tt["name"].names if record.nameID == 6).toUnicode())


@lru_cache(maxsize=SUBSETS_KEPT)
def _subset_bytes(path: str, gids: frozenset[int]) -> bytes:
    """The TrueType subset pyHanko's ``GlyphAccumulator`` embeds for these glyphs (same options)."""
    from fontTools import subset, ttLib

    tt = ttLib.TTFont(io.BytesIO(_program(path).data))
    options = subset.Options(layout_closure=False)
    options.drop_tables += ["GPOS", "GDEF", "GSUB"]
    options.retain_gids = True
    subsetter = subset.Subsetter(options=options)
    subsetter.populate(gids=sorted(gids))
    subsetter.subset(tt)
    buffer = io.BytesIO()
    tt.save(buffer)
    return buffer.getvalue()


class _SubsetCIDFont(CIDFontType2):
    subset_data: bytes = b""

    def set_font_file(self, writer: BasePdfFileWriter) -> Any:
        font_stream = generic.StreamObject(stream_data=self.subset_data)
        font_stream.compress()
        font_stream_ref = writer.add_object(font_stream)
        self._font_descriptor[generic.NameObject("/FontFile2")] = font_stream_ref
        return font_stream_ref


class CachedGlyphAccumulator(GlyphAccumulator):
    """pyHanko's ``GlyphAccumulator`` over a font parsed once per process, with cached subsets."""

    def __init__(self, writer: BasePdfFileWriter, program: _FontProgram, font_size: float) -> None:
        obj_stream = writer.prepare_object_stream() if writer.stream_xrefs else None
        FontEngine.__init__(
            self,
            writer,
            program.ps_name,
            embedded_subset=True,
            obj_stream=obj_stream,
            font_size=font_size,  # type: ignore[arg-type]
        )
        self.program = program
        self.hb_font = program.hb_font
        self.tt = program.tt
        self._font_ref = writer.allocate_placeholder()
        self.cff_charset = None
        self.use_raw_gids = True
        self.cidfont_obj = _SubsetCIDFont(program.tt, program.ps_name, self.subset_prefix)
        self.features = None
        self.units_per_em = program.units_per_em
        self._glyphs: dict[int, tuple[int, int]] = {}
        self._cid_to_unicode: dict[int, str] = {}
        self._GlyphAccumulator__reverse_cmap = program.reverse_cmap
        self.ot_language_tag = None
        self.ot_script_tag = None
        self.writing_direction = None
        self.bcp47_lang_code = None
        self._subset_created = self._write_prepared = False

    def _get_cid_and_width(self, glyph_id: int) -> tuple[int, int]:
        found = self._glyphs.get(glyph_id)
        if found is None:
            found = self._glyphs[glyph_id] = (glyph_id, self.program.widths[glyph_id])
        return found

    def _extract_subset(self, options: Any = None) -> None:
        assert isinstance(self.cidfont_obj, _SubsetCIDFont)
        self.cidfont_obj.subset_data = _subset_bytes(self.program.path, frozenset(self._glyphs))


def font_engine(writer: BasePdfFileWriter, *, weight: str = "bold", size: float = 10) -> GlyphAccumulator:
    """A font engine for one appearance, drawing with the static Noto Serif of ``weight``."""
    return CachedGlyphAccumulator(writer, _program(font_path(weight)), size)
