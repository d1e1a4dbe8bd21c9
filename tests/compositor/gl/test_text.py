"""Text layers: bounds, alignment, wrapping, colour, fonts and sharpness when scaled."""

from __future__ import annotations

import numpy as np
import pytest

from compositor.gl.text import BUILTIN_FONTS, FONT_DIR, quantize_scale
from compositor.scene import Align, Color, Layer, Scene, TextContent, Transform
from tests.compositor.gl.conftest import MakeRenderer
from tests.compositor.gl.support import assert_matches, ink_bbox
from tests.reference import reference_composite

W, H = 320, 180
BLACK = Color(0, 0, 0)


def text_layer(content: TextContent, **transform: float) -> Layer:
    return Layer("t", "text", content, transform=Transform(**transform))


def render(make_renderer: MakeRenderer, *layers: Layer, assets: dict[str, bytes] | None = None):
    scene = Scene(width=W, height=H, background=BLACK, layers=layers)
    renderer = make_renderer(W, H, assets or {})
    renderer.render(scene, 0)
    assert renderer.problems() == {}
    return renderer.read_rgba(), reference_composite(scene, assets or {}, (W, H))


def test_text_bounds_match_the_reference(make_renderer: MakeRenderer) -> None:
    layer = text_layer(TextContent("Hello, World", size_px=32), x_px=20, y_px=30)
    actual, expected = render(make_renderer, layer)
    got = ink_bbox(actual[..., 0], 128)
    want = ink_bbox(expected[..., 0], 0.5)
    assert np.abs(np.subtract(got, want)).max() <= 1, (got, want)
    # The ink starts near the anchor: left bearing and ascender gap are small.
    assert 20 <= got[0] <= 24 and 30 <= got[1] <= 40


@pytest.mark.parametrize("align", ["left", "center", "right"])
def test_alignment_inside_max_width(make_renderer: MakeRenderer, align: Align) -> None:
    content = TextContent("Centre", size_px=24, align=align, max_width_px=240)
    actual, expected = render(make_renderer, text_layer(content, x_px=40, y_px=20))
    left, _, right, _ = ink_bbox(actual[..., 0], 128)
    assert np.abs(np.subtract((left, right), ink_bbox(expected[..., 0], 0.5)[::2])).max() <= 1
    if align == "left":
        assert abs(left - 40) <= 3
    elif align == "center":
        assert abs((left + right) / 2 - (40 + 120)) <= 2
    else:
        assert abs(right - 280) <= 3


def test_anchor_places_the_text_block(make_renderer: MakeRenderer) -> None:
    content = TextContent("Mid", size_px=30, align="center", max_width_px=200)
    layer = text_layer(content, x_px=160, y_px=90, anchor_x=0.5, anchor_y=0.5)
    actual, expected = render(make_renderer, layer)
    got = ink_bbox(actual[..., 0], 128)
    assert np.abs(np.subtract(got, ink_bbox(expected[..., 0], 0.5))).max() <= 1
    assert abs((got[0] + got[2]) / 2 - 160) <= 2


def test_wrapping_at_max_width(make_renderer: MakeRenderer) -> None:
    words = "the quick brown fox jumps over the lazy dog"
    one_line, _ = render(make_renderer, text_layer(TextContent(words, size_px=16), x_px=4, y_px=4))
    wrapped_content = TextContent(words, size_px=16, max_width_px=100)
    wrapped, expected = render(make_renderer, text_layer(wrapped_content, x_px=4, y_px=4))
    line_box = ink_bbox(one_line[..., 0], 128)
    box = ink_bbox(wrapped[..., 0], 128)
    assert box[2] <= 4 + 100 + 1  # no line wider than max_width
    assert box[3] - box[1] > 3 * (line_box[3] - line_box[1])  # at least 4 lines
    assert np.abs(np.subtract(box, ink_bbox(expected[..., 0], 0.5))).max() <= 1


def test_text_colour_and_blending_match_the_reference(make_renderer: MakeRenderer) -> None:
    content = TextContent("█ block", size_px=40, color=Color(255, 200, 0, 200))
    layer = Layer("t", "text", content, transform=Transform(x_px=10, y_px=10), opacity=0.7)
    actual, expected = render(make_renderer, layer)
    assert_matches(actual, expected)


def test_scaled_text_is_rasterised_at_the_shown_size(make_renderer: MakeRenderer) -> None:
    scaled, _ = render(
        make_renderer,
        text_layer(TextContent("Sharp", size_px=20), x_px=10, y_px=10, scale_x=2, scale_y=2),
    )
    native, _ = render(
        make_renderer, text_layer(TextContent("Sharp", size_px=40), x_px=10, y_px=10)
    )
    # Rasterised at 40 px and drawn 1:1, not a 20 px raster magnified (which would be blurry).
    assert np.abs(scaled.astype(int) - native.astype(int)).max() <= 2


@pytest.mark.parametrize("font", sorted(BUILTIN_FONTS))
def test_builtin_fonts(make_renderer: MakeRenderer, font: str) -> None:
    actual, _ = render(make_renderer, text_layer(TextContent("Ag", font=font, size_px=24)))
    assert (actual[..., 0] > 128).sum() > 50


def test_font_asset(make_renderer: MakeRenderer) -> None:
    data = (FONT_DIR / "DejaVuSerif.ttf").read_bytes()
    font_id = "a" * 64
    serif, _ = render(
        make_renderer,
        text_layer(TextContent("Ag", font=font_id, size_px=24)),
        assets={font_id: data},
    )
    builtin, _ = render(make_renderer, text_layer(TextContent("Ag", font="serif", size_px=24)))
    assert np.array_equal(serif, builtin)


def test_empty_text_draws_nothing_and_is_no_problem(make_renderer: MakeRenderer) -> None:
    actual, _ = render(make_renderer, text_layer(TextContent("   ", size_px=24)))
    assert (actual[..., :3] == 0).all()


def test_quantize_scale() -> None:
    assert quantize_scale(1.0) == 1.0
    assert quantize_scale(2.0) == 2.0
    assert quantize_scale(-0.5) == 0.5
    assert quantize_scale(1.01) == pytest.approx(2 ** (1 / 8))
    assert quantize_scale(0.0) == 1 / 64


class _CountingFont:
    """A real font that counts the characters it is asked to measure."""

    def __init__(self, size: int) -> None:
        from PIL import ImageFont
        self.font = ImageFont.truetype(str(FONT_DIR / BUILTIN_FONTS["sans"]), size)
        self.measured = 0

    def getlength(self, text: str) -> float:
        self.measured += len(text)
        return float(self.font.getlength(text))

    def getmetrics(self) -> tuple[int, int]:
        return self.font.getmetrics()


def test_wrapping_measures_each_word_once_and_breaks_as_before() -> None:
    from compositor.gl.text import _wrap  # the algorithm under test

    # 2048 short words on lines of 8000 px: measuring every candidate line whole (as before)
    # costs ~ words × line length; it must cost ~ the text's length.
    text = " ".join(["ab"] * 2048)
    font = _CountingFont(10)
    lines = _wrap(text, font, 8000.0)  # type: ignore[arg-type]
    assert font.measured <= 2 * len(text) and len(lines) >= 2
    assert " ".join(lines) == text
    # The line breaks are those of measuring each line whole, for ordinary text.
    words = ["The", "quick", "brown", "fox", "jumps", "over", "the", "lazy", "dog", "again",
             "and", "again"]
    prose = " ".join(words)
    for width in (60.0, 120.0, 200.0, 400.0):
        got = _wrap(prose, font, width)  # type: ignore[arg-type]
        expected, current = [], ""
        for word in words:
            candidate = f"{current} {word}" if current else word
            if current and font.font.getlength(candidate) > width:
                expected.append(current)
                current = word
            else:
                current = candidate
        assert got == [*expected, current], width


def test_text_that_cannot_be_rasterised_is_not_tried_again_every_frame(
        make_renderer: MakeRenderer) -> None:
    # Valid for the codec (wrapped at 2000 px) but, at scale 8, a 16000 px wide raster.
    content = TextContent(text="wide " * 300, size_px=20.0, max_width_px=2000.0)
    scene = Scene(width=W, height=H, layers=(text_layer(content, scale_x=8.0, scale_y=8.0),))
    renderer = make_renderer(W, H, {})
    renderer.render(scene, 0)
    assert "too large" in renderer.problems()["t"]
    misses = renderer.stats()["texture_misses"]
    for frame in range(1, 4):
        renderer.render(scene, frame)
        assert "too large" in renderer.problems()["t"]
    assert renderer.stats()["texture_misses"] == misses  # remembered, not rebuilt
