"""PDF documents from Django templates, rendered with WeasyPrint and fonts that cover Vietnamese.

The fonts come from the PyPI packages ``fontpkg-noto-serif`` (family ``Noto Serif``, for the body of
official documents) and ``fontpkg-be-vietnam-pro`` (family ``Be Vietnam Pro``, sans), so the output does not
depend on what the server has installed. Rendering never touches the network: the only URLs WeasyPrint may
open are ``data:`` URLs and ``file:`` URLs inside those font packages.
"""

from __future__ import annotations

import json
import math
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo

import fontpkg_be_vietnam_pro
import fontpkg_noto_serif
import segno
from django.template.loader import render_to_string

try:
    from weasyprint import CSS, HTML, URLFetcher
    from weasyprint.text.fonts import FontConfiguration

    MISSING_LIBRARIES: OSError | None = None
except OSError as exc:  # Pango is a system library (Debian: libpango-1.0-0 libpangoft2-1.0-0)
    MISSING_LIBRARIES = exc
    URLFetcher = object

FONT_PACKAGES: tuple[tuple[str, Path], ...] = (
    (fontpkg_noto_serif.FAMILY, Path(fontpkg_noto_serif.ROOT)),
    (fontpkg_be_vietnam_pro.FAMILY, Path(fontpkg_be_vietnam_pro.ROOT)),
)
"""(CSS family name, package folder) of each embedded font family."""

WEIGHTS = (400, 700)
"""The weights declared for each family: normal and bold (a variable font is declared once per weight)."""


@cache
def font_face_css() -> str:
    """``@font-face`` rules for the packaged fonts, with ``file://`` URLs of the installed font files.

    Each package ships a ``metadata.json`` listing its files with their style, weight and whether they are
    variable; WeasyPrint turns a variable font into a static instance of the weight it uses.
    """
    rules = []
    for family, root in FONT_PACKAGES:
        meta = json.loads((root / "metadata.json").read_text(encoding="utf-8"))
        for entry in meta["files"]:
            weights = (
                WEIGHTS if entry.get("variable") else tuple(w for w in WEIGHTS if w == entry.get("weight"))
            )
            url = root.joinpath(*entry["path"].split("/")).as_uri()
            for weight in weights:
                rules.append(
                    f'@font-face {{ font-family: "{family}"; src: url("{url}"); '
                    f"font-weight: {weight}; font-style: {entry.get('style', 'normal')}; }}"
                )
    return "\n".join(rules)


class LocalOnlyFetcher(URLFetcher):
    """A WeasyPrint URL fetcher that opens ``data:`` URLs and the packaged font files, and nothing else."""

    def __init__(self) -> None:
        super().__init__(allowed_protocols=("data", "file"), allow_redirects=False)

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> Any:
        if url.lower().startswith("file:"):
            path = Path(unquote(urlsplit(url).path)).resolve()
            if not any(path.is_relative_to(root) for _, root in FONT_PACKAGES):
                raise ValueError(f"Refusing to read a local file outside the font packages: {url}")
        elif not url.lower().startswith("data:"):
            raise ValueError(f"Refusing to fetch a non-local URL: {url}")
        return super().fetch(url, headers)


def render_pdf(template_name: str, context: dict[str, Any]) -> bytes:
    """Render ``template_name`` with ``context`` to HTML, then to PDF bytes with the packaged fonts embedded.

    The template's own ``<style>`` sets the page (``@page``) and may use the families ``"Noto Serif"`` and
    ``"Be Vietnam Pro"``. Images must be ``data:`` URLs (see :func:`qr_svg_data_uri`).
    """
    if MISSING_LIBRARIES is not None:
        raise RuntimeError(
            "WeasyPrint cannot start: install Pango (Debian: apt-get install libpango-1.0-0 libpangoft2-1.0-0)."
        ) from MISSING_LIBRARIES
    html = render_to_string(template_name, context)
    fetcher = LocalOnlyFetcher()
    font_config = FontConfiguration()
    fonts = CSS(string=font_face_css(), font_config=font_config, url_fetcher=fetcher)
    document = HTML(string=html, url_fetcher=fetcher, base_url=None)
    pdf = document.write_pdf(stylesheets=[fonts], font_config=font_config)
    assert isinstance(pdf, bytes)
    return pdf


def qr_svg_data_uri(text: str, *, scale: int = 4) -> str:
    """A QR code of ``text`` as an SVG ``data:`` URI, for ``<img src>`` in a PDF template or a page."""
    return str(segno.make(text, error="m", micro=False).svg_data_uri(scale=scale, dark="#000"))


VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


def vietnam_time(moment: datetime) -> str:
    """``moment`` in Vietnam's time zone, written as on paper forms: ``14:05 ngày 03/12/2018``."""
    local = moment.astimezone(VIETNAM)
    return f"{local:%H:%M} ngày {local:%d/%m/%Y}"


def kilobytes(size: int) -> str:
    """A file size in whole kilobytes (rounded up, at least 1), with Vietnamese thousands separators."""
    return f"{max(1, math.ceil(size / 1024)):,} KB".replace(",", ".")
