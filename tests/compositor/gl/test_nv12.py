"""NV12 conversion (fragment and compute) against a numpy BT.709 limited-range reference."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pytest

from compositor.gl.context import GLContext
from compositor.gl.images import srgb_encode
from compositor.gl.nv12 import measure_methods
from compositor.scene import Color, ColorContent, ImageContent, Layer, Scene, Transform
from tests.compositor.gl.conftest import MakeRenderer
from tests.compositor.gl.support import asset_id, encode, gradient_rgba

W, H = 96, 54
IMAGE = encode(gradient_rgba(48, 26))
ASSETS = {asset_id(IMAGE): IMAGE}
SCENE = Scene(
    width=W,
    height=H,
    background=Color(30, 60, 90),
    layers=(
        Layer("l", "image", ImageContent(asset_id(IMAGE)), transform=Transform(width_px=W)),
        Layer(
            "c",
            "color",
            ColorContent(Color(250, 20, 200, 180)),
            transform=Transform(x_px=60, y_px=30, width_px=30, height_px=20),
        ),
    ),
)


def nv12_reference(rgba: npt.NDArray[np.uint8]) -> npt.NDArray[np.float64]:
    """BT.709 limited range from straight sRGB RGBA8 composited over black; (H*3/2, W) codes."""
    rgb = rgba[..., :3] / 255.0 * (rgba[..., 3:4] / 255.0)
    luma = rgb @ np.array([0.2126, 0.7152, 0.0722])
    height, width = luma.shape
    blocks = rgb.reshape(height // 2, 2, width // 2, 2, 3).mean(axis=(1, 3))
    block_luma = blocks @ np.array([0.2126, 0.7152, 0.0722])
    uv = np.empty((height // 2, width))
    uv[:, 0::2] = 128 + 224 * (blocks[..., 2] - block_luma) / 1.8556
    uv[:, 1::2] = 128 + 224 * (blocks[..., 0] - block_luma) / 1.5748
    return np.concatenate([16 + 219 * luma, uv])


def chroma_interior(rgba: npt.NDArray[np.uint8]) -> npt.NDArray[np.bool_]:
    """NV12 positions away from colour edges (a 2x2 block whose neighbourhood is smooth)."""
    height, width = rgba.shape[:2]
    values = rgba.astype(np.float64)
    padded = np.pad(values, ((2, 2), (2, 2), (0, 0)), mode="edge")
    edge = np.zeros((height, width), dtype=bool)
    for dy in range(-2, 3):
        for dx in range(-2, 3):
            shifted = padded[2 + dy : 2 + dy + height, 2 + dx : 2 + dx + width]
            edge |= np.abs(shifted - values).max(axis=2) > 12
    luma_ok = ~edge
    block_ok = luma_ok.reshape(height // 2, 2, width // 2, 2).all(axis=(1, 3))
    return np.concatenate([luma_ok, np.repeat(block_ok, 2, axis=1)])


@pytest.mark.parametrize("method", ["fragment", "compute"])
@pytest.mark.parametrize("linear_light", [False, True], ids=["srgb", "linear"])
def test_nv12_matches_bt709(make_renderer: MakeRenderer, method: str, linear_light: bool) -> None:
    renderer = make_renderer(W, H, ASSETS, nv12_method=method, linear_light=linear_light)
    assert renderer.nv12_method == method
    renderer.render(SCENE, "f0")
    ((tag, nv12),) = renderer.flush()
    assert tag == "f0" and nv12.shape == (H * 3 // 2, W) and nv12.dtype == np.uint8
    rgba = renderer.read_rgba()
    expected = nv12_reference(rgba)
    mask = chroma_interior(rgba)
    assert mask.mean() > 0.5
    error = np.abs(nv12.astype(np.float64) - expected)
    assert error[mask].max() <= 1.0, f"max NV12 error {error[mask].max():.2f} codes"
    assert nv12[:H].min() >= 16 and nv12[:H].max() <= 235


def test_nv12_extremes(make_renderer: MakeRenderer) -> None:
    """White is Y 235, black Y 16, grey has neutral chroma 128; pure red has Cr 240."""
    for color, y, cb, cr in [
        (Color(255, 255, 255), 235, 128, 128),
        (Color(0, 0, 0), 16, 128, 128),
        (Color(255, 0, 0), 63, 102, 240),
    ]:
        for method in ("fragment", "compute"):
            renderer = make_renderer(8, 4, {}, nv12_method=method)
            renderer.render(Scene(width=8, height=4, background=color), None)
            ((_, nv12),) = renderer.flush()
            assert (nv12[:4] == y).all(), (color, method, nv12[:4])
            assert (nv12[4:, 0::2] == cb).all() and (nv12[4:, 1::2] == cr).all(), (color, method)


def test_transparent_background_is_composited_over_black(make_renderer: MakeRenderer) -> None:
    renderer = make_renderer(8, 4, {})
    renderer.render(Scene(width=8, height=4, background=Color(255, 255, 255, 0)), None)
    ((_, nv12),) = renderer.flush()
    assert (nv12[:4] == 16).all()


def test_linear_light_nv12_encodes_to_srgb(make_renderer: MakeRenderer) -> None:
    half_white = Layer("w", "color", ColorContent(Color(255, 255, 255)), opacity=0.5)
    scene = Scene(width=8, height=4, background=Color(0, 0, 0), layers=(half_white,))
    renderer = make_renderer(8, 4, {}, linear_light=True)
    renderer.render(scene, None)
    ((_, nv12),) = renderer.flush()
    expected = 16 + 219 * float(srgb_encode(np.array(0.5)))
    assert np.abs(nv12[:4] - expected).max() <= 1.0


def test_auto_picks_compute_on_a_software_renderer_and_measures_elsewhere(
        gl: GLContext, make_renderer: MakeRenderer) -> None:
    renderer = make_renderer(W, H, ASSETS, nv12_method="auto")
    if gl.is_software:
        assert renderer.nv12_method == "compute" and renderer.nv12_timings == {}
        assert renderer.stats()["nv12_compute"] == 1
        return
    assert set(renderer.nv12_timings) == {"fragment", "compute"}
    fastest = min(renderer.nv12_timings, key=lambda m: renderer.nv12_timings[m])
    assert renderer.nv12_method == fastest
    assert renderer.stats()["nv12_compute"] == int(fastest == "compute")


def test_measure_methods_times_both(gl: GLContext) -> None:
    frame = gl.ctx.texture((W, H), 4, dtype="f2")
    try:
        timings = measure_methods(gl.ctx, frame, linear_light=False, iterations=2)
    finally:
        frame.release()
    assert set(timings) == {"fragment", "compute"} and all(t > 0 for t in timings.values())


def test_auto_without_compute_width_uses_fragment(make_renderer: MakeRenderer) -> None:
    renderer = make_renderer(34, 20, {}, nv12_method="auto")
    assert renderer.nv12_method == "fragment"


def test_odd_sizes_and_unknown_methods_are_rejected(make_renderer: MakeRenderer) -> None:
    with pytest.raises(ValueError, match="even"):
        make_renderer(33, 20, {})
    with pytest.raises(ValueError, match="nv12_method"):
        make_renderer(32, 20, {}, nv12_method="magic")
    with pytest.raises(ValueError, match="width % 4"):
        make_renderer(34, 20, {}, nv12_method="compute")


def test_ring_returns_frames_in_order_and_stays_bounded(make_renderer: MakeRenderer) -> None:
    renderer = make_renderer(W, H, ASSETS, ring_depth=2)
    collected: list[tuple[object, npt.NDArray[np.uint8]]] = []
    for index in range(7):
        shade = 30 * index
        renderer.render(Scene(width=W, height=H, background=Color(shade, shade, shade)), index)
        collected.extend(renderer.completed())
        assert renderer.stats()["readback_pending"] <= 2
    collected.extend(renderer.flush())
    assert [tag for tag, _ in collected] == list(range(7))
    # Every frame holds its own colour (frames are separate arrays, not views of one buffer).
    for tag, frame in collected:
        assert isinstance(tag, int)
        assert abs(float(frame[:H].mean()) - (16 + 219 * 30 * tag / 255)) <= 1.0
    assert renderer.flush() == []
