"""Text rasterising with FreeType (through Pillow): a coverage mask laid out like the layer box.

Layout, in px at the raster scale:

* the text is split on ``\\n`` into paragraphs; with ``max_width_px`` each paragraph is wrapped at
  spaces so lines fit that width (a single word wider than it stays on its own line and is cut);
* the block is ``max_width_px`` wide when given, else as wide as its widest line; it is
  ``lines × (ascent + descent)`` high;
* each line is aligned left, centred or right inside the block.

The *natural size* of a text layer is the block size divided by the raster scale. Text is
rasterised at ``size_px × raster_scale`` where the raster scale is the layer's larger |scale|
rounded up to an eighth of an octave (:func:`quantize_scale`): scaled text stays sharp (drawn at
most 9 % smaller than rasterised, with trilinear filtering) and a scale animation re-rasterises a
few times per doubling rather than every frame.
"""

from __future__ import annotations

import io
import math
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
from PIL import Image, ImageDraw, ImageFont

from compositor.errors import AssetError, AssetMissingError
from compositor.gl.textures import AssetSource
from compositor.scene import BUILTIN_FONT_NAMES, TextContent
from compositor.scene.codec import DEFAULT_LIMITS

__all__ = [
    "BUILTIN_FONTS",
    "FONT_DIR",
    "FontBook",
    "TextRaster",
    "quantize_scale",
    "rasterize_text",
]

FONT_DIR = Path(__file__).resolve().parent.parent / "fonts"
_FONT_FILES = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSerif.ttf", "DejaVuSansMono.ttf")
BUILTIN_FONTS: dict[str, str] = dict(zip(BUILTIN_FONT_NAMES, _FONT_FILES, strict=True))
"""The file of each builtin font name (the names are the model's ``BUILTIN_FONT_NAMES``)."""
_STEPS_PER_OCTAVE = 8
MAX_RASTER_PX = DEFAULT_LIMITS.max_text_raster_px


@dataclass(frozen=True, slots=True)
class TextRaster:
    """A rasterised text block: ``coverage`` (h, w) uint8, top row first, at ``raster_scale``."""

    coverage: npt.NDArray[np.uint8]
    raster_scale: float

    @property
    def natural_size(self) -> tuple[float, float]:
        """The block size in px at scale 1."""
        height, width = self.coverage.shape
        return (width / self.raster_scale, height / self.raster_scale)


def quantize_scale(scale: float) -> float:
    """``scale`` rounded up to the next 2^(k/8); exactly 1.0 for 1.0. Tiny scales clamp to 1/64."""
    scale = max(abs(scale), 1.0 / 64.0)
    steps = math.ceil(round(math.log2(scale) * _STEPS_PER_OCTAVE, 9))
    return float(2.0 ** (steps / _STEPS_PER_OCTAVE))


class FontBook:
    """Fonts by name (builtin) or font asset id, opened at a pixel size; keeps recent ones open.

    Raises :class:`AssetError` for a missing or unreadable font.
    """

    def __init__(self, assets: AssetSource, *, capacity: int = 64) -> None:
        self._assets = assets
        self._capacity = capacity
        self._fonts: OrderedDict[tuple[str, int], ImageFont.FreeTypeFont] = OrderedDict()

    def font(self, name: str, size_px: int) -> ImageFont.FreeTypeFont:
        key = (name, size_px)
        cached = self._fonts.get(key)
        if cached is not None:
            self._fonts.move_to_end(key)
            return cached
        font = self._open(name, size_px)
        self._fonts[key] = font
        if len(self._fonts) > self._capacity:
            self._fonts.popitem(last=False)
        return font

    def _open(self, name: str, size_px: int) -> ImageFont.FreeTypeFont:
        builtin = BUILTIN_FONTS.get(name)
        try:
            if builtin is not None:
                return ImageFont.truetype(str(FONT_DIR / builtin), size_px)
            data = self._assets(name)
            if data is None:
                raise AssetMissingError(f"font asset {name!r} is missing")
            return ImageFont.truetype(io.BytesIO(data), size_px)
        except AssetError:  # AssetMissingError included
            raise
        except Exception as exc:  # Pillow raises OSError/ValueError for bad font files
            raise AssetError(f"cannot open font {name!r}: {exc}") from exc


def rasterize_text(
    content: TextContent, font: ImageFont.FreeTypeFont, raster_scale: float
) -> TextRaster | None:
    """The coverage mask of ``content`` drawn with ``font`` (already at size_px × raster_scale).

    None when there is nothing to draw (empty text). Raises :class:`AssetError` when the block
    would exceed :data:`MAX_RASTER_PX` on a side.
    """
    max_width = None
    if content.max_width_px is not None:
        max_width = content.max_width_px * raster_scale
    lines = _wrap(content.text, font, max_width)
    ascent, descent = font.getmetrics()
    line_height = ascent + descent
    widths = [font.getlength(line) for line in lines]
    block_w = math.ceil(max_width if max_width is not None else max(widths, default=0.0))
    block_h = line_height * len(lines)
    if block_w <= 0 or block_h <= 0 or not content.text.strip():
        return None
    if block_w > MAX_RASTER_PX or block_h > MAX_RASTER_PX:
        raise AssetError(f"text block too large to rasterise: {block_w}x{block_h} px")
    mask = Image.new("L", (block_w, block_h), 0)
    draw = ImageDraw.Draw(mask)
    for index, (line, width) in enumerate(zip(lines, widths)):
        x = {"left": 0.0, "center": (block_w - width) / 2.0, "right": block_w - width}[
            content.align
        ]
        draw.text((x, index * line_height), line, font=font, fill=255, anchor="la")
    return TextRaster(np.asarray(mask, dtype=np.uint8).copy(), raster_scale)


def _wrap(text: str, font: ImageFont.FreeTypeFont, max_width: float | None) -> list[str]:
    """Greedy wrapping at spaces, linear in the text: each distinct word is measured once and a
    line's width is the sum of its words and spaces (kerning across a space is nil). Measuring
    each candidate line whole made a 4096-character text cost seconds a frame."""
    lines: list[str] = []
    widths: dict[str, float] = {}
    space = font.getlength(" ")
    for paragraph in text.split("\n"):
        if max_width is None:
            lines.append(paragraph)
            continue
        current: list[str] = []
        width = 0.0
        for word in paragraph.split(" "):
            word_width = widths.get(word)
            if word_width is None:
                word_width = widths[word] = font.getlength(word)
            if current and width + space + word_width > max_width:
                lines.append(" ".join(current))
                current, width = [word], word_width
            else:
                width += word_width + (space if current else 0.0)
                current.append(word)
        lines.append(" ".join(current))
    return lines
