"""The codec: lossless round trips for every valid scene, and precise rejections of bad input."""

from __future__ import annotations

import copy
import json
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from compositor.errors import SceneValidationError
from compositor.scene import (
    AddLayer,
    Color,
    ImageContent,
    Layer,
    Op,
    RemoveLayer,
    Scene,
    TextContent,
    UpdateLayer,
)
from compositor.scene.codec import (
    DEFAULT_LIMITS,
    decode_layer,
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
from tests.strategies import layers, scenes, valid_layer_json

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
        (12.5, Fraction(25, 2), 12.5),
        ("30000/1001", Fraction(30000, 1001), 30000 / 1001),
        ("50/1", Fraction(50), 50),
        # Decimal NTSC rates mean N*1000/1001, as every broadcast tool reads them.
        (29.97, Fraction(30000, 1001), 30000 / 1001),
        (59.94, Fraction(60000, 1001), 60000 / 1001),
        (23.976, Fraction(24000, 1001), 24000 / 1001),
        (119.88, Fraction(120000, 1001), 120000 / 1001),
    ],
)
def test_parse_fps(value: int | float | str, fps: Fraction, encoded: float) -> None:
    assert parse_fps(value) == fps
    assert format_fps(fps) == encoded
    assert parse_fps(format_fps(fps)) == fps
    assert isinstance(format_fps(fps), (int, float))  # one type: always a JSON number


def test_a_fraction_that_a_number_cannot_carry_is_refused() -> None:
    with pytest.raises(SceneValidationError, match="cannot be carried exactly"):
        parse_fps("2997/100")  # reads as 29.97, which means 30000/1001


def test_default_limits_match_the_contract() -> None:
    assert DEFAULT_LIMITS.max_layers == 256
    assert (DEFAULT_LIMITS.max_canvas_width, DEFAULT_LIMITS.max_canvas_height) == (7680, 4320)
