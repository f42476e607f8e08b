"""Demo signature and seal images, drawn with Pillow (real ones are uploaded per official and agency).

A signature is a blue stroke on a transparent background; a seal is the red round seal of a Vietnamese agency:
two rings, the agency's name around the edge and a star in the middle."""

from __future__ import annotations

import hashlib
import io
import math

from PIL import Image, ImageDraw, ImageFont

from egov.signing.fonts import font_path

BLUE = (18, 52, 190, 255)
RED = (214, 24, 31, 255)


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def demo_signature_png(full_name: str, *, width: int = 500, height: int = 200) -> bytes:
    """A handwriting-like blue stroke, different for each name, on a transparent background."""
    seed = hashlib.sha256(full_name.encode()).digest()
    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    points = []
    loops = 3 + seed[0] % 3
    for step in range(400):
        t = step / 399
        x = 30 + t * (width - 60)
        y = height / 2 + math.sin(t * loops * 2 * math.pi + seed[1] / 40) * (height * 0.28) * (1 - t * 0.5)
        x += math.cos(t * loops * 4 * math.pi) * 18
        points.append((x, y))
    draw.line(points, fill=BLUE, width=7, joint="curve")
    draw.line([(40, height * 0.8), (width - 60, height * 0.72)], fill=BLUE, width=5)
    return _png(image)


def demo_seal_png(agency_name: str, *, size: int = 600) -> bytes:
    """A red round seal with ``agency_name`` around the edge and a star in the centre."""
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    centre = size / 2
    draw.ellipse((8, 8, size - 8, size - 8), outline=RED, width=16)
    draw.ellipse((size * 0.2, size * 0.2, size * 0.8, size * 0.8), outline=RED, width=8)
    font = ImageFont.truetype(font_path("bold"), int(size * 0.075))
    text = agency_name.upper()
    radius = size * 0.4
    span = min(300.0, 14.0 * len(text))
    for index, char in enumerate(text):
        angle = -90 - span / 2 + span * (index + 0.5) / len(text)
        glyph = Image.new("RGBA", (int(size * 0.12), int(size * 0.12)), (0, 0, 0, 0))
        ImageDraw.Draw(glyph).text(
            (glyph.width / 2, glyph.height / 2), char, font=font, fill=RED, anchor="mm"
        )
        glyph = glyph.rotate(-(angle + 90), resample=Image.Resampling.BICUBIC)
        x = centre + radius * math.cos(math.radians(angle)) - glyph.width / 2
        y = centre + radius * math.sin(math.radians(angle)) - glyph.height / 2
        image.alpha_composite(glyph, (int(x), int(y)))
    star = []
    for k in range(10):
        r = size * (0.2 if k % 2 == 0 else 0.08)
        a = math.radians(-90 + k * 36)
        star.append((centre + r * math.cos(a), centre + r * math.sin(a)))
    draw.polygon(star, fill=RED)
    return _png(image)
