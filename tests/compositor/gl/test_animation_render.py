"""Animated scenes rendered on the GPU path (llvmpipe here), frame by frame, against the float64
reference compositor fed with the static scene that *should* be on air at that frame, built by
hand from the easing formulas (not by compositor.scene.animation)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from msgspec.structs import replace

from compositor.scene import Color, ImageContent, Layer, Scene, Transform
from compositor.scene.animation import evaluate
from compositor.scene.codec import decode_ops, encode_layer
from compositor.scene.ops import apply_ops
from tests.compositor.gl.conftest import MakeRenderer
from tests.compositor.gl.support import assert_matches, asset_id, encode, gradient_rgba
from tests.reference import reference_composite

W, H = 160, 90
F0 = 107_717_040_000  # frames are absolute on the house clock
IMAGE = encode(gradient_rgba(40, 24))  # smooth, with alpha varying 135..255
IMAGE_ID = asset_id(IMAGE)
ASSETS = {IMAGE_ID: IMAGE}
SLATE = Color(20, 40, 60)


def card(**fields: Any) -> Layer:
    """A 40×24 image, top-left at (20, 30) unless told otherwise."""
    transform = Transform(x_px=20.0, y_px=30.0, width_px=40.0, height_px=24.0)
    return Layer("card", "image", ImageContent(IMAGE_ID), transform=transform, **fields)


def scene_of(*layers: Layer) -> Scene:
    return Scene(width=W, height=H, background=SLATE, layers=layers)


def commit(scene: Scene, ops: list[dict[str, Any]], frame: int) -> Scene:
    return apply_ops(scene, decode_ops(ops), frame=frame)


def moved(layer: Layer, **transform: float) -> Layer:
    return replace(layer, transform=replace(layer.transform, **transform))


def render(make_renderer: MakeRenderer, scene: Scene, frames: list[int]) -> list[np.ndarray]:
    """The frames as the pipeline draws them: evaluate at each frame, then render."""
    renderer = make_renderer(W, H, ASSETS)
    out = []
    for frame in frames:
        renderer.render(evaluate(scene, frame), frame)
        renderer.flush()
        out.append(renderer.read_rgba())
        assert renderer.problems() == {}
    return out


def expect(*layers: Layer) -> np.ndarray:
    return reference_composite(scene_of(*layers), ASSETS, (W, H))


def in_out_quad(t: float) -> float:
    return 2 * t * t if t < 0.5 else 1 - (-2 * t + 2) ** 2 / 2


def test_a_tween_of_x_and_opacity_at_its_first_middle_and_last_frames(make_renderer):
    start = scene_of(card())
    patch = {"transform": {"x": 100}, "opacity": 0.4}
    animate = {"duration_frames": 20, "easing": "easeInOutQuad"}
    scene = commit(start, [{"op": "update", "id": "card", "patch": patch, "animate": animate}], F0)
    ts = [0.0, 0.25, 0.5, 1.0]
    frames = render(make_renderer, scene, [F0 + round(t * 20) for t in ts])
    for t, actual in zip(ts, frames):
        e = in_out_quad(t)
        layer = replace(moved(card(), x_px=20 + 80 * e), opacity=1 - 0.6 * e)
        assert_matches(actual, expect(layer))
    # And what moved is really there: the first and last frames differ where the card was.
    assert not np.array_equal(frames[0], frames[-1])


def test_enter_effects_at_chosen_frames(make_renderer):
    layer_json = encode_layer(card())
    effects: dict[str, Callable[[float], Layer]] = {
        "fade": lambda p: replace(card(), opacity=p),
        # The card spans x 20..60: a slide from the left starts 60 px further left.
        "slide-left": lambda p: moved(card(), x_px=20 - 60 * (1 - p)),
        # Spans y 30..54: a slide from below starts at the bottom edge, 60 px lower.
        "slide-down": lambda p: moved(card(), y_px=30 + 60 * (1 - p)),
        "scale": lambda p: moved(card(), scale_x=p, scale_y=p),
    }
    for effect, expected in effects.items():
        enter = {"effect": effect, "duration_frames": 8}
        scene = commit(scene_of(), [{"op": "add", "layer": {**layer_json, "enter": enter}}], F0)
        actual = render(make_renderer, scene, [F0 + 2, F0 + 6])
        for p, frame in zip((0.25, 0.75), actual):
            assert_matches(frame, expect(expected(p)))


def test_a_wipe_reveals_the_card_in_place(make_renderer):
    # Centred on x = 80 (anchor 0.5), spanning x 40..120.
    big = moved(card(), x_px=80, width_px=80, height_px=48, y_px=20, anchor_x=0.5)
    columns = np.arange(W)[None, :, None]
    full, empty = expect(big), expect()
    for effect, frame, shown in (("wipe-left", 1, columns < 60), ("wipe-right", 3, columns >= 60)):
        enter = {"effect": effect, "duration_frames": 4}
        ops = [{"op": "add", "layer": {**encode_layer(big), "enter": enter}}]
        (actual,) = render(make_renderer, commit(scene_of(), ops, F0), [F0 + frame])
        # A quarter in from the left shows x 40..60; three quarters in from the right x 60..120,
        # each exactly as in the full card.
        assert_matches(actual, np.where(shown, full, empty))


def test_an_exit_plays_after_removal_then_the_card_is_gone(make_renderer):
    exit_ = {"effect": "slide-right", "duration_frames": 10, "easing": "easeInCubic"}
    scene = commit(scene_of(), [{"op": "add", "layer": {**encode_layer(card()), "exit": exit_}}],
                   F0)
    scene = commit(scene, [{"op": "remove", "id": "card"}], F0 + 20)
    first, middle, last = render(make_renderer, scene, [F0 + 20, F0 + 25, F0 + 30])
    assert_matches(first, expect(card()))
    # Off the right side means x from 20 to 160: 140 px, eased in (0.5 ** 3 of the way).
    assert_matches(middle, expect(moved(card(), x_px=20 + 140 * 0.125)))
    assert_matches(last, expect())
    assert scene.layers == ()


@pytest.mark.parametrize("loop", [True, "pingpong"])
def test_keyframe_loops_render_like_their_static_frames(make_renderer, loop):
    animation = {"property": "transform.x", "loop": loop, "start": F0,
                 "keyframes": [{"frame": 0, "value": 0}, {"frame": 10, "value": 100}]}
    ops = [{"op": "add", "layer": {**encode_layer(card()), "animations": [animation]}}]
    scene = commit(scene_of(), ops, F0)
    actual = render(make_renderer, scene, [F0 + 13])
    assert_matches(actual[0], expect(moved(card(), x_px=30.0 if loop is True else 70.0)))
