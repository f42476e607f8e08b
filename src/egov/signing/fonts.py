"""Fonts for signature appearances: static instances of the packaged Noto Serif (``fontpkg-noto-serif``).

pyHanko's default font (Courier, not embedded) has no Vietnamese glyphs, so appearances embed a subset of an
OpenType font through ``GlyphAccumulatorFactory``. The package ships a variable font; pyHanko needs a static
one, so the regular and bold instances are made once with fontTools and cached under ``EGOV_VAR_DIR``.
"""

from __future__ import annotations

import os
import tempfile
from functools import cache
from pathlib import Path

import fontpkg_noto_serif
from django.conf import settings

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
