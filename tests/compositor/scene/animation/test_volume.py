"""content.volume animates like any number on video and audio layers: an update with "animate"
fades the sound, keyframes shape it, and evaluate() hands the mixer the volume of each frame."""

from __future__ import annotations

from typing import Any

import pytest

from compositor.errors import SceneValidationError
from compositor.scene import AudioContent, Scene, Tween, VideoContent, find_layer
from compositor.scene.animation import evaluate, is_animating, property_value
from compositor.scene.animation.easing import easing
from compositor.scene.codec import decode_layer, decode_scene, encode_scene
from tests.compositor.scene.animation.helpers import F0, canvas, commit

ASSET = "a" * 64


def _clip(kind: str = "video", **layer: Any) -> dict[str, Any]:
    return {"id": "c", "kind": kind, "content": {"asset": ASSET, "start_frame": F0},
            **layer}


def _volume(scene: Scene, frame: int) -> float:
    layer = find_layer(evaluate(scene, frame), "c")
    assert layer is not None and isinstance(layer.content, VideoContent | AudioContent)
    return layer.content.volume


def _fade(scene: Scene, to: float, frames: int, at: int, **animate: Any) -> Scene:
    op = {"op": "update", "id": "c", "patch": {"content": {"volume": to}},
          "animate": {"duration_frames": frames, **animate}}
    return commit(scene, [op], frame=at)


@pytest.mark.parametrize("kind", ["video", "audio"])
def test_an_animated_update_fades_the_volume(kind: str) -> None:
    scene = _fade(canvas(decode_layer(_clip(kind))), 0.0, 30, F0 + 100)
    volumes = [_volume(scene, F0 + 100 + f) for f in (-1, 0, 15, 30, 31)]
    assert volumes == pytest.approx([1.0, 1.0, 0.5, 0.0, 0.0])
    assert _volume(scene, F0 + 130) == 0.0  # the end is exact
    layer = find_layer(scene, "c")
    assert layer is not None and layer.tweens == (Tween("content.volume", 1.0, 0.0, F0 + 100,
                                                        30, "linear"),)


def test_a_fade_keeps_everything_else_of_the_clip() -> None:
    scene = _fade(canvas(decode_layer(_clip(content={"asset": ASSET, "start_frame": F0,
                                                     "in_s": 2.0, "loop": True}))),
                  2.0, 10, F0)
    layer = find_layer(evaluate(scene, F0 + 5), "c")
    assert layer is not None
    assert layer.content == VideoContent(asset=ASSET, start_frame=F0, in_s=2.0, loop=True,
                                         volume=1.5)


def test_a_fade_follows_its_easing_and_delay() -> None:
    scene = _fade(canvas(decode_layer(_clip("audio"))), 2.0, 20, F0, easing="easeInQuad",
                  delay_frames=10)
    assert _volume(scene, F0 + 10) == 1.0
    assert _volume(scene, F0 + 20) == pytest.approx(1.0 + easing("easeInQuad")(0.5))
    assert _volume(scene, F0 + 30) == 2.0


def test_retargeting_a_fade_starts_from_the_volume_on_air() -> None:
    scene = _fade(canvas(decode_layer(_clip())), 0.0, 100, F0)
    scene = _fade(scene, 1.0, 10, F0 + 50)  # on air: 0.5
    assert _volume(scene, F0 + 50) == pytest.approx(0.5)
    assert _volume(scene, F0 + 55) == pytest.approx(0.75)


def test_an_update_without_animate_changes_the_volume_at_once() -> None:
    scene = _fade(canvas(decode_layer(_clip())), 0.0, 100, F0)
    op = {"op": "update", "id": "c", "patch": {"content": {"volume": 0.3}}}
    scene = commit(scene, [op], frame=F0 + 50)
    assert _volume(scene, F0 + 50) == 0.3
    assert find_layer(scene, "c").tweens == ()  # type: ignore[union-attr]


def test_keyframes_shape_the_volume() -> None:
    animation = {"property": "content.volume", "start": F0, "loop": True, "keyframes": [
        {"frame": 0, "value": 0}, {"frame": 60, "value": 1.5}, {"frame": 120, "value": 0}]}
    scene = canvas(decode_layer(_clip("audio", animations=[animation])))
    assert [_volume(scene, F0 + f) for f in (0, 30, 60, 90, 120, 150)] == pytest.approx(
        [0.0, 0.75, 1.5, 0.75, 0.0, 0.75])
    assert property_value(scene.layers[0], "content.volume", F0 + 30) == pytest.approx(0.75)
    assert is_animating(scene, F0 + 30)


def test_a_volume_tween_is_kept_by_the_store() -> None:
    scene = _fade(canvas(decode_layer(_clip())), 0.25, 30, F0)
    assert decode_scene(encode_scene(scene)) == scene


def test_a_layer_that_stops_being_a_clip_drops_its_volume_tweens() -> None:
    scene = _fade(canvas(decode_layer(_clip())), 0.0, 100, F0)
    op = {"op": "update", "id": "c", "patch": {"kind": "color", "content": {
        "color": "#FFFFFF"}}}
    layer = find_layer(commit(scene, [op], frame=F0 + 10), "c")
    assert layer is not None and layer.tweens == ()


@pytest.mark.parametrize(("layer", "path", "reason"), [
    ({"id": "c", "kind": "color", "content": {"color": "#FFFFFF"},
      "animations": [{"property": "content.volume", "keyframes": [{"frame": 0, "value": 1}]}]},
     "layer.animations[0].property", "content.volume can only be animated on a video or audio"),
    ({"id": "c", "kind": "text", "content": {"text": "x"},
      "tweens": [{"property": "content.volume", "from": 0, "to": 1, "start_frame": 0,
                  "duration_frames": 5}]},
     "layer.tweens[0].property", "content.volume can only be animated on a video or audio"),
    (_clip(animations=[{"property": "content.volume", "keyframes": [
        {"frame": 0, "value": 1}, {"frame": 5, "value": 2.5}]}]),
     "layer.animations[0].keyframes[1].value", "must be between 0 and 2"),
    (_clip(animations=[{"property": "content.color", "keyframes": [
        {"frame": 0, "value": "#FFFFFF"}]}]),
     "layer.animations[0].property", "content.color can only be animated on a color layer"),
])
def test_volume_animation_is_refused_where_it_does_not_belong(
    layer: dict[str, Any], path: str, reason: str
) -> None:
    with pytest.raises(SceneValidationError) as info:
        decode_layer(layer)
    assert (info.value.path, reason in info.value.reason) == (path, True), info.value.reason


def test_an_animate_on_a_volume_change_of_a_colour_patch_is_refused() -> None:
    scene = canvas(decode_layer({"id": "c", "kind": "color", "content": {"color": "#FFFFFF"}}))
    op = {"op": "update", "id": "c", "patch": {"content": {"volume": 0.5}},
          "animate": {"duration_frames": 5}}
    with pytest.raises(SceneValidationError) as info:
        commit(scene, [op], frame=F0)
    assert info.value.path == "ops[0].patch.content.volume"
