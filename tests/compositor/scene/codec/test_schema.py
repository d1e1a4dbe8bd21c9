"""The generated JSON Schema agrees with the codec: whatever the codec accepts validates, and at
the edges of every bound the schema and the codec say the same; the limits document is the
codec's table."""

from __future__ import annotations

import copy
import math
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from compositor.errors import SceneValidationError
from compositor.scene import (
    ALIGNS,
    ANIMATABLE_PROPERTIES,
    BLENDS,
    BUILTIN_FONT_NAMES,
    EFFECTS,
    KINDS,
    Keyframe,
    KeyframeAnimation,
    Layer,
    Phase,
    Transition,
    Tween,
    replace,
)
from compositor.scene.animation.easing import EASINGS
from compositor.scene.codec import (
    CLIP_NUMBERS,
    DEFAULT_LIMITS,
    Limits,
    component_schemas,
    decode_layer,
    decode_op,
    decode_scene,
    encode_layer,
    encode_op,
    encode_scene,
    layer_schema,
    limits_document,
    number_fields,
    property_range,
)
from tests.animation_strategies import kind_properties
from tests.strategies import colors, layers, op_lists, scenes, valid_layer_json

SMALL = Limits(max_layers=3, max_text_chars=10, max_name_chars=5, min_size_px=4.0,
               max_size_px=200.0, max_canvas_width=640, max_canvas_height=360, max_z=9,
               max_animations=2, max_keyframes=3, max_tweens=2, max_duration_frames=100,
               max_frame=1000)


def validator(limits: Limits, name: str) -> Draft202012Validator:
    """A validator of one component, its ``$ref`` resolved as in the OpenAPI document."""
    root = {"$ref": f"#/components/schemas/{name}",
            "components": {"schemas": component_schemas(limits)}}
    Draft202012Validator.check_schema(root)
    return Draft202012Validator(root)


_VALIDATORS = {name: validator(DEFAULT_LIMITS, name) for name in ("Layer", "Op", "Scene")}


def _valid(name: str, value: Any) -> None:
    errors = list(_VALIDATORS[name].iter_errors(value))
    assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors[:3]]


# --- whatever the codec accepts validates --------------------------------------------------------


@st.composite
def _animated(draw: st.DrawFn, layer: Layer) -> Layer:
    """The layer with animation fields (client-set and runtime), as the codec accepts them."""
    props = kind_properties(layer.kind)
    easing = st.sampled_from(EASINGS)
    frames = st.integers(0, DEFAULT_LIMITS.max_duration_frames)
    start = st.integers(0, DEFAULT_LIMITS.max_frame)

    def values(prop: str) -> st.SearchStrategy[Any]:
        if prop == "content.color":
            return colors()
        lo, hi = property_range(prop)
        return st.floats(lo, hi, allow_nan=False)

    transition = st.none() | st.builds(Transition, st.sampled_from(EFFECTS), frames, easing)
    animations = []
    for prop in draw(st.lists(st.sampled_from(props), unique=True, max_size=2)):
        keys = sorted(draw(st.sets(frames, min_size=1, max_size=3)))
        keyframes = tuple(Keyframe(k, draw(values(prop)), draw(easing)) for k in keys)
        animations.append(KeyframeAnimation(prop, keyframes, draw(st.sampled_from(
            ("once", "loop", "pingpong"))), draw(st.none() | start)))
    tweens = []
    for prop in draw(st.lists(st.sampled_from(props), max_size=2)):
        tweens.append(Tween(prop, draw(values(prop)), draw(values(prop)), draw(start),
                            draw(frames), draw(easing)))
    phase = st.none() | st.builds(Phase, transition.filter(lambda t: t is not None), start)
    return replace(layer, enter=draw(transition), exit=draw(transition),
                   animations=tuple(animations), tweens=tuple(tweens),
                   entering=draw(phase), leaving=draw(phase))


def _animated_layers() -> st.SearchStrategy[Layer]:
    return layers().flatmap(_animated)


@settings(max_examples=60, deadline=None)
@given(scenes(max_layers=4))
def test_every_scene_the_codec_writes_validates(scene: Any) -> None:
    _valid("Scene", encode_scene(scene))


@settings(max_examples=100, deadline=None)
@given(valid_layer_json())
def test_every_layer_a_client_may_send_validates(value: dict[str, Any]) -> None:
    decode_layer(copy.deepcopy(value))  # the codec accepts it...
    _valid("Layer", value)  # ...and so does the schema


@settings(max_examples=100, deadline=None)
@given(_animated_layers())
def test_layers_with_animation_and_runtime_state_validate(layer: Layer) -> None:
    value = encode_layer(layer)
    assert decode_layer(copy.deepcopy(value)) == layer
    _valid("Layer", value)
    _valid("Scene", {"layers": [value], "exiting": []})


@settings(max_examples=60, deadline=None)
@given(scenes(max_layers=3).flatmap(op_lists))
def test_every_op_validates(ops: Any) -> None:
    for op in ops:
        value = encode_op(op)
        decode_op(copy.deepcopy(value), "op")
        _valid("Op", value)
        _valid("Op", {**value, "animate": {"duration_frames": 5, "easing": "easeOutQuad"}})


# --- at the edges, the schema and the codec agree ------------------------------------------------


def _codec_accepts(decode: Callable[[Any], Any], value: Any) -> bool:
    try:
        decode(copy.deepcopy(value))
    except SceneValidationError:
        return False
    return True


def _agree(limits: Limits, name: str, value: Any) -> bool:
    """Whether the schema's verdict on ``value`` is the codec's; returns that verdict."""
    decode: Callable[[Any], Any] = {
        "Layer": lambda v: decode_layer(v, limits=limits),
        "Scene": lambda v: decode_scene(v, limits=limits),
        "Op": lambda v: decode_op(v, "op", limits=limits),
    }[name]
    accepted = _codec_accepts(decode, value)
    assert validator(limits, name).is_valid(value) == accepted, (value, accepted)
    return accepted


def _set(value: dict[str, Any], path: str, leaf: Any) -> dict[str, Any]:
    value = copy.deepcopy(value)
    *parents, key = path.split(".")
    node = value
    for part in parents:
        node = node.setdefault(part, {})
    node[key] = leaf
    return value


def _edges(lo: float, hi: float) -> list[tuple[float, bool]]:
    """Values at and just beyond [lo, hi], with whether they are inside."""
    return [(lo, True), (hi, True), (math.nextafter(lo, -math.inf), False),
            (math.nextafter(hi, math.inf), False)]


@pytest.mark.parametrize("limits", [DEFAULT_LIMITS, SMALL], ids=["default", "small"])
def test_every_bounded_number_has_the_codecs_bounds(limits: Limits) -> None:
    text = {"id": "a", "kind": "text", "content": {"text": "x"}}
    clip = {"id": "a", "kind": "audio", "content": {"asset": "a" * 64}}
    for section, spec in number_fields(limits).items():
        for key, default, lo, hi in spec:
            path = f"{section}.{key}" if section else key
            base = clip if section == "content" and key in CLIP_NUMBERS else text
            for number, inside in _edges(lo, hi):
                if section == "crop" and number == hi:
                    continue  # left + right < 1 (the description's, the decoder's alone)
                if path == "content.out_s" and number == lo:
                    continue  # out_s > in_s (the description's, the decoder's alone)
                assert _agree(limits, "Layer", _set(base, path, number)) == inside, path
            assert _agree(limits, "Layer", _set(base, path, None)) == (default is None), path
            assert not _agree(limits, "Layer", _set(base, path, "1")), path


@pytest.mark.parametrize("limits", [DEFAULT_LIMITS, SMALL], ids=["default", "small"])
def test_strings_integers_and_lists_have_the_codecs_bounds(limits: Limits) -> None:
    # Wrapped: a long unwrapped line could never be drawn, which the codec refuses (a rule of
    # the text block that no JSON Schema keyword expresses).
    layer = {"id": "a", "kind": "text", "content": {"text": "x", "max_width_px": 800}}
    for path, most in (("content.text", limits.max_text_chars), ("name", limits.max_name_chars)):
        assert _agree(limits, "Layer", _set(layer, path, "é" * most))
        assert not _agree(limits, "Layer", _set(layer, path, "é" * (most + 1)))
    for z, inside in ((limits.max_z, True), (-limits.max_z, True), (limits.max_z + 1, False),
                      (-limits.max_z - 1, False), (2.0, True), (2.5, False), (True, False)):
        assert _agree(limits, "Layer", {**layer, "z": z}) == inside
    for key, most in (("width", limits.max_canvas_width), ("height", limits.max_canvas_height)):
        for size, inside in ((16, True), (14, False), (most, True), (most + 2, False),
                             (most - 1, False)):
            canvas = {"width": 320, "height": 180, key: size}  # the default 1080 > SMALL's
            assert _agree(limits, "Scene", canvas) == inside, (key, size)
    one = [{"id": f"l{i}", "kind": "color", "content": {"color": "#FFFFFF"}}
           for i in range(limits.max_layers + 1)]
    small = {"width": 320, "height": 180}  # within both limits (1920x1080 is not in SMALL)
    assert _agree(limits, "Scene", {**small, "layers": one[:-1]})
    assert not _agree(limits, "Scene", {**small, "layers": one})
    keyframe = {"frame": 0, "value": 0.5}
    animation = {"property": "opacity", "keyframes": [keyframe]}
    assert not _agree(limits, "Layer", {**layer, "animations": [{**animation, "keyframes": []}]})
    for loop, inside in ((True, True), ("pingpong", True), ("loop", False)):
        assert _agree(limits, "Layer", {**layer, "animations": [{**animation, "loop": loop}]}) \
            == inside
    for start, inside in (("on_commit", True), (limits.max_frame, True),
                          (limits.max_frame + 1, False), ("later", False)):
        assert _agree(limits, "Layer", {**layer, "animations": [{**animation, "start": start}]}) \
            == inside
    for frames, inside in ((limits.max_duration_frames, True), (-1, False),
                           (limits.max_duration_frames + 1, False)):
        fade = {"effect": "fade", "duration_frames": frames}
        assert _agree(limits, "Layer", {**layer, "enter": fade}) == inside
        assert _agree(limits, "Op", {"op": "remove", "id": "a",
                                     "animate": {"duration_frames": frames}}) == inside
    assert _agree(limits, "Layer", {**layer, "enter": None, "exit": None})
    assert not _agree(limits, "Layer", {**layer, "enter": {"effect": "spin", "duration_frames": 1}})


@pytest.mark.parametrize("value", [
    {"kind": "color", "content": {"color": "#12345"}},
    {"kind": "image", "content": {"asset": "../x.png"}},
    {"kind": "text", "content": {"text": "x", "font": "/etc/fonts/a.ttf"}},
    {"kind": "text", "content": {"text": "x", "align": "justify"}},
    {"kind": "color", "content": {"color": "#FFFFFF"}, "blend": "overlay"},
    {"kind": "color", "content": {"color": "#FFFFFF"}, "id": "a b"},
    {"kind": "color", "content": {"color": "#FFFFFF"}, "colour": "#FFFFFF"},
    {"kind": "video", "content": {"color": "#FFFFFF"}},
    {"kind": "hologram", "content": {"color": "#FFFFFF"}},
    {"content": {"color": "#FFFFFF"}},
])
def test_bad_choices_patterns_and_keys_are_refused_by_both(value: dict[str, Any]) -> None:
    assert not _agree(DEFAULT_LIMITS, "Layer", {"id": "a", **value})


# --- the generated document and the limits document ----------------------------------------------


def test_the_schema_takes_its_choices_and_defaults_from_the_model() -> None:
    schema = layer_schema(DEFAULT_LIMITS)["properties"]
    assert schema["kind"]["enum"] == list(KINDS)
    assert schema["blend"] == {"enum": list(BLENDS), "default": "normal"}
    text = schema["content"]["anyOf"][2]["properties"]
    assert text["align"]["enum"] == list(ALIGNS)
    assert text["size_px"]["default"] == 48 and text["color"]["default"] == "#FFFFFFFF"
    assert all(name in text["font"]["description"] for name in BUILTIN_FONT_NAMES)


def test_the_limits_document_is_the_codecs_table() -> None:
    document = limits_document(SMALL)
    assert document["limits"]["max_layers"] == 3 and document["limits"]["max_size_px"] == 200
    assert document["fonts"] == list(BUILTIN_FONT_NAMES)
    assert document["choices"]["blend"] == list(BLENDS)
    assert document["choices"]["align"] == list(ALIGNS)
    assert document["numbers"]["content.size_px"] == {"minimum": 4, "maximum": 200, "default": 48}
    assert document["numbers"]["transform.width"]["default"] is None
    assert document["numbers"]["z"] == {"minimum": -9, "maximum": 9, "default": 0}
    expected = {f"{s}.{k}" if s else k for s, spec in number_fields(SMALL).items()
                for k, _, _, _ in spec}
    assert set(document["numbers"]) == expected | {"z", "content.start_frame"}
    assert document["numbers"]["content.volume"] == {"minimum": 0, "maximum": 2, "default": 1}
    assert document["numbers"]["content.out_s"]["default"] is None
    assert document["numbers"]["content.start_frame"] == {"minimum": 0, "maximum": 1000,
                                                          "default": None}
    assert document["choices"]["kind"] == ["color", "image", "text", "video", "audio"]
    assert document["choices"]["on_end"] == ["hold", "hide"]
    for prop in ANIMATABLE_PROPERTIES:
        if prop != "content.color":
            bounds = document["numbers"][prop]
            assert (bounds["minimum"], bounds["maximum"]) == property_range(prop, SMALL)
