"""The codec's rejections: one table of bad scenes and one of bad ops, each with the exact path
and reason."""


from __future__ import annotations

import json
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

from compositor.errors import SceneValidationError
from compositor.scene import (
    RemoveLayer,
    UpdateLayer,
)
from compositor.scene.codec import (
    DEFAULT_LIMITS,
    Limits,
    decode_op,
    decode_ops,
    decode_scene,
)

PROPERTY = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
ASSET = "a" * 64


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
    ("kind-unknown", _scene(kind="hologram"), "layers[0].kind",
     "must be one of color, image, text, video, audio"),
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


def test_text_that_can_never_be_drawn_is_refused() -> None:
    most = DEFAULT_LIMITS.max_text_raster_px
    cases = [  # (content fields, path, reason fragment)
        ({"text": "x" * 4096, "size_px": 48}, "layers[0].content.text", "too long for one line"),
        ({"text": "\n".join("x" * 200), "size_px": 48}, "layers[0].content.text",
         "too many lines"),
        ({"text": "x", "max_width_px": most + 1}, "layers[0].content.max_width_px",
         f"between 1 and {most}"),
    ]
    for fields, path, reason in cases:
        with pytest.raises(SceneValidationError) as info:
            decode_scene(_text(**fields))
        assert info.value.path == path and reason in info.value.reason, fields
    # The same text wrapped, or smaller, can be drawn.
    decode_scene(_text(text="x " * 2000, size_px=48, max_width_px=1000))
    decode_scene(_text(text="x" * 4096, size_px=8))


def test_an_unknown_field_suggests_the_nearest_known_one() -> None:
    for value, path, hint in ((_scene(opactiy=0.5), "layers[0].opactiy", "'opacity'"),
                              (_scene(transform={"rotation": 5}), "layers[0].transform.rotation",
                               "'rotation_deg'"),
                              ({"backgrund": "#000000"}, "backgrund", "'background'")):
        with pytest.raises(SceneValidationError) as info:
            decode_scene(value)
        assert info.value.path == path
        assert info.value.reason == f"unknown field (did you mean {hint}?)"
    with pytest.raises(SceneValidationError) as info:
        decode_scene(_scene(zzzzzz=1))
    assert info.value.reason == "unknown field"  # nothing near: no guess
