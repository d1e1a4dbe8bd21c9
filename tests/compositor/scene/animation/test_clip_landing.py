"""When clips start: a clip's null start_frame becomes the frame its commit lands on, updates
that restart a clip start it there, and land_clips resolves what is left (offline renders).
Commits go through the real codec and apply_ops."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings

from compositor.scene import AudioContent, Layer, Scene, VideoContent, find_layer
from compositor.scene.animation import land_clips, land_scene
from compositor.scene.codec import decode_layer, decode_scene, encode_scene
from compositor.scene.ops import land_clips as ops_land_clips
from tests.compositor.scene.animation.helpers import F0, box, canvas, commit
from tests.strategies import scenes

ASSET, OTHER = "a" * 64, "b" * 64


def _clip(kind: str = "video", layer_id: str = "c", **content: Any) -> dict[str, Any]:
    source = {"asset": ASSET} if "input" not in content else {}
    return {"id": layer_id, "kind": kind, "content": {**source, **content}}


def _content(scene: Scene, layer_id: str = "c") -> Any:
    layer = find_layer(scene, layer_id)
    assert layer is not None
    return layer.content


def _playing(start_frame: int | None, **content: Any) -> Scene:
    """A scene with clip "c" already on air (started at ``start_frame``)."""
    return canvas(decode_layer(_clip(start_frame=start_frame, **content)))


# --- adding --------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["video", "audio"])
def test_an_added_clip_without_start_frame_starts_on_the_commit_s_frame(kind: str) -> None:
    scene = commit(canvas(), [{"op": "add", "layer": _clip(kind)}], frame=F0)
    assert _content(scene).start_frame == F0
    assert decode_scene(encode_scene(scene)) == scene  # the store keeps the frame


def test_an_added_clip_keeps_the_start_frame_it_was_given() -> None:
    scene = commit(canvas(), [{"op": "add", "layer": _clip(start_frame=F0 + 90)}], frame=F0)
    assert _content(scene).start_frame == F0 + 90


def test_a_delay_does_not_move_a_clip_s_start() -> None:
    ops = [{"op": "add", "layer": _clip(), "animate": {"duration_frames": 10,
                                                       "delay_frames": 30}}]
    assert _content(commit(canvas(), ops, frame=F0)).start_frame == F0


def test_without_a_frame_a_clip_s_start_stays_null() -> None:
    scene = commit(canvas(), [{"op": "add", "layer": _clip()}], frame=None)
    assert _content(scene).start_frame is None


def test_a_live_input_has_no_start() -> None:
    scene = commit(canvas(), [{"op": "add", "layer": _clip(input="cam")}], frame=F0)
    assert _content(scene) == VideoContent(input="cam")


def test_other_layers_are_left_as_they_are() -> None:
    scene = commit(canvas(box("b")), [{"op": "add", "layer": _clip()}], frame=F0)
    assert scene.layers[0] == box("b")


# --- updating ------------------------------------------------------------------------------------


RESTARTS = [
    ("start-null", {"start_frame": None}),
    ("new-asset", {"asset": OTHER}),
    ("new-in", {"in_s": 2.5}),
    ("loop-on", {"loop": True}),
    ("new-asset-and-volume", {"asset": OTHER, "volume": 0.5}),
]


@pytest.mark.parametrize("patch", [case[1] for case in RESTARTS], ids=[c[0] for c in RESTARTS])
def test_an_update_that_restarts_a_clip_starts_it_on_the_commit_s_frame(
    patch: dict[str, Any]
) -> None:
    scene = _playing(F0)
    after = commit(scene, [{"op": "update", "id": "c", "patch": {"content": patch}}], F0 + 500)
    assert _content(after).start_frame == F0 + 500


KEEPS = [
    ("volume", {"volume": 0.2}),
    ("mute", {"muted": True}),
    ("out-point", {"out_s": 9.0}),
    ("on-end", {"on_end": "hide"}),
    ("same-asset", {"asset": ASSET}),
    ("same-in", {"in_s": 0.0}),
]


@pytest.mark.parametrize("patch", [case[1] for case in KEEPS], ids=[c[0] for c in KEEPS])
def test_an_update_that_leaves_start_frame_alone_keeps_it(patch: dict[str, Any]) -> None:
    scene = _playing(F0)
    after = commit(scene, [{"op": "update", "id": "c", "patch": {"content": patch}}], F0 + 500)
    assert _content(after).start_frame == F0


def test_an_update_of_the_layer_s_other_fields_keeps_the_clip_s_start() -> None:
    scene = _playing(F0)
    patch = {"transform": {"x": 10}, "opacity": 0.5, "visible": False}
    after = commit(scene, [{"op": "update", "id": "c", "patch": patch}], F0 + 500)
    assert _content(after).start_frame == F0


def test_turning_loop_off_keeps_the_start() -> None:
    scene = _playing(F0, loop=True)
    after = commit(scene, [{"op": "update", "id": "c", "patch": {"content": {"loop": False}}}],
                   F0 + 500)
    assert _content(after).start_frame == F0


def test_an_update_that_sets_a_start_frame_gets_that_frame() -> None:
    scene = _playing(F0)
    patch = {"content": {"asset": OTHER, "start_frame": F0 + 7}}
    after = commit(scene, [{"op": "update", "id": "c", "patch": patch}], F0 + 500)
    assert _content(after) == VideoContent(asset=OTHER, start_frame=F0 + 7)


def test_a_layer_that_becomes_a_clip_starts_on_the_commit_s_frame() -> None:
    scene = canvas(box("c"))
    patch = {"kind": "audio", "content": {"asset": ASSET}}
    after = commit(scene, [{"op": "update", "id": "c", "patch": patch}], F0 + 3)
    assert _content(after) == AudioContent(ASSET, start_frame=F0 + 3)


def test_a_live_input_that_becomes_a_clip_starts_on_the_commit_s_frame() -> None:
    scene = canvas(decode_layer(_clip(input="cam")))
    patch = {"content": {"input": None, "asset": ASSET}}
    after = commit(scene, [{"op": "update", "id": "c", "patch": patch}], F0 + 3)
    assert _content(after) == VideoContent(asset=ASSET, start_frame=F0 + 3)


def test_without_a_frame_a_restart_leaves_the_start_null_and_other_updates_keep_it() -> None:
    scene = _playing(F0)
    restarted = commit(scene, [{"op": "update", "id": "c", "patch": {"content": {
        "asset": OTHER}}}], frame=None)
    assert _content(restarted).start_frame is None
    kept = commit(scene, [{"op": "update", "id": "c", "patch": {"content": {"volume": 0.1}}}],
                  frame=None)
    assert _content(kept).start_frame == F0


# --- whole scenes --------------------------------------------------------------------------------


def _file_scene() -> Scene:
    return decode_scene({"width": 320, "height": 180, "layers": [
        _clip("video", "v"), _clip("audio", "a", start_frame=40), _clip(layer_id="cam",
                                                                        input="cam"),
        {"id": "box", "kind": "color", "content": {"color": "#FF0000"}},
    ]})


def test_land_clips_starts_every_unstarted_clip_on_the_frame() -> None:
    scene = _file_scene()
    landed = land_clips(scene, 12)
    assert [_content(landed, i) for i in ("v", "a", "cam")] == [
        VideoContent(asset=ASSET, start_frame=12), AudioContent(ASSET, start_frame=40),
        VideoContent(input="cam")]
    assert landed.layers[3] is scene.layers[3]
    assert land_clips(landed, 99) is landed  # nothing left to resolve
    assert land_clips(scene, None) is scene
    assert ops_land_clips is land_clips


def test_land_clips_resolves_exiting_layers_too() -> None:
    exiting = decode_layer({**_clip(layer_id="gone"), "leaving": {
        "effect": "fade", "duration_frames": 10, "start_frame": 5}})
    scene = Scene(exiting=(exiting,))
    assert land_clips(scene, 3).exiting[0].content == VideoContent(asset=ASSET, start_frame=3)


def test_land_scene_starts_a_scene_file_s_clips_on_its_frame() -> None:
    landed = land_scene(_file_scene(), F0)
    assert _content(landed, "v").start_frame == F0
    assert _content(landed, "a").start_frame == 40


@settings(max_examples=100, deadline=None)
@given(scenes(max_layers=6))
def test_after_land_clips_no_clip_waits_for_a_frame(scene: Scene) -> None:
    landed = land_clips(scene, F0)
    for before, after in zip(scene.layers, landed.layers, strict=True):
        assert _unstarted(after) is False
        if not _unstarted(before):
            assert after is before
        else:
            assert after.content == _with_start(before, F0)


def _unstarted(layer: Layer) -> bool:
    content = layer.content
    if isinstance(content, AudioContent):
        return content.start_frame is None
    return isinstance(content, VideoContent) and content.asset is not None \
        and content.start_frame is None


def _with_start(layer: Layer, frame: int) -> Any:
    content = layer.content
    assert isinstance(content, VideoContent | AudioContent)
    fields = {name: getattr(content, name) for name in content.__struct_fields__}
    return type(content)(**{**fields, "start_frame": frame})
