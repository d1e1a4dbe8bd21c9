"""Clip layers on the GPU: YUV planes converted in the shader, against the float64 reference."""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import pytest

from compositor.gl.video import yuv_to_rgb
from compositor.scene import (
    AudioContent,
    Color,
    ColorContent,
    Crop,
    Layer,
    Scene,
    Transform,
    VideoContent,
)
from tests.compositor.gl.clips import FixedClips, Picture, yuv_picture
from tests.compositor.gl.conftest import MakeRenderer
from tests.compositor.gl.support import assert_matches
from tests.reference import reference_composite

W, H = 160, 90
SLATE = Color(20, 40, 60)
# Software GL filters 8-bit textures with 8-bit results, so interpolated chroma is off by up to a
# code value, which the Cb->B' coefficient (up to 1.772 * 255/224 = 2.02) doubles: 3 codes.
TOLERANCE = 3 / 255


def clip_layer(layer_id: str = "clip", asset: str = "a", **fields: Any) -> Layer:
    fields.setdefault("transform", Transform(x_px=10, y_px=8))
    return Layer(layer_id, "video", VideoContent(asset=asset), **fields)


def render(make_renderer: MakeRenderer, scene: Scene, clips: FixedClips, frame: int = 0,
           **options: object) -> np.ndarray:
    renderer = make_renderer(W, H, {}, clips=clips, **options)
    renderer.render(scene, "frame", frame=frame)
    renderer.flush()
    assert renderer.problems() == {}
    return renderer.read_rgba()


@pytest.mark.parametrize("matrix", ["bt601", "bt709"])
@pytest.mark.parametrize("full_range", [False, True])
def test_yuv_matrix_maps_the_range_corners(matrix: Literal["bt601", "bt709"],
                                           full_range: bool) -> None:
    m, offset = yuv_to_rgb(matrix, full_range)
    black, white = (16, 235) if not full_range else (0, 255)
    for code, rgb in ((black, 0.0), (white, 1.0)):
        got = m @ (np.array([code, 128, 128]) / 255 - offset)
        assert np.allclose(got, rgb, atol=1e-9)
    # pure red's Cr is the top of the chroma range: R' comes back as 1
    kr = 0.299 if matrix == "bt601" else 0.2126
    luma = kr * (219 if not full_range else 255) + black
    cr = 128 + 0.5 * (224 if not full_range else 255)
    cb = 128 - kr / (2 * (1 - (0.114 if matrix == "bt601" else 0.0722))) * (
        224 if not full_range else 255)
    assert np.allclose(m @ (np.array([luma, cb, cr]) / 255 - offset), [1, 0, 0], atol=1e-6)


@pytest.mark.parametrize(("matrix", "full_range"), [("bt601", False), ("bt601", True),
                                                    ("bt709", False), ("bt709", True)])
@pytest.mark.parametrize("linear_light", [False, True])
def test_clip_matches_the_reference(make_renderer: MakeRenderer,
                                    matrix: Literal["bt601", "bt709"], full_range: bool,
                                    linear_light: bool) -> None:
    picture = yuv_picture(64, 40, matrix=matrix, full_range=full_range)
    clips = FixedClips({"a": ((64.0, 40.0), [picture])})
    scene = Scene(width=W, height=H, background=SLATE, layers=(clip_layer(),))
    actual = render(make_renderer, scene, clips, linear_light=linear_light)
    expected = reference_composite(scene, {}, (W, H), linear_light=linear_light,
                                   videos={"clip": (picture, (64.0, 40.0))})
    assert_matches(actual, expected, tolerance=TOLERANCE)


@pytest.mark.parametrize(
    "fields",
    [
        {"crop": Crop(left=0.1, top=0.2, right=0.25, bottom=0.05)},
        {"transform": Transform(x_px=80, y_px=45, anchor_x=0.5, anchor_y=0.5,
                                rotation_deg=30)},
        {"opacity": 0.6, "transform": Transform(x_px=20, y_px=10, width_px=120,
                                                height_px=70)},
        {"blend": "screen", "opacity": 0.8,
         "transform": Transform(x_px=5, y_px=5, scale_x=1.5, scale_y=1.5)},
        {"blend": "multiply", "crop": Crop(left=0.2), "transform": Transform(
            x_px=30, y_px=12, rotation_deg=-15)},
    ],
    ids=["crop", "rotation", "opacity-size", "screen-scale", "multiply-crop-rotation"],
)
@pytest.mark.parametrize(("matrix", "full_range"), [("bt601", False), ("bt709", True)])
def test_clip_with_transforms_crop_opacity_and_blend(make_renderer: MakeRenderer,
                                                     fields: dict[str, Any],
                                                     matrix: Literal["bt601", "bt709"],
                                                     full_range: bool) -> None:
    picture = yuv_picture(60, 36, matrix=matrix, full_range=full_range)
    clips = FixedClips({"a": ((60.0, 36.0), [picture])})
    backdrop = Layer("bg", "color", ColorContent(Color(200, 180, 40)),
                     transform=Transform(x_px=0, y_px=0, width_px=W / 2, height_px=H), z=-1)
    scene = Scene(width=W, height=H, background=SLATE, layers=(backdrop, clip_layer(**fields)))
    actual = render(make_renderer, scene, clips)
    expected = reference_composite(scene, {}, (W, H), videos={"clip": (picture, (60.0, 36.0))})
    assert_matches(actual, expected, tolerance=TOLERANCE)


def test_natural_size_is_the_display_size_not_the_coded_size(
        make_renderer: MakeRenderer) -> None:
    # anamorphic: 48x36 coded, shown 64x36 (sample aspect 4:3)
    picture = yuv_picture(48, 36)
    clips = FixedClips({"a": ((64.0, 36.0), [picture])})
    scene = Scene(width=W, height=H, background=SLATE, layers=(clip_layer(),))
    renderer = make_renderer(W, H, {}, clips=clips)
    assert renderer.natural_size(scene.layers[0], scene) == (64.0, 36.0)
    renderer.render(scene, None)
    renderer.flush()
    alpha_box = np.argwhere((renderer.read_rgba()[..., :3].astype(int)
                             - (20, 40, 60)).any(axis=2))
    assert alpha_box[:, 1].min() == 10 and alpha_box[:, 1].max() == 10 + 64 - 1
    expected = reference_composite(scene, {}, (W, H), videos={"clip": (picture, (64.0, 36.0))})
    assert_matches(renderer.read_rgba(), expected, tolerance=TOLERANCE)


def test_planes_are_uploaded_once_per_picture_and_released_when_the_layer_stops(
        make_renderer: MakeRenderer) -> None:
    pictures = [yuv_picture(32, 18, key=("a", i // 2), shift=0.1 * (i // 2)) for i in range(6)]
    clips = FixedClips({"a": ((32.0, 18.0), pictures)})
    renderer = make_renderer(W, H, {}, clips=clips)
    scene = Scene(width=W, height=H, layers=(clip_layer(), clip_layer("other")))
    seen = []
    for frame in range(6):  # each picture shown twice: uploaded once per layer
        renderer.render(scene, frame, frame=frame)
        renderer.flush()
        seen.append(renderer.read_rgba()[20, 20].copy())
    stats = renderer.stats()
    assert stats["video_uploads"] == 3 * 2 and stats["video_layers"] == 2
    assert (seen[0] == seen[1]).all() and (seen[1] != seen[2]).any()
    assert ("clip", 4) in clips.asked and ("other", 5) in clips.asked
    renderer.render(Scene(width=W, height=H, layers=(clip_layer(),)), 6, frame=6)
    assert renderer.stats()["video_layers"] == 1 and renderer.stats()["video_releases"] == 1
    renderer.render(Scene(width=W, height=H), 7, frame=7)
    assert renderer.stats()["video_layers"] == 0 and renderer.stats()["video_releases"] == 2


def test_picture_size_change_reallocates_the_planes(make_renderer: MakeRenderer) -> None:
    small, large = yuv_picture(32, 18, key=("a", 0)), yuv_picture(64, 36, key=("a", 1))
    clips = FixedClips({"a": ((64.0, 36.0), [small, large])})
    scene = Scene(width=W, height=H, background=SLATE, layers=(clip_layer(),))
    renderer = make_renderer(W, H, {}, clips=clips)
    renderer.render(scene, 0, frame=0)
    renderer.render(scene, 1, frame=1)
    renderer.flush()
    expected = reference_composite(scene, {}, (W, H), videos={"clip": (large, (64.0, 36.0))})
    assert_matches(renderer.read_rgba(), expected, tolerance=TOLERANCE)


def test_nothing_is_drawn_without_a_picture_or_for_audio_and_inputs(
        make_renderer: MakeRenderer) -> None:
    picture: Picture = yuv_picture(32, 18)
    clips = FixedClips({"a": ((32.0, 18.0), [picture])})
    layers = (
        Layer("live", "video", VideoContent(input="cam1")),
        Layer("bed", "audio", AudioContent(asset="a")),
        clip_layer("before-start"),
    )
    scene = Scene(width=W, height=H, background=SLATE, layers=layers)
    actual = render(make_renderer, scene, clips, frame=-5)  # FixedClips: no picture before 0
    assert (actual == [20, 40, 60, 255]).all()
    no_source = make_renderer(W, H, {})
    no_source.render(Scene(width=W, height=H, background=SLATE, layers=(clip_layer(),)), None)
    no_source.flush()
    assert (no_source.read_rgba() == [20, 40, 60, 255]).all()
    assert no_source.natural_size(clip_layer(), scene) is None


def test_an_unknown_clip_is_a_reported_problem(make_renderer: MakeRenderer) -> None:
    clips = FixedClips({"a": ((32.0, 18.0), [yuv_picture(32, 18)])})
    renderer = make_renderer(W, H, {}, clips=clips)
    scene = Scene(width=W, height=H, background=SLATE,
                  layers=(clip_layer("unknown", asset="missing"), clip_layer("known")))
    renderer.render(scene, None)
    renderer.flush()
    assert set(renderer.problems()) == {"unknown"}
    assert "not prepared" in renderer.problems()["unknown"]
    assert renderer.read_rgba()[20, 20, 0] != 20  # the other clip is drawn
