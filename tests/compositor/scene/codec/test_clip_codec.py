"""Video and audio layers in the codec (CONTRACT v1.1): what is accepted, what is refused with
which path and reason, and that encoding is the exact inverse of decoding."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from compositor.errors import SceneValidationError
from compositor.scene import (
    AudioContent,
    Layer,
    Scene,
    UpdateLayer,
    VideoContent,
)
from compositor.scene.codec import (
    DEFAULT_LIMITS,
    Limits,
    decode_layer,
    decode_scene,
    encode_layer,
    encode_scene,
)
from compositor.scene.ops import apply_ops
from tests.strategies import clip_contents, layers, scenes

PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
ASSET = "a" * 64


def _layer(kind: str, **content: Any) -> dict[str, Any]:
    return {"id": "clip", "kind": kind, "content": content}


# --- accepted ------------------------------------------------------------------------------------


def test_the_contract_s_video_layer_decodes_to_its_model_and_back() -> None:
    value = _layer("video", asset=ASSET, loop=False, start_frame=None, in_s=0.0, out_s=None,
                   on_end="hold", volume=1.0, muted=False)
    layer = decode_layer(copy.deepcopy(value))
    assert layer.content == VideoContent(asset=ASSET)
    assert encode_layer(layer)["content"] == value["content"]  # every field, in CONTRACT order
    assert list(encode_layer(layer)["content"]) == list(value["content"])


GOOD: list[tuple[str, dict[str, Any], Any]] = [
    ("video-asset-only", _layer("video", asset=ASSET), VideoContent(asset=ASSET)),
    ("video-live-input", _layer("video", input="cam-1"), VideoContent(input="cam-1")),
    ("video-input-with-asset-null", _layer("video", asset=None, input="cam-1", volume=0.5),
     VideoContent(input="cam-1", volume=0.5)),
    ("video-input-clip-fields-at-defaults",
     _layer("video", input="cam", loop=False, start_frame=None, in_s=0, out_s=None,
            on_end="hold", muted=True), VideoContent(input="cam", muted=True)),
    ("video-every-field", _layer("video", asset=ASSET, loop=True, start_frame=120, in_s=1.5,
                                 out_s=3.25, on_end="hide", volume=2, muted=True),
     VideoContent(ASSET, None, True, 120, 1.5, 3.25, "hide", 2.0, True)),
    ("video-integers-for-numbers", _layer("video", asset=ASSET, in_s=1, out_s=2, volume=0,
                                          start_frame=7.0),
     VideoContent(asset=ASSET, in_s=1.0, out_s=2.0, volume=0.0, start_frame=7)),
    ("audio-asset", _layer("audio", asset=ASSET, loop=True), AudioContent(ASSET, loop=True)),
    ("audio-bounds", _layer("audio", asset=ASSET, in_s=DEFAULT_LIMITS.max_clip_s - 1,
                            out_s=DEFAULT_LIMITS.max_clip_s, start_frame=DEFAULT_LIMITS.max_frame,
                            volume=2.0),
     AudioContent(ASSET, in_s=DEFAULT_LIMITS.max_clip_s - 1, out_s=DEFAULT_LIMITS.max_clip_s,
                  start_frame=DEFAULT_LIMITS.max_frame, volume=2.0)),
    ("audio-asset-any-id", _layer("audio", asset="jingle_1"), AudioContent("jingle_1")),
]


@pytest.mark.parametrize(("value", "content"), [case[1:] for case in GOOD],
                         ids=[case[0] for case in GOOD])
def test_good_clip_content_decodes(value: dict[str, Any], content: Any) -> None:
    layer = decode_layer(copy.deepcopy(value))
    assert layer.content == content
    assert isinstance(layer.content, VideoContent | AudioContent)
    assert type(layer.content.volume) is float and type(layer.content.in_s) is float
    assert decode_layer(encode_layer(layer)) == layer


def test_a_live_input_encodes_as_input_volume_and_muted() -> None:
    layer = decode_layer(_layer("video", input="cam", volume=0.25))
    assert encode_layer(layer)["content"] == {"input": "cam", "volume": 0.25, "muted": False}


# --- refused, each with its path and reason ------------------------------------------------------


BAD: list[tuple[str, dict[str, Any], str, str]] = [
    # (name, layer, path, reason fragment)
    ("video-neither", _layer("video", loop=True), "layer.content.asset",
     "is required (or content.input for a live input)"),
    ("video-both", _layer("video", asset=ASSET, input="cam"), "layer.content.input",
     "cannot be set together with content.asset"),
    ("video-asset-path", _layer("video", asset="../x.mp4"), "layer.content.asset",
     "an asset id (not a path or URL)"),
    ("video-asset-url", _layer("video", asset="http://x/a.mp4"), "layer.content.asset",
     "an asset id"),
    ("video-input-url", _layer("video", input="rtmp://x/live"), "layer.content.input",
     "must be an input id"),
    ("video-input-number", _layer("video", input=5), "layer.content.input", "an input id"),
    ("video-input-loop", _layer("video", input="cam", loop=True), "layer.content.loop",
     "only clips (content.asset) have it"),
    ("video-input-start", _layer("video", input="cam", start_frame=5),
     "layer.content.start_frame", "only clips"),
    ("video-input-trim", _layer("video", input="cam", in_s=2), "layer.content.in_s",
     "only clips"),
    ("video-input-out", _layer("video", input="cam", out_s=2), "layer.content.out_s",
     "only clips"),
    ("video-input-on-end", _layer("video", input="cam", on_end="hide"),
     "layer.content.on_end", "only clips"),
    ("audio-no-asset", _layer("audio", volume=1), "layer.content.asset", "is required"),
    ("audio-input", _layer("audio", input="cam"), "layer.content.input",
     "an audio layer plays a clip"),
    ("audio-asset-null", _layer("audio", asset=None), "layer.content.asset", "is required"),
    ("content-not-object", _layer("audio") | {"content": [ASSET]}, "layer.content",
     "must be an object, got array"),
    ("unknown-field-hint", _layer("video", asset=ASSET, volum=1), "layer.content.volum",
     "unknown field (did you mean 'volume'?)"),
    ("unknown-field-audio-hint", _layer("audio", asset=ASSET, mute=True), "layer.content.mute",
     "did you mean 'muted'?"),
    ("image-field-on-clip", _layer("video", asset=ASSET, color="#FFF"), "layer.content.color",
     "unknown field"),
    ("loop-string", _layer("video", asset=ASSET, loop="yes"), "layer.content.loop",
     "must be true or false, got string"),
    ("loop-null", _layer("audio", asset=ASSET, loop=None), "layer.content.loop",
     "must be true or false, got null"),
    ("muted-number", _layer("audio", asset=ASSET, muted=1), "layer.content.muted",
     "must be true or false, got integer"),
    ("start-negative", _layer("video", asset=ASSET, start_frame=-1),
     "layer.content.start_frame", "must be between 0 and"),
    ("start-too-far", _layer("video", asset=ASSET, start_frame=DEFAULT_LIMITS.max_frame + 1),
     "layer.content.start_frame", "must be between 0 and"),
    ("start-fraction", _layer("video", asset=ASSET, start_frame=1.5),
     "layer.content.start_frame", "must be an integer, got number"),
    ("start-string", _layer("audio", asset=ASSET, start_frame="now"),
     "layer.content.start_frame", "must be an integer, got string"),
    ("in-negative", _layer("video", asset=ASSET, in_s=-0.5), "layer.content.in_s",
     "must be between 0 and 14400"),
    ("in-too-late", _layer("video", asset=ASSET, in_s=14400.5), "layer.content.in_s",
     "must be between 0 and 14400"),
    ("in-null", _layer("video", asset=ASSET, in_s=None), "layer.content.in_s",
     "must be a number, got null"),
    ("in-nan", _layer("audio", asset=ASSET, in_s=float("nan")), "layer.content.in_s",
     "finite"),
    ("out-before-in", _layer("video", asset=ASSET, in_s=2.0, out_s=1.0), "layer.content.out_s",
     "must be greater than in_s (2 s)"),
    ("out-equals-in", _layer("audio", asset=ASSET, in_s=2.5, out_s=2.5), "layer.content.out_s",
     "must be greater than in_s (2.5 s)"),
    ("out-zero", _layer("video", asset=ASSET, out_s=0), "layer.content.out_s",
     "must be greater than in_s (0 s)"),
    ("out-too-late", _layer("video", asset=ASSET, out_s=1e9), "layer.content.out_s",
     "must be between 0 and 14400"),
    ("on-end-unknown", _layer("video", asset=ASSET, on_end="loop"), "layer.content.on_end",
     "must be one of hold, hide"),
    ("volume-too-loud", _layer("video", asset=ASSET, volume=2.01), "layer.content.volume",
     "must be between 0 and 2"),
    ("volume-negative", _layer("audio", asset=ASSET, volume=-0.1), "layer.content.volume",
     "must be between 0 and 2"),
    ("volume-boolean", _layer("audio", asset=ASSET, volume=True), "layer.content.volume",
     "must be a number, got boolean"),
    ("volume-string", _layer("audio", asset=ASSET, volume="1"), "layer.content.volume",
     "must be a number, got string"),
]


@pytest.mark.parametrize(("value", "path", "reason"), [case[1:] for case in BAD],
                         ids=[case[0] for case in BAD])
def test_bad_clip_content_is_refused_with_its_path(value: Any, path: str, reason: str) -> None:
    with pytest.raises(SceneValidationError) as info:
        decode_layer(value)
    assert (info.value.path, reason in info.value.reason) == (path, True), info.value.reason


def test_the_bad_table_is_distinct_and_each_case_one_change_from_valid() -> None:
    assert len({json.dumps(case[1], sort_keys=True) for case in BAD}) == len(BAD)
    decode_layer(_layer("video", asset=ASSET))
    decode_layer(_layer("audio", asset=ASSET))
    decode_layer(_layer("video", input="cam"))


def test_a_scene_names_the_layer_of_a_bad_clip() -> None:
    scene = {"layers": [{"id": "a", "kind": "color", "content": {"color": "#FFFFFF"}},
                        _layer("audio", asset=ASSET, volume=3)]}
    with pytest.raises(SceneValidationError) as info:
        decode_scene(scene)
    assert info.value.path == "layers[1].content.volume"


def test_configured_clip_length_bounds_the_trim() -> None:
    limits = Limits(max_clip_s=10.0)
    decode_layer(_layer("audio", asset=ASSET, in_s=9, out_s=10), limits=limits)
    with pytest.raises(SceneValidationError) as info:
        decode_layer(_layer("audio", asset=ASSET, out_s=10.5), limits=limits)
    assert (info.value.path, info.value.reason) == ("layer.content.out_s",
                                                    "must be between 0 and 10")


# --- round trip ----------------------------------------------------------------------------------


@PROPERTY
@given(clip_contents(video=True) | clip_contents(video=False))
def test_every_clip_round_trips_exactly(content: VideoContent | AudioContent) -> None:
    layer = Layer("clip", "video" if isinstance(content, VideoContent) else "audio", content)
    value = json.loads(json.dumps(encode_layer(layer)))  # through JSON text, as on the wire
    assert decode_layer(value) == layer
    assert encode_layer(decode_layer(value)) == value


@PROPERTY
@given(scenes(max_layers=6))
def test_scenes_with_clips_round_trip_through_json_text(scene: Scene) -> None:
    text = json.dumps(encode_scene(scene))
    assert decode_scene(json.loads(text)) == scene


def test_the_generator_makes_clips_and_live_inputs() -> None:
    seen: set[str] = set()

    @settings(max_examples=200, deadline=None, database=None)
    @given(layers())
    def collect(layer: Layer) -> None:
        content = layer.content
        if isinstance(content, VideoContent):
            seen.add("live" if content.input is not None else "video-clip")
        elif isinstance(content, AudioContent):
            seen.add("audio")

    collect()
    assert seen == {"live", "video-clip", "audio"}


# --- patches between clips and live inputs -------------------------------------------------------


def _on_air(content: dict[str, Any]) -> Scene:
    return Scene(layers=(decode_layer(_layer("video", **content)),))


def test_a_patch_turns_a_landed_clip_into_a_live_input() -> None:
    scene = _on_air({"asset": ASSET, "loop": True, "start_frame": 100, "in_s": 2.0})
    patch: dict[str, object] = {"content": {"asset": None, "input": "cam"}}
    after = apply_ops(scene, [UpdateLayer("clip", patch)], frame=500)
    assert after.layers[0].content == VideoContent(input="cam")


def test_a_patch_to_a_live_input_that_keeps_the_asset_is_refused() -> None:
    scene = _on_air({"asset": ASSET})
    with pytest.raises(SceneValidationError) as info:
        apply_ops(scene, [UpdateLayer("clip", {"content": {"input": "cam"}})])
    assert info.value.path == "ops[0].patch.content.input"


def test_a_patch_to_a_live_input_that_sets_a_clip_field_is_refused() -> None:
    scene = _on_air({"asset": ASSET})
    patch: dict[str, object] = {"content": {"asset": None, "input": "cam", "loop": True}}
    with pytest.raises(SceneValidationError) as info:
        apply_ops(scene, [UpdateLayer("clip", patch)])
    assert info.value.path == "ops[0].patch.content.loop"


def test_a_patch_changes_a_video_layer_into_an_audio_layer() -> None:
    scene = _on_air({"asset": ASSET, "volume": 0.5})
    patch: dict[str, object] = {"kind": "audio", "content": {"asset": "b" * 64}}
    after = apply_ops(scene, [UpdateLayer("clip", patch)])
    assert after.layers[0].content == AudioContent("b" * 64)
