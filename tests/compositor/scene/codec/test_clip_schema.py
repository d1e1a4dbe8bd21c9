"""The JSON Schema of video and audio layers: CONTRACT v1.1's examples validate, and the schema
and the codec give the same verdict on the codec's good and bad clip tables."""

from __future__ import annotations

import copy
import math
from typing import Any

import pytest
from hypothesis import given, settings
from jsonschema import Draft202012Validator

from compositor.errors import SceneValidationError
from compositor.scene import AudioContent, Layer, VideoContent
from compositor.scene.codec import (
    DEFAULT_LIMITS,
    Limits,
    component_schemas,
    decode_layer,
    encode_layer,
    layer_schema,
)
from tests.compositor.scene.codec.test_clip_codec import BAD, GOOD
from tests.strategies import clip_contents

ASSET = "3f" * 32
# CONTRACT.md v1.1 "Layers", comments removed and the placeholder asset id filled in.
CONTRACT_VIDEO: dict[str, Any] = {
    "id": "sting", "kind": "video",
    "content": {
        "asset": ASSET,
        "loop": False,
        "start_frame": None,
        "in_s": 0.0, "out_s": None,
        "on_end": "hold",
        "volume": 1.0,
        "muted": False,
    },
}
CONTRACT_EXAMPLES = [
    CONTRACT_VIDEO,
    {**CONTRACT_VIDEO, "content": {**CONTRACT_VIDEO["content"], "asset": None, "input": "cam-1",
                                   "volume": 0.8}},
    {"id": "cam", "kind": "video", "content": {"input": "cam-1"}},
    {"id": "bed", "kind": "audio", "content": {**CONTRACT_VIDEO["content"], "loop": True,
                                               "volume": 0.3}},
    {"id": "jingle", "kind": "audio", "content": {"asset": ASSET}},
    {"id": "sting", "kind": "video", "content": {"asset": ASSET, "start_frame": 107717040000,
                                                 "in_s": 1.5, "out_s": 4, "on_end": "hide"},
     "transform": {"x": 960, "y": 540, "anchor_x": 0.5, "anchor_y": 0.5}, "opacity": 0.9,
     "animations": [{"property": "content.volume",
                     "keyframes": [{"frame": 0, "value": 0}, {"frame": 30, "value": 1}]}]},
]


def _validator(limits: Limits = DEFAULT_LIMITS) -> Draft202012Validator:
    root = {"$ref": "#/components/schemas/Layer",
            "components": {"schemas": component_schemas(limits)}}
    Draft202012Validator.check_schema(root)
    return Draft202012Validator(root)


VALIDATOR = _validator()


def _codec_accepts(value: Any, limits: Limits = DEFAULT_LIMITS) -> bool:
    try:
        decode_layer(copy.deepcopy(value), limits=limits)
    except SceneValidationError:
        return False
    return True


@pytest.mark.parametrize("value", CONTRACT_EXAMPLES, ids=range(len(CONTRACT_EXAMPLES)))
def test_the_contract_s_examples_validate_and_decode(value: dict[str, Any]) -> None:
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in VALIDATOR.iter_errors(value)]
    assert errors == []
    layer = decode_layer(copy.deepcopy(value))
    assert VALIDATOR.is_valid(encode_layer(layer))


@pytest.mark.parametrize("value", [case[1] for case in GOOD], ids=[case[0] for case in GOOD])
def test_good_clip_layers_validate(value: dict[str, Any]) -> None:
    assert _codec_accepts(value)
    assert VALIDATOR.is_valid(value)


# out_s > in_s is the decoder's alone (stated in the schema's description); JSON has no NaN.
_DECODER_ONLY = {"out-before-in", "out-equals-in", "out-zero", "in-nan"}


@pytest.mark.parametrize("value", [case[1] for case in BAD if case[0] not in _DECODER_ONLY],
                         ids=[case[0] for case in BAD if case[0] not in _DECODER_ONLY])
def test_bad_clip_layers_are_refused_by_the_schema_too(value: dict[str, Any]) -> None:
    assert not _codec_accepts(value)
    assert not VALIDATOR.is_valid(value)


def test_the_rules_only_the_decoder_knows_are_in_the_description() -> None:
    video = layer_schema(DEFAULT_LIMITS)["properties"]["content"]["anyOf"][3]
    assert video["title"] == "video"
    assert "greater than in_s" in video["properties"]["out_s"]["description"]
    for name in _DECODER_ONLY - {"in-nan"}:
        value = next(case[1] for case in BAD if case[0] == name)
        assert VALIDATOR.is_valid(value) and not _codec_accepts(value)


SMALL = Limits(max_clip_s=10.0, max_frame=1000)


@pytest.mark.parametrize("limits", [DEFAULT_LIMITS, SMALL], ids=["default", "small"])
def test_clip_bounds_agree_at_their_edges(limits: Limits) -> None:
    validator = _validator(limits)
    base: dict[str, Any] = {"id": "a", "kind": "audio", "content": {"asset": ASSET}}
    cases: list[tuple[str, Any, bool]] = [
        ("start_frame", limits.max_frame, True), ("start_frame", limits.max_frame + 1, False),
        ("start_frame", 0, True), ("start_frame", -1, False), ("start_frame", None, True),
        ("in_s", limits.max_clip_s, True),
        ("in_s", math.nextafter(limits.max_clip_s, math.inf), False),
        ("out_s", limits.max_clip_s, True),
        ("out_s", math.nextafter(limits.max_clip_s, math.inf), False),
        ("volume", 2.0, True), ("volume", math.nextafter(2.0, 3.0), False),
        ("volume", 0, True), ("volume", math.nextafter(0.0, -1.0), False),
        ("on_end", "hide", True), ("on_end", None, False), ("muted", None, False),
    ]
    for key, number, inside in cases:
        value = {**base, "content": {**base["content"], key: number}}
        assert _codec_accepts(value, limits) == inside, (key, number)
        assert validator.is_valid(value) == inside, (key, number)


@settings(max_examples=100, deadline=None)
@given(clip_contents(video=True) | clip_contents(video=False))
def test_every_clip_the_codec_writes_validates(content: VideoContent | AudioContent) -> None:
    value = encode_layer(Layer("a", "video" if isinstance(content, VideoContent) else "audio",
                               content))
    assert VALIDATOR.is_valid(value), [e.message for e in VALIDATOR.iter_errors(value)][:3]
