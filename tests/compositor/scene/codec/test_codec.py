"""The codec: lossless round trips for every valid scene, and precise rejections of bad input."""

from __future__ import annotations

import contextlib
import copy
import json
import math
import pickle
from collections.abc import Callable
from fractions import Fraction
from typing import Any

import msgspec
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from compositor.errors import SceneValidationError
from compositor.scene import (
    AddLayer,
    Color,
    ColorContent,
    Crop,
    ImageContent,
    Layer,
    Op,
    RemoveLayer,
    Scene,
    TextContent,
    Transform,
    UpdateLayer,
)
from compositor.scene.codec import (
    DEFAULT_LIMITS,
    Limits,
    decode_layer,
    decode_op,
    decode_ops,
    decode_scene,
    encode_layer,
    encode_op,
    encode_scene,
    format_color,
    format_fps,
    parse_color,
    parse_fps,
)
from tests.strategies import json_values, layers, scenes, valid_layer_json

PROPERTY = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
ASSET = "a" * 64


# --- round trips ----------------------------------------------------------------------------------


@PROPERTY
@given(scenes())
def test_scene_round_trip_is_lossless(scene: Scene) -> None:
    encoded = encode_scene(scene)
    decoded = decode_scene(encoded)
    assert decoded == scene
    assert encode_scene(decoded) == encoded
    # And through JSON text, which is canonical: encoding again gives the same text.
    text = json.dumps(encoded, allow_nan=False)
    assert decode_scene(json.loads(text)) == scene
    assert json.dumps(encode_scene(decode_scene(json.loads(text))), allow_nan=False) == text


@PROPERTY
@given(layers())
def test_layer_round_trip_is_lossless(layer: Layer) -> None:
    assert decode_layer(encode_layer(layer)) == layer
    assert decode_layer(json.loads(json.dumps(encode_layer(layer)))) == layer


@PROPERTY
@given(valid_layer_json())
def test_partial_layer_json_decodes_and_then_round_trips(value: dict[str, Any]) -> None:
    before = copy.deepcopy(value)
    layer = decode_layer(value)
    assert value == before, "decoding must not modify its input"
    assert decode_layer(encode_layer(layer)) == layer


@PROPERTY
@given(scenes(max_layers=3))
def test_ops_round_trip(scene: Scene) -> None:
    ops: list[Op] = [AddLayer(layer) for layer in scene.layers]
    ops += [RemoveLayer(layer.id) for layer in scene.layers]
    patch = {"opacity": 0.5, "transform": {"x": 3, "width": None}}
    ops += [UpdateLayer(layer.id, patch) for layer in scene.layers]
    encoded = [encode_op(op) for op in ops]
    assert decode_ops(json.loads(json.dumps(encoded))) == tuple(ops)


def test_defaults_fill_in_what_is_omitted() -> None:
    scene = decode_scene({"layers": [{"id": "a", "kind": "text", "content": {"text": "hi"}}]})
    assert scene == Scene(
        version=0,
        width=1920,
        height=1080,
        fps=Fraction(60),
        background=Color(0, 0, 0, 255),
        layers=(Layer(id="a", kind="text", content=TextContent(text="hi")),),
    )
    text = scene.layers[0].content
    assert isinstance(text, TextContent)
    assert (text.font, text.size_px, text.align, text.max_width_px) == ("sans", 48.0, "left", None)
    assert text.color == Color(255, 255, 255, 255)


def test_encode_writes_every_field_in_contract_names() -> None:
    layer = Layer(id="a", kind="image", content=ImageContent(ASSET))
    assert encode_layer(layer) == {
        "id": "a",
        "name": None,
        "kind": "image",
        "content": {"asset": ASSET},
        "transform": {
            "x": 0.0, "y": 0.0, "width": None, "height": None, "anchor_x": 0.0,
            "anchor_y": 0.0, "scale_x": 1.0, "scale_y": 1.0, "rotation_deg": 0.0,
        },
        "crop": {"left": 0.0, "top": 0.0, "right": 0.0, "bottom": 0.0},
        "opacity": 1.0,
        "blend": "normal",
        "visible": True,
        "z": 0,
    }


def test_new_id_names_layers_without_one() -> None:
    counter = iter(range(100))
    value = {"layers": [{"kind": "color", "content": {"color": "#FF0000"}}] * 2}
    scene = decode_scene(value, new_id=lambda: f"auto-{next(counter)}")
    assert [layer.id for layer in scene.layers] == ["auto-0", "auto-1"]
    with pytest.raises(SceneValidationError) as info:
        decode_scene(value, new_id=lambda: "same")
    assert info.value.path == "layers[1].id"


# --- colours and frame rates --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "color"),
    [
        ("#000000", Color(0, 0, 0, 255)),
        ("#FF8000", Color(255, 128, 0, 255)),
        ("#ff8000", Color(255, 128, 0, 255)),
        ("#11223344", Color(0x11, 0x22, 0x33, 0x44)),
        ("#aBcDeF00", Color(0xAB, 0xCD, 0xEF, 0)),
    ],
)
def test_parse_color(text: str, color: Color) -> None:
    assert parse_color(text) == color
    assert parse_color(format_color(color)) == color
    assert format_color(color) == format_color(color).upper()


@pytest.mark.parametrize(
    ("value", "fps", "encoded"),
    [
        (60, Fraction(60), 60),
        (25.0, Fraction(25), 25),
        (1, Fraction(1), 1),
        (120, Fraction(120), 120),
        (12.5, Fraction(25, 2), "25/2"),
        ("30000/1001", Fraction(30000, 1001), "30000/1001"),
        ("50/1", Fraction(50), 50),
        # Decimal NTSC rates mean N*1000/1001, as every broadcast tool reads them.
        (29.97, Fraction(30000, 1001), "30000/1001"),
        (59.94, Fraction(60000, 1001), "60000/1001"),
        (23.976, Fraction(24000, 1001), "24000/1001"),
        (119.88, Fraction(120000, 1001), "120000/1001"),
    ],
)
def test_parse_fps(value: int | float | str, fps: Fraction, encoded: int | str) -> None:
    assert parse_fps(value) == fps
    assert format_fps(fps) == encoded
    assert parse_fps(format_fps(fps)) == fps


# --- rejections: one table, each with its path and reason ---------------------------------------


def _scene(**layer: Any) -> dict[str, Any]:
    """A valid one-layer scene whose layer has ``layer``'s fields merged in."""
    base: dict[str, Any] = {"id": "a", "kind": "color", "content": {"color": "#FF0000"}}
    base.update(layer)
    return {"layers": [base]}


def _text(**content: Any) -> dict[str, Any]:
    return _scene(kind="text", content={"text": "hello", **content})


def _image(asset: Any) -> dict[str, Any]:
    return _scene(kind="image", content={"asset": asset})


def _layers(count: int) -> dict[str, Any]:
    color = {"kind": "color", "content": {"color": "#FFFFFF"}}
    return {"layers": [{"id": f"l{i}", **color} for i in range(count)]}


BAD: list[tuple[str, Any, str, str]] = [
    # (name, input, path, reason fragment)
    ("scene-not-object", [], "", "must be an object, got array"),
    ("unknown-scene-field", {"layer": []}, "layer", "unknown field"),
    ("unknown-layer-field", _scene(colour="#FFF"), "layers[0].colour", "unknown field"),
    ("unknown-transform-field", _scene(transform={"rotation": 5}), "layers[0].transform.rotation",
     "unknown field"),
    ("unknown-crop-field", _scene(crop={"middle": 0.1}), "layers[0].crop.middle", "unknown field"),
    ("unknown-content-field", _scene(kind="image", content={"asset": ASSET, "path": "/x.png"}),
     "layers[0].content.path", "unknown field"),
    ("content-of-other-kind", _scene(content={"text": "hi"}), "layers[0].content.text",
     "unknown field"),
    ("layers-not-array", {"layers": {"a": {}}}, "layers", "must be an array"),
    ("layer-not-object", {"layers": ["a"]}, "layers[0]", "must be an object, got string"),
    ("width-string", {"width": "1920"}, "width", "must be an integer, got string"),
    ("opacity-string", _scene(opacity="1"), "layers[0].opacity", "must be a number, got string"),
    ("scale-boolean", _scene(transform={"scale_x": True}), "layers[0].transform.scale_x",
     "must be a number, got boolean"),
    ("visible-string", _scene(visible="yes"), "layers[0].visible", "true or false"),
    ("z-fraction", _scene(z=1.5), "layers[0].z", "must be an integer"),
    ("name-number", _scene(name=5), "layers[0].name", "must be a string"),
    ("transform-null", _scene(transform=None), "layers[0].transform", "must be an object"),
    ("id-missing", {"layers": [{"kind": "color", "content": {"color": "#FFF000"}}]},
     "layers[0].id", "is required"),
    ("id-space", _scene(id="lower third"), "layers[0].id", "letters, digits"),
    ("id-empty", _scene(id=""), "layers[0].id", "1 to 64"),
    ("id-too-long", _scene(id="x" * 65), "layers[0].id", "1 to 64"),
    ("id-non-ascii", _scene(id="café"), "layers[0].id", "letters, digits"),
    ("id-number", _scene(id=7), "layers[0].id", "must be an id"),
    ("id-duplicate", {"layers": [_scene()["layers"][0], _scene()["layers"][0]]}, "layers[1].id",
     "duplicate id 'a'"),
    ("scale-nan", _scene(transform={"scale_x": float("nan")}), "layers[0].transform.scale_x",
     "finite"),
    ("x-inf", _scene(transform={"x": float("inf")}), "layers[0].transform.x", "finite"),
    ("rotation-minus-inf", _scene(transform={"rotation_deg": float("-inf")}),
     "layers[0].transform.rotation_deg", "finite"),
    ("opacity-huge-int", _scene(opacity=10**400), "layers[0].opacity", "finite"),
    ("opacity-above-1", _scene(opacity=1.5), "layers[0].opacity", "between 0 and 1"),
    ("opacity-negative", _scene(opacity=-0.01), "layers[0].opacity", "between 0 and 1"),
    ("anchor-above-1", _scene(transform={"anchor_y": 2}), "layers[0].transform.anchor_y",
     "between 0 and 1"),
    ("crop-negative", _scene(crop={"left": -0.1}), "layers[0].crop.left", "between 0 and 1"),
    ("crop-above-1", _scene(crop={"top": 1.5}), "layers[0].crop.top", "between 0 and 1"),
    ("crop-all-width", _scene(crop={"left": 0.5, "right": 0.5}), "layers[0].crop.right",
     "left + right must be less than 1"),
    ("crop-all-height", _scene(crop={"top": 0.7, "bottom": 0.6}), "layers[0].crop.bottom",
     "top + bottom must be less than 1"),
    ("crop-whole-side", _scene(crop={"bottom": 1.0}), "layers[0].crop.bottom",
     "top + bottom must be less than 1"),
    ("color-short", _scene(content={"color": "#FFF"}), "layers[0].content.color", "#RRGGBB"),
    ("color-name", _scene(content={"color": "red"}), "layers[0].content.color", "#RRGGBB"),
    ("color-not-hex", _scene(content={"color": "#GGGGGG"}), "layers[0].content.color",
     "#RRGGBB"),
    ("color-seven-digits", _scene(content={"color": "#FF00FF0"}), "layers[0].content.color",
     "#RRGGBBAA"),
    ("color-no-hash", _scene(content={"color": "FF0000"}), "layers[0].content.color", "#RRGGBB"),
    ("color-missing", _scene(content={}), "layers[0].content.color", "is required"),
    ("background-bad", {"background": "#12345"}, "background", "#RRGGBB"),
    ("text-color-bad", _text(color="white"), "layers[0].content.color", "#RRGGBB"),
    ("kind-unknown", _scene(kind="video"), "layers[0].kind", "must be one of color, image, text"),
    ("kind-missing", {"layers": [{"id": "a", "content": {}}]}, "layers[0].kind", "is required"),
    ("content-missing", {"layers": [{"id": "a", "kind": "color"}]}, "layers[0].content",
     "is required"),
    ("blend-unknown", _scene(blend="overlay"), "layers[0].blend",
     "must be one of normal, add, multiply, screen"),
    ("align-unknown", _text(align="justify"), "layers[0].content.align",
     "must be one of left, center, right"),
    ("asset-relative-path", _image("../x.png"), "layers[0].content.asset", "not a path or URL"),
    ("asset-absolute-path", _image("/etc/passwd"), "layers[0].content.asset",
     "not a path or URL"),
    ("asset-url", _image("http://example.com/a.png"), "layers[0].content.asset",
     "not a path or URL"),
    ("asset-file-url", _image("file:///etc/passwd"), "layers[0].content.asset",
     "not a path or URL"),
    ("asset-windows-path", _image("C:\\logo.png"), "layers[0].content.asset", "not a path or URL"),
    ("asset-missing", _scene(kind="image", content={}), "layers[0].content.asset", "is required"),
    ("font-path", _text(font="../fonts/x.ttf"), "layers[0].content.font", "font name or id"),
    ("text-too-long", _text(text="x" * 4097), "layers[0].content.text",
     "at most 4096 characters"),
    ("text-missing", _scene(kind="text", content={"font": "sans"}), "layers[0].content.text",
     "is required"),
    ("text-not-string", _text(text=["a"]), "layers[0].content.text", "must be a string"),
    ("size-zero", _text(size_px=0), "layers[0].content.size_px", "between 1 and 1024"),
    ("size-huge", _text(size_px=5000), "layers[0].content.size_px", "between 1 and 1024"),
    ("max-width-zero", _text(max_width_px=0), "layers[0].content.max_width_px", "between 1"),
    ("width-negative", _scene(transform={"width": -1}), "layers[0].transform.width",
     "between 0 and"),
    ("height-negative", _scene(transform={"height": -0.5}), "layers[0].transform.height",
     "between 0 and"),
    ("too-many-layers", _layers(257), "layers", "at most 256 layers"),
    ("canvas-width-odd", {"width": 1921}, "width", "must be even"),
    ("canvas-height-odd", {"height": 1081}, "height", "must be even"),
    ("canvas-too-wide", {"width": 7682}, "width", "between 16 and 7680"),
    ("canvas-too-tall", {"height": 4322}, "height", "between 16 and 4320"),
    ("canvas-zero", {"width": 0}, "width", "between 16 and 7680"),
    ("fps-zero", {"fps": 0}, "fps", "between 1 and 120"),
    ("fps-too-high", {"fps": 121}, "fps", "between 1 and 120"),
    ("fps-fraction-too-high", {"fps": "121/1"}, "fps", "between 1 and 120"),
    ("fps-fraction-zero-denominator", {"fps": "30/0"}, "fps", "fraction like 30000/1001"),
    ("fps-text", {"fps": "fast"}, "fps", "fraction like 30000/1001"),
    ("fps-nan", {"fps": float("nan")}, "fps", "finite"),
    ("version-negative", {"version": -1}, "version", "between 0 and"),
    ("version-string", {"version": "12"}, "version", "must be an integer"),
]


@pytest.mark.parametrize(("value", "path", "reason"), [case[1:] for case in BAD],
                         ids=[case[0] for case in BAD])
def test_bad_scene_is_rejected_with_its_path(value: Any, path: str, reason: str) -> None:
    with pytest.raises(SceneValidationError) as info:
        decode_scene(value)
    assert info.value.path == path
    assert reason in info.value.reason
    assert str(info.value) == (f"{path}: {info.value.reason}" if path else info.value.reason)


def test_bad_table_is_large_and_distinct() -> None:
    names = [case[0] for case in BAD]
    assert len(set(names)) == len(names) >= 30
    inputs = [json.dumps(case[1], sort_keys=True) for case in BAD]
    assert len(set(inputs)) == len(inputs), "two cases test the same input"


def test_the_table_s_inputs_are_one_change_from_valid() -> None:
    # The helpers build valid scenes: each rejection above is due to the field named.
    decode_scene(_scene())
    decode_scene(_text())
    decode_scene(_image(ASSET))
    decode_scene(_layers(256))


def test_configured_layer_limit() -> None:
    limits = Limits(max_layers=4)
    decode_scene(_layers(4), limits=limits)
    with pytest.raises(SceneValidationError) as info:
        decode_scene(_layers(5), limits=limits)
    assert (info.value.path, info.value.reason) == ("layers", "must have at most 4 layers")


def test_largest_canvas_and_extremes_are_accepted() -> None:
    scene = decode_scene({"width": 7680, "height": 4320, "fps": 120, **_text(size_px=1024)})
    assert (scene.width, scene.height, scene.fps) == (7680, 4320, Fraction(120))
    decode_scene({"fps": 1, **_scene(crop={"left": 0.49, "right": 0.5}, opacity=0)})


# --- ops ------------------------------------------------------------------------------------------

BAD_OPS: list[tuple[str, Any, str, str]] = [
    ("ops-not-array", {"op": "add"}, "ops", "must be an array"),
    ("op-not-object", ["add"], "ops[0]", "must be an object"),
    ("op-unknown", [{"op": "move", "id": "a"}], "ops[0].op", "must be one of add, update, remove"),
    ("op-missing", [{"id": "a"}], "ops[0].op", "must be one of"),
    ("add-without-layer", [{"op": "add"}], "ops[0].layer", "is required"),
    ("add-bad-layer", [{"op": "add", "layer": {"id": "a", "kind": "color",
                                               "content": {"color": "#FF0000"}, "z": "top"}}],
     "ops[0].layer.z", "must be an integer"),
    ("add-extra-field", [{"op": "add", "layer": {}, "id": "a"}], "ops[0].id", "unknown field"),
    ("remove-bad-id", [{"op": "remove", "id": "../a"}], "ops[0].id", "must be an id"),
    ("remove-extra-field", [{"op": "remove", "id": "a", "patch": {}}], "ops[0].patch",
     "unknown field"),
    ("update-patch-not-object", [{"op": "remove", "id": "a"}, {"op": "update", "id": "a",
                                                               "patch": [1]}],
     "ops[1].patch", "must be an object"),
    ("update-without-id", [{"op": "update", "patch": {}}], "ops[0].id", "must be an id"),
]


@pytest.mark.parametrize(("value", "path", "reason"), [case[1:] for case in BAD_OPS],
                         ids=[case[0] for case in BAD_OPS])
def test_bad_ops_are_rejected_with_their_path(value: Any, path: str, reason: str) -> None:
    with pytest.raises(SceneValidationError) as info:
        decode_ops(value)
    assert info.value.path == path
    assert reason in info.value.reason


def test_op_decoding_keeps_the_patch_as_sent() -> None:
    op = decode_op({"op": "update", "id": "a", "patch": {"transform": {"x": None}}}, "ops[0]")
    assert op == UpdateLayer("a", {"transform": {"x": None}})
    assert decode_op({"op": "remove", "id": "a"}, "ops[0]") == RemoveLayer("a")


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


def test_the_first_bad_field_in_document_order_is_reported() -> None:
    # Fast paths must not change which error wins: content comes before opacity and z.
    value = _scene(content={"color": "nope"}, opacity=5, z="top")
    with pytest.raises(SceneValidationError) as info:
        decode_scene(value)
    assert info.value.path == "layers[0].content.color"
    value = _scene(transform={"x": "left"}, crop={"left": 2}, opacity=5)
    with pytest.raises(SceneValidationError) as info:
        decode_scene(value)
    assert info.value.path == "layers[0].transform.x"
    with pytest.raises(SceneValidationError) as info:
        decode_scene(_layers(3) | {"width": 15, "fps": 0})
    assert info.value.path == "width"


def test_numbers_are_normalised() -> None:
    value = _scene(opacity=1, z=3.0, transform={"x": 5, "width": 7}, crop={"left": 0})
    layer = decode_scene(value).layers[0]
    assert (type(layer.opacity), type(layer.z)) == (float, int)
    assert (layer.z, layer.transform.x_px, layer.transform.width_px) == (3, 5.0, 7.0)
    assert type(layer.transform.x_px) is float and type(layer.crop.left) is float


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


def test_default_limits_match_the_contract() -> None:
    assert DEFAULT_LIMITS.max_layers == 256
    assert (DEFAULT_LIMITS.max_canvas_width, DEFAULT_LIMITS.max_canvas_height) == (7680, 4320)
