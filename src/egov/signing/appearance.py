"""How signatures look on the page, as NĐ 30/2020/NĐ-CP (Phụ lục I) prescribes.

- The competent official's signature: the position (``CHỦ TỊCH``), the signature image (blue, transparent PNG)
  below it, then the full name — the image sits between position and name.
- The agency's signature on the same document: the seal image (red), real size, overlapping about one third of
  the official's signature image, on its left. It is a separate signature field placed over the first one.
- The agency's signature on attachments and forms: no image, a text stamp in the top-right corner of page 1 —
  agency, number and symbol, signing time in ISO 8601 in Vietnam's time zone — size 10, black.

Text is drawn with an embedded subset of Noto Serif (see :mod:`egov.signing.fonts`: parsed once per process,
each subset made once), so Vietnamese renders.
Everything here is geometry and drawing; which stamp is used where is decided in ``services``.
"""

from __future__ import annotations

import io
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from PIL import Image
from pyhanko.pdf_utils import layout
from pyhanko.pdf_utils.content import ResourceType
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.images import PdfImage
from pyhanko.pdf_utils.writer import BasePdfFileWriter
from pyhanko.stamp.base import BaseStamp, BaseStampStyle

from egov.signing.fonts import font_engine

MM = 72 / 25.4
SIGNER_BOX = (200.0, 130.0)
"""Width and height (points) of an official's signature field."""
SEAL_DIAMETER = 36 * MM
"""A round seal of an agency is about 35–36 mm across (real size)."""
TEXT_STAMP_SIZE = 10
TEXT_STAMP_BOX = (230.0, 36.0)


@dataclass(frozen=True)
class Rect:
    """A rectangle in PDF user space (points, origin bottom-left) on page ``page`` (0-based; -1 = last)."""

    page: int
    x1: float
    y1: float
    x2: float
    y2: float

    @property
    def width(self) -> float:
        return self.x2 - self.x1

    @property
    def height(self) -> float:
        return self.y2 - self.y1

    def as_box(self) -> tuple[int, int, int, int]:
        return (round(self.x1), round(self.y1), round(self.x2), round(self.y2))

    def to_json(self) -> dict[str, float]:
        return {"page": self.page, "x1": self.x1, "y1": self.y1, "x2": self.x2, "y2": self.y2}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Rect:
        return cls(int(data["page"]), *(float(data[k]) for k in ("x1", "y1", "x2", "y2")))


def default_signer_rect(page: int, page_width: float, page_height: float) -> Rect:
    """The usual place of the signature block: bottom right of the last page, inside a 20 mm right margin."""
    width, height = SIGNER_BOX
    x2 = page_width - 20 * MM
    y1 = 25 * MM
    return Rect(page, x2 - width, y1, x2, y1 + height)


def default_text_stamp_rect(page_width: float, page_height: float) -> Rect:
    """Top-right corner of page 1, in the top margin."""
    width, height = TEXT_STAMP_BOX
    x2 = page_width - 8 * MM
    y2 = page_height - 2 * MM
    return Rect(0, x2 - width, y2 - height, x2, y2)


@dataclass(frozen=True)
class SignerLayout:
    """Where position, image and name go inside an official's signature field of ``width`` × ``height``."""

    width: float
    height: float
    font_size: float = 11
    position_lines: int = 1

    @property
    def line_height(self) -> float:
        return self.font_size * 1.3

    @property
    def image_slot(self) -> tuple[float, float, float, float]:
        """(x, y, width, height) of the image area, relative to the field."""
        top = self.height - self.position_lines * self.line_height - 4
        bottom = self.line_height + 6
        return (10.0, bottom, self.width - 20.0, max(top - bottom, 10.0))


def seal_rect_over(signer: Rect, *, position_lines: int = 1) -> Rect:
    """The seal's field: real size, centred on the official's signature image vertically, covering the left third
    of the image (so most of the seal lies to the left of the signature, as on paper)."""
    slot_x, slot_y, slot_w, slot_h = SignerLayout(
        signer.width, signer.height, position_lines=position_lines
    ).image_slot
    image_left = signer.x1 + slot_x
    centre_y = signer.y1 + slot_y + slot_h / 2
    x2 = image_left + slot_w / 3
    return Rect(
        signer.page, x2 - SEAL_DIAMETER, centre_y - SEAL_DIAMETER / 2, x2, centre_y + SEAL_DIAMETER / 2
    )


@lru_cache(maxsize=64)
def load_png(data: bytes) -> Image.Image:
    """The decoded image (RGBA). Decoded once per process for the same bytes: the result is shared, so it
    must not be modified."""
    image = Image.open(io.BytesIO(data))
    image.load()
    return image.convert("RGBA")


class _Text:
    """Lines of Vietnamese text drawn with one embedded font subset per appearance."""

    def __init__(self, stamp: BaseStamp, *, size: float, weight: str = "bold") -> None:
        assert stamp.writer is not None
        self.size = size
        self.engine = font_engine(stamp.writer, weight=weight, size=size)
        stamp.set_resource(category=ResourceType.FONT, name=pdf_name("/F1"), value=self.engine.as_resource())

    def width(self, text: str) -> float:
        return float(self.engine.shape(unicodedata.normalize("NFC", text)).x_advance) * self.size

    def line(self, text: str, x: float, y: float, *, rgb: tuple[float, float, float] = (0, 0, 0)) -> bytes:
        ops = self.engine.shape(unicodedata.normalize("NFC", text)).graphics_ops
        return b"q %.3f %.3f %.3f rg BT /F1 %.2f Tf 1 0 0 1 %.3f %.3f Tm %s ET Q" % (
            *rgb,
            self.size,
            x,
            y,
            ops,
        )

    def centred(self, text: str, box_width: float, y: float) -> bytes:
        return self.line(text, max((box_width - self.width(text)) / 2, 0), y)


def _draw_image(stamp: BaseStamp, image: Image.Image, x: float, y: float, w: float, h: float) -> bytes:
    """``image`` fitted (aspect kept) and centred in the rectangle (x, y, w, h)."""
    scale = min(w / image.width, h / image.height)
    draw_w, draw_h = image.width * scale, image.height * scale
    pdf_image = PdfImage(image, writer=stamp.writer, box=layout.BoxConstraints(draw_w, draw_h))
    ops = pdf_image.render()
    stamp.import_resources(pdf_image.resources)
    return b"q 1 0 0 1 %.3f %.3f cm %s Q" % (x + (w - draw_w) / 2, y + (h - draw_h) / 2, ops)


def _content(commands: list[bytes]) -> bytes:
    """The appearance's content stream. Each stamp below draws its whole content in ``render`` (pyHanko's public
    ``PdfContent.render``): no border, no background, so pyHanko's own frame around the drawing has nothing to add.
    """
    return b" ".join([b"q", *commands, b"Q"])


@dataclass(frozen=True)
class SignerStampStyle(BaseStampStyle):
    """An official's signature: position, signature image, full name (centred, bold)."""

    position: str = ""
    full_name: str = ""
    image: Image.Image | None = field(default=None, compare=False)
    border_width: int = 0

    def create_stamp(
        self, writer: BasePdfFileWriter, box: layout.BoxConstraints, text_params: dict[str, Any]
    ) -> BaseStamp:
        return SignerStamp(writer=writer, style=self, box=box)


class SignerStamp(BaseStamp):
    style: SignerStampStyle

    def render(self) -> bytes:
        width, height = float(self.box.width), float(self.box.height)
        lines = [line for line in self.style.position.upper().split("\n") if line.strip()]
        geometry = SignerLayout(width, height, position_lines=max(len(lines), 1))
        text = _Text(self, size=geometry.font_size)
        commands = []
        y = height - geometry.line_height
        for line in lines:
            commands.append(text.centred(line, width, y + 2))
            y -= geometry.line_height
        if self.style.image is not None:
            commands.append(_draw_image(self, self.style.image, *geometry.image_slot))
        commands.append(text.centred(self.style.full_name, width, 4))
        return _content(commands)


@dataclass(frozen=True)
class SealStampStyle(BaseStampStyle):
    """An agency's signature shown as its seal image, nothing else."""

    image: Image.Image | None = field(default=None, compare=False)
    border_width: int = 0

    def create_stamp(
        self, writer: BasePdfFileWriter, box: layout.BoxConstraints, text_params: dict[str, Any]
    ) -> BaseStamp:
        return SealStamp(writer=writer, style=self, box=box)


class SealStamp(BaseStamp):
    style: SealStampStyle

    def render(self) -> bytes:
        if self.style.image is None:
            return _content([])
        return _content(
            [_draw_image(self, self.style.image, 0, 0, float(self.box.width), float(self.box.height))]
        )


@dataclass(frozen=True)
class TextStampStyle(BaseStampStyle):
    """An agency's signature on an attachment or a form: lines of text, size 10, black, no image."""

    lines: tuple[str, ...] = ()
    border_width: int = 0

    def create_stamp(
        self, writer: BasePdfFileWriter, box: layout.BoxConstraints, text_params: dict[str, Any]
    ) -> BaseStamp:
        return TextStamp(writer=writer, style=self, box=box)


class TextStamp(BaseStamp):
    style: TextStampStyle

    def render(self) -> bytes:
        text = _Text(self, size=TEXT_STAMP_SIZE, weight="regular")
        height = float(self.box.height)
        leading = TEXT_STAMP_SIZE * 1.15
        commands = []
        for index, line in enumerate(self.style.lines):
            commands.append(text.line(line, 2, height - (index + 1) * leading + 2))
        return _content(commands)


__all__ = [
    "SEAL_DIAMETER",
    "Rect",
    "SealStampStyle",
    "SignerStampStyle",
    "TextStampStyle",
    "default_signer_rect",
    "default_text_stamp_rect",
    "load_png",
    "seal_rect_over",
]
