"""The codec on arbitrary input: anything in any field gives a scene or a SceneValidationError with
a path under that field, nothing else; edge values everywhere decode totally."""


from __future__ import annotations

import contextlib
import copy
import math
import pickle
from collections.abc import Callable
from typing import Any

import msgspec
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from compositor.errors import SceneValidationError
from compositor.scene import (
    Color,
    ColorContent,
    Crop,
    ImageContent,
    Layer,
    Scene,
    TextContent,
    Transform,
)
from compositor.scene.codec import (
    DEFAULT_LIMITS,
    Limits,
    decode_layer,
    decode_op,
    decode_ops,
    decode_scene,
    encode_layer,
    encode_scene,
)
from tests.strategies import json_values, layers, scenes

PROPERTY = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
ASSET = "a" * 64


# --- fuzz: arbitrary JSON anywhere gives SceneValidationError or a scene, nothing else ---------

Path = tuple[str | int, ...]


def _paths(value: Any, prefix: Path = ()) -> list[Path]:
    """Every container slot in a JSON value (dict keys and list indices), depth first."""
    found: list[Path] = []
    if isinstance(value, dict):
        items: list[tuple[str | int, Any]] = list(value.items())
    elif isinstance(value, list):
        items = list(enumerate(value))
    else:
        return found
    for key, child in items:
        found.append((*prefix, key))
        found.extend(_paths(child, (*prefix, key)))
    return found


def _format(path: Path) -> str:
    text = ""
    for key in path:
        text += f"[{key}]" if isinstance(key, int) else (f".{key}" if text else key)
    return text


def _replace(value: Any, path: Path, new: Any) -> Any:
    copied = copy.deepcopy(value)
    target = copied
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = new
    return copied


def _check_decode(decode: Callable[[Any], object], value: Any, parent: str) -> None:
    try:
        decode(value)
    except SceneValidationError as exc:
        # The error is at or under the container of the changed field (a crop sum names its
        # sibling, a kind change names the content), or it is the duplicate another id now is.
        assert exc.path.startswith(parent) or "duplicate id" in exc.reason, (exc, parent)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenes(max_layers=3), st.data())
def test_fuzz_any_json_in_any_field(scene: Scene, data: st.DataObject) -> None:
    encoded = encode_scene(scene)
    path = data.draw(st.sampled_from(_paths(encoded)))
    new = data.draw(json_values())
    _check_decode(decode_scene, _replace(encoded, path, new), _format(path[:-1]))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenes(max_layers=2), st.data())
def test_fuzz_unknown_keys_anywhere(scene: Scene, data: st.DataObject) -> None:
    encoded = encode_scene(scene)
    containers = [p for p in _paths(encoded) if isinstance(_get(encoded, p), dict)]
    target = data.draw(st.sampled_from([(), *containers]))
    key = data.draw(st.text(min_size=1, max_size=8))
    obj = _get(encoded, target)
    # Optional fields that a scene without animation leaves out are known, not unknown.
    assume(key not in obj and key not in OPTIONAL_FIELDS)
    obj[key] = data.draw(json_values())
    with pytest.raises(SceneValidationError) as info:
        decode_scene(encoded)
    assert info.value.path == _format((*target, key))


OPTIONAL_FIELDS = frozenset({"exiting", "enter", "exit", "animations", "tweens", "entering",
                             "leaving"})


def _get(value: Any, path: Path) -> Any:
    for key in path:
        value = value[key]
    return value


@settings(max_examples=200, deadline=None)
@given(json_values(max_leaves=12))
def test_fuzz_whole_documents(value: Any) -> None:
    for decode in (decode_scene, decode_layer, decode_ops):
        with contextlib.suppress(SceneValidationError):  # anything else fails the test
            decode(value)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from(["op", "id", "layer", "patch"]), json_values()))
def test_fuzz_op_objects(value: dict[str, Any]) -> None:
    try:
        decode_op(value, "ops[0]")
    except SceneValidationError as exc:
        assert exc.path.startswith("ops[0]")


def test_every_float_field_rejects_every_non_finite_value() -> None:
    encoded = encode_scene(Scene(layers=(
        Layer(id="c", kind="color", content=ColorContent(Color(1, 2, 3))),
        Layer(id="t", kind="text", content=TextContent(text="x", max_width_px=100.0)),
    )))
    encoded["layers"][1]["transform"].update(width=10.0, height=20.0)
    float_paths = [p for p in _paths(encoded) if isinstance(_get(encoded, p), float)]
    assert len(float_paths) >= 2 * 14
    for path in float_paths:
        for bad in (math.nan, math.inf, -math.inf, 10**400):
            with pytest.raises(SceneValidationError) as info:
                decode_scene(_replace(encoded, path, bad))
            assert info.value.path == _format(path)
            assert "finite" in info.value.reason


# --- the decoder on edge values -------------------------------------------------------------------
# The one decoder has fast branches for plain valid values (no path built); those must accept
# exactly what the readers accept. Every edge value either decodes to a layer that round-trips
# through the encoder, or is refused with a SceneValidationError: never another exception, never
# a value the encoder cannot write back.

EDGE_VALUES_LIST: list[Any] = [
    True, False, None, 0, 1, -1, 0.0, 1.0, 1.5, -0.5, 0.99, 0.5, 1e6, 1e6 + 1, -1e6 - 1, 1000,
    1001, -1000.5, 1024, 1025, 65536.0, 65537, 10**400, float("nan"), float("inf"), "", "sans",
    "#FFF", "#FFFFFF", "#ffffff00", "#GGGGGG", "left", "justify", "normal", "xor", "color",
    "text", "image", "x" * 4097, "x" * 257, "../a.png", [], {}, {"color": "#FFFFFF"},
]
EDGE_VALUES = st.sampled_from(EDGE_VALUES_LIST)


def _edges() -> list[Any]:
    """Every bound of the default limits, exactly and one step either side, as int and float."""
    bounds = [0.0, 1.0, 1e6, -1e6, 65536.0, 1000.0, -1000.0, 1024.0, 4096.0, 256.0]
    values: list[Any] = []
    for bound in bounds:
        values += [bound, math.nextafter(bound, math.inf), math.nextafter(bound, -math.inf),
                   int(bound), int(bound) + 1, int(bound) - 1]
    return [*values, "x" * 4096, "x" * 256, "x" * 64, "x" * 65]


def test_decoder_is_total_on_every_field_and_edge_value() -> None:
    text = TextContent(text="t", font="mono", max_width_px=10.0)
    plain = [
        Layer(id="c", kind="color", content=ColorContent(Color(1, 2, 3)), name="n"),
        Layer(id="i", kind="image", content=ImageContent("a" * 64)),
        Layer(id="t", kind="text", content=text, crop=Crop(0.1, 0.2, 0.3, 0.4)),
    ]
    checked = 0
    for layer in plain:
        encoded = encode_layer(layer)
        encoded["transform"].update(width=5.0, height=6.0)
        for path in _paths(encoded):
            for value in [*EDGE_VALUES_LIST, *_edges()]:
                _decodes_or_refuses(_replace(encoded, path, value))
                checked += 1
            without = copy.deepcopy(encoded)
            del _get(without, path[:-1])[path[-1]]
            _decodes_or_refuses(without)
    assert checked > 3000


def _decodes_or_refuses(value: Any, limits: Limits = DEFAULT_LIMITS) -> None:
    try:
        layer = decode_layer(value, limits=limits)
    except SceneValidationError:
        return
    assert decode_layer(encode_layer(layer), limits=limits) == layer
    numbers = [*msgspec.structs.astuple(layer.transform), *msgspec.structs.astuple(layer.crop),
               layer.opacity]
    assert all(n is None or type(n) is float for n in numbers), numbers


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(layers(), st.data())
def test_decoder_is_total_on_damaged_layers(layer: Layer, data: st.DataObject) -> None:
    encoded = encode_layer(layer)
    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from(_paths(encoded)))
        if data.draw(st.booleans()):
            del _get(encoded, path[:-1])[path[-1]]
        else:
            encoded = _replace(encoded, path, data.draw(EDGE_VALUES | json_values()))
        if not isinstance(encoded, dict) or not _paths(encoded):
            break
    _decodes_or_refuses(encoded)
    _decodes_or_refuses(encoded, Limits(max_text_chars=10, max_name_chars=3, max_size_px=50.0,
                                        max_box_px=100.0, max_z=5, max_coordinate_px=10.0,
                                        max_scale=2.0))


def test_decoded_values_are_ordinary_frozen_model_objects() -> None:
    color = Color(1, 2, 3, 4)
    text = TextContent("t", "mono", 12.0, color, "right", 100.0)
    transform = Transform(1.0, 2.0, None, 4.0, 0.5, 0.25, 2.0, -1.0, 90.0)
    crop = Crop(0.1, 0.2, 0.3, 0.4)
    layer = Layer("a", "text", text, "n", transform, crop, 0.5, "add", False, 3)
    decoded = decode_layer(encode_layer(layer))
    pairs: list[tuple[Any, Any]] = [
        (decoded, layer), (decoded.content, text), (decoded.transform, transform),
        (decoded.crop, crop), (decode_layer(encode_layer(Layer("c", "color", ColorContent(color))))
                               .content, ColorContent(color)),
    ]
    for built, expected in pairs:
        assert type(built) is type(expected)
        assert built == expected and hash(built) == hash(expected)
        assert repr(built) == repr(expected)
        assert pickle.loads(pickle.dumps(built)) == expected
        assert msgspec.structs.replace(built) == expected
        with pytest.raises(AttributeError):
            setattr(built, msgspec.structs.fields(built)[0].name, None)
