"""Pixel tests of layer drawing against the float64 reference compositor (tests/reference.py)."""

from __future__ import annotations

import numpy as np
import pytest
from msgspec.structs import replace

from compositor.scene import (
    Blend,
    Color,
    ColorContent,
    Crop,
    ImageContent,
    Layer,
    Scene,
    Transform,
)
from tests.compositor.gl.conftest import MakeRenderer
from tests.compositor.gl.support import assert_matches, asset_id, encode, gradient_rgba
from tests.reference import reference_composite

W, H = 160, 90
IMAGE = encode(gradient_rgba(40, 24))  # smooth, alpha varying 135..255
IMAGE_ID = asset_id(IMAGE)
OPAQUE = encode(gradient_rgba(32, 20, alpha=255))
OPAQUE_ID = asset_id(OPAQUE)
ASSETS = {IMAGE_ID: IMAGE, OPAQUE_ID: OPAQUE}
BACKDROP = Layer(
    "backdrop",
    "image",
    ImageContent(OPAQUE_ID),
    transform=Transform(width_px=W, height_px=H),
    z=-100,
)


SLATE = Color(20, 40, 60)


def scene_of(*layers: Layer, background: Color = SLATE) -> Scene:
    return Scene(width=W, height=H, background=background, layers=layers)


def image(**transform: float) -> Layer:
    return Layer("img", "image", ImageContent(IMAGE_ID), transform=Transform(**transform))


def check(make_renderer: MakeRenderer, scene: Scene, *, tolerance: float = 2 / 255,
          **options: object) -> np.ndarray:
    renderer = make_renderer(W, H, ASSETS, **options)
    renderer.render(scene, "frame")
    renderer.flush()
    actual = renderer.read_rgba()
    linear = bool(options.get("linear_light", False))
    expected = reference_composite(scene, ASSETS, (W, H), linear_light=linear)
    assert_matches(actual, expected, tolerance=tolerance)
    assert renderer.problems() == {}
    return actual


def test_background_only(make_renderer: MakeRenderer) -> None:
    actual = check(make_renderer, scene_of(background=Color(10, 200, 30)))
    assert (actual == [10, 200, 30, 255]).all()


def test_color_layer_without_size_covers_the_canvas(make_renderer: MakeRenderer) -> None:
    layer = Layer("c", "color", ColorContent(Color(200, 100, 50)))
    actual = check(make_renderer, scene_of(layer))
    assert (actual == [200, 100, 50, 255]).all()


@pytest.mark.parametrize(
    "transform",
    [
        {"x_px": 12, "y_px": 7},  # natural size at an integer position
        {"x_px": 80.5, "y_px": 45.25, "anchor_x": 0.5, "anchor_y": 0.5},  # anchor, fractional
        {"x_px": 150, "y_px": 80, "anchor_x": 1.0, "anchor_y": 1.0},  # bottom-right anchor
        {"x_px": 10, "y_px": 10, "width_px": 100, "height_px": 50},  # explicit size (stretch)
        {"x_px": 30, "y_px": 20, "scale_x": 2.0, "scale_y": 1.5},  # scale
        {"x_px": 80, "y_px": 45, "anchor_x": 0.5, "anchor_y": 0.5, "scale_x": -1.5},  # mirrored
        {"x_px": 80, "y_px": 45, "anchor_x": 0.5, "anchor_y": 0.5, "rotation_deg": 90},
        {"x_px": 80, "y_px": 45, "anchor_x": 0.25, "anchor_y": 0.75, "rotation_deg": 30},
        {"x_px": 60, "y_px": 30, "rotation_deg": -135, "scale_x": 1.2},
    ],
    ids=["natural", "anchor", "anchor-end", "size", "scale", "mirror", "rot90", "rot30", "rot-135"],
)
def test_image_transform(make_renderer: MakeRenderer, transform: dict[str, float]) -> None:
    check(make_renderer, scene_of(image(**transform)))


def test_rotation_is_clockwise_about_the_anchor(make_renderer: MakeRenderer) -> None:
    # A 40x24 box anchored at its top-left corner, turned 90° clockwise, hangs to the left.
    red = Layer(
        "r",
        "color",
        ColorContent(Color(255, 0, 0)),
        transform=Transform(x_px=80, y_px=20, width_px=40, height_px=24, rotation_deg=90),
    )
    actual = check(make_renderer, scene_of(red, background=Color(0, 0, 0)))
    assert (actual[30, 70] == [255, 0, 0, 255]).all()  # left of x, below y
    assert (actual[30, 90] == [0, 0, 0, 255]).all()  # right of the anchor: empty


@pytest.mark.parametrize(
    "crop",
    [Crop(left=0.25), Crop(top=0.2, bottom=0.3), Crop(0.1, 0.1, 0.3, 0.2)],
    ids=["left", "top-bottom", "all"],
)
def test_crop_shrinks_the_natural_size(make_renderer: MakeRenderer, crop: Crop) -> None:
    layer = replace(image(x_px=20, y_px=10, scale_x=2.0, scale_y=2.0), crop=crop)
    check(make_renderer, scene_of(layer))


def test_crop_with_explicit_size_stretches_the_rest(make_renderer: MakeRenderer) -> None:
    layer = replace(
        image(x_px=5, y_px=5, width_px=120, height_px=70), crop=Crop(0.2, 0.0, 0.3, 0.5)
    )
    check(make_renderer, scene_of(layer))


@pytest.mark.parametrize("opacity", [0.0, 0.3, 0.75, 1.0])
def test_opacity(make_renderer: MakeRenderer, opacity: float) -> None:
    layer = replace(image(x_px=20, y_px=10, scale_x=2.5, scale_y=2.5), opacity=opacity)
    check(make_renderer, scene_of(BACKDROP, layer))


@pytest.mark.parametrize("blend", ["normal", "add", "multiply", "screen"])
@pytest.mark.parametrize("linear_light", [False, True], ids=["srgb", "linear"])
def test_blend_modes(make_renderer: MakeRenderer, blend: Blend, linear_light: bool) -> None:
    half = Layer(
        "half",
        "color",
        ColorContent(Color(90, 200, 140, 160)),
        transform=Transform(x_px=10, y_px=10, width_px=70, height_px=60),
        opacity=0.8,
        blend=blend,
    )
    img = replace(image(x_px=70, y_px=20, scale_x=2.0, scale_y=2.0), blend=blend, opacity=0.9)
    check(make_renderer, scene_of(BACKDROP, half, img), linear_light=linear_light)


@pytest.mark.parametrize("blend", ["normal", "add", "multiply", "screen"])
def test_the_8_bit_frame_stays_within_its_stated_error(make_renderer: MakeRenderer,
                                                       blend: Blend) -> None:
    """rgba8 (opt-in) rounds at every blend: within 3/255 here, where rgba16f keeps 2/255."""
    half = Layer("half", "color", ColorContent(Color(90, 200, 140, 160)),
                 transform=Transform(x_px=10, y_px=10, width_px=70, height_px=60), opacity=0.8,
                 blend=blend)
    img = replace(image(x_px=70, y_px=20, scale_x=2.0, scale_y=2.0), blend=blend, opacity=0.9)
    check(make_renderer, scene_of(BACKDROP, half, img), tolerance=3 / 255, frame_format="rgba8")
    with pytest.raises(ValueError, match="linear light"):
        make_renderer(W, H, ASSETS, frame_format="rgba8", linear_light=True)


@pytest.mark.parametrize("blend", ["normal", "add", "multiply", "screen"])
def test_blend_modes_over_a_transparent_background(
    make_renderer: MakeRenderer, blend: Blend
) -> None:
    under = Layer(
        "under",
        "color",
        ColorContent(Color(200, 60, 30, 128)),
        transform=Transform(x_px=0, y_px=0, width_px=100, height_px=90),
    )
    img = replace(image(x_px=50, y_px=20, scale_x=2.0, scale_y=2.0), blend=blend)
    check(make_renderer, scene_of(under, img, background=Color(0, 0, 0, 0)))


def test_z_order_and_ties(make_renderer: MakeRenderer) -> None:
    box = Transform(x_px=20, y_px=20, width_px=60, height_px=40)
    shifted = replace(box, x_px=50, y_px=30)
    layers = (
        Layer("top", "color", ColorContent(Color(255, 0, 0)), transform=box, z=5),
        Layer("bottom", "color", ColorContent(Color(0, 255, 0)), transform=shifted, z=1),
        Layer("tie-first", "color", ColorContent(Color(0, 0, 255)), transform=shifted, z=5),
    )
    actual = check(make_renderer, scene_of(*layers))
    # "tie-first" was created after "top" with the same z, so it is drawn over it.
    assert (actual[35, 60] == [0, 0, 255, 255]).all()
    assert (actual[25, 25] == [255, 0, 0, 255]).all()


def test_invisible_layers_are_not_drawn(make_renderer: MakeRenderer) -> None:
    hidden = replace(image(x_px=10, y_px=10), visible=False)
    actual = check(make_renderer, scene_of(hidden, background=Color(1, 2, 3)))
    assert (actual == [1, 2, 3, 255]).all()


def test_linear_light_differs_from_srgb_as_expected(make_renderer: MakeRenderer) -> None:
    white = Layer("w", "color", ColorContent(Color(255, 255, 255)), opacity=0.5)
    scene = scene_of(white, background=Color(0, 0, 0))
    srgb = check(make_renderer, scene)
    linear = check(make_renderer, scene, linear_light=True)
    assert abs(int(srgb[0, 0, 0]) - 128) <= 1  # half of the encoded value
    assert abs(int(linear[0, 0, 0]) - 188) <= 1  # encode(0.5) = 0.7354 -> 188


def test_unscaled_image_at_integer_position_is_pixel_exact(make_renderer: MakeRenderer) -> None:
    rng = np.random.default_rng(3)
    noise = rng.integers(0, 256, size=(30, 50, 4), dtype=np.uint8)
    noise[..., 3] = 255
    data = encode(noise)
    layer = Layer("n", "image", ImageContent(asset_id(data)), transform=Transform(x_px=13, y_px=9))
    renderer = make_renderer(W, H, {asset_id(data): data})
    renderer.render(scene_of(layer), 0)
    renderer.flush()
    actual = renderer.read_rgba()
    assert np.array_equal(actual[9:39, 13:63], noise)


@pytest.mark.parametrize("fmt", ["JPEG", "WEBP", "GIF"])
def test_other_image_formats(make_renderer: MakeRenderer, fmt: str) -> None:
    data = encode(gradient_rgba(32, 20, alpha=255), fmt)
    layer = Layer("f", "image", ImageContent(asset_id(data)), transform=Transform(x_px=5, y_px=5))
    renderer = make_renderer(W, H, {asset_id(data): data})
    renderer.render(scene_of(layer), 0)
    assert renderer.problems() == {}
    actual = renderer.read_rgba()
    expected = reference_composite(scene_of(layer), {asset_id(data): data}, (W, H))
    tolerance = 2 / 255 if fmt != "GIF" else 3 / 255  # GIF's palette is decoded the same way
    assert np.abs(actual[8:22, 8:34] / 255.0 - expected[8:22, 8:34]).max() <= tolerance


def test_downscaled_image_is_filtered_by_mipmaps(make_renderer: MakeRenderer) -> None:
    # A one-pixel checkerboard shown at 1/8 size: without mipmaps it aliases to black or white.
    checker = (np.indices((128, 128)).sum(axis=0) % 2 * 255).astype(np.uint8)
    pixels = np.dstack([checker, checker, checker, np.full_like(checker, 255)])
    data = encode(pixels)
    layer = Layer(
        "chk",
        "image",
        ImageContent(asset_id(data)),
        transform=Transform(x_px=40.3, y_px=20.7, scale_x=0.125, scale_y=0.125),
    )
    renderer = make_renderer(W, H, {asset_id(data): data})
    renderer.render(scene_of(layer), 0)
    patch = renderer.read_rgba()[23:35, 43:55, 0].astype(int)
    assert abs(patch.mean() - 128) < 6 and patch.std() < 6
