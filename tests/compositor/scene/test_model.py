"""The scene model: the contract's defaults, immutability, draw order."""

from __future__ import annotations

import itertools
from fractions import Fraction

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from compositor.scene import (
    ALIGNS,
    BLENDS,
    KINDS,
    Color,
    ColorContent,
    Crop,
    ImageContent,
    Layer,
    Scene,
    TextContent,
    Transform,
    draw_order,
    find_layer,
    layer_assets,
    scene_assets,
)
from tests.strategies import scenes


def _layer(layer_id: str, z: int = 0) -> Layer:
    return Layer(id=layer_id, kind="color", content=ColorContent(Color(1, 2, 3)), z=z)


def test_layer_defaults_are_the_contract_s() -> None:
    layer = Layer(id="a", kind="image", content=ImageContent("f" * 64))
    assert layer.name is None
    assert layer.transform == Transform(
        x_px=0.0, y_px=0.0, width_px=None, height_px=None, anchor_x=0.0, anchor_y=0.0,
        scale_x=1.0, scale_y=1.0, rotation_deg=0.0,
    )
    assert layer.crop == Crop(left=0.0, top=0.0, right=0.0, bottom=0.0)
    assert (layer.opacity, layer.blend, layer.visible, layer.z) == (1.0, "normal", True, 0)


def test_scene_and_text_defaults_are_the_contract_s() -> None:
    scene = Scene()
    assert (scene.version, scene.width, scene.height, scene.fps) == (0, 1920, 1080, Fraction(60))
    assert scene.background == Color(0, 0, 0, 255)
    assert scene.layers == ()
    text = TextContent(text="x")
    assert (text.font, text.size_px, text.color, text.align, text.max_width_px) == (
        "sans", 48.0, Color(255, 255, 255, 255), "left", None,
    )


def test_vocabularies() -> None:
    assert KINDS == ("color", "image", "text", "video", "audio")
    assert BLENDS == ("normal", "add", "multiply", "screen")
    assert ALIGNS == ("left", "center", "right")


@pytest.mark.parametrize(
    "value",
    [
        Scene(),
        _layer("a"),
        Transform(),
        Crop(),
        Color(1, 2, 3),
        ColorContent(Color(1, 2, 3)),
        ImageContent("x"),
        TextContent("x"),
    ],
    ids=lambda value: type(value).__name__,
)
def test_everything_is_frozen(value: object) -> None:
    field = msgspec.structs.fields(value)[0].name  # type: ignore[arg-type]
    with pytest.raises(AttributeError):  # frozen msgspec.Struct: "immutable type"
        setattr(value, field, getattr(value, field))
    with pytest.raises((AttributeError, TypeError)):  # slots: no new attributes either
        value.extra = 1  # type: ignore[attr-defined]


def test_defaults_are_not_shared_mutable_state() -> None:
    a, b = _layer("a"), _layer("b")
    assert a.transform == b.transform
    # Frozen values may be shared safely; what matters is that nothing is a list or dict.
    for value in (Scene(), a, a.transform, a.crop):
        for field in msgspec.structs.fields(value):
            assert not isinstance(getattr(value, field.name), list | dict | set), field.name


def test_with_layers_bumps_the_version_unless_asked_not_to() -> None:
    scene = Scene(version=4, layers=(_layer("a"),))
    bumped = scene.with_layers((_layer("b"),))
    assert (bumped.version, [layer.id for layer in bumped.layers]) == (5, ["b"])
    assert scene.with_layers((), bump=False).version == 4
    assert scene.layers == (_layer("a"),), "the original is unchanged"


def test_color_to_floats() -> None:
    assert Color(255, 0, 51, 102).to_floats() == (1.0, 0.0, 0.2, 0.4)
    assert Color(0, 0, 0).a == 255


def test_draw_order_by_z_then_creation() -> None:
    scene = Scene(layers=(_layer("a", 5), _layer("b", -1), _layer("c", 5), _layer("d", 0),
                          _layer("e", -1)))
    assert [layer.id for layer in draw_order(scene)] == ["b", "e", "d", "a", "c"]


@settings(max_examples=100, deadline=None)
@given(scenes(max_layers=8), st.data())
def test_draw_order_is_a_stable_sort_by_z(scene: Scene, data: st.DataObject) -> None:
    # Give many layers equal z so ties are exercised, then check the order pairwise.
    zs = data.draw(st.lists(st.integers(-2, 2), min_size=len(scene.layers),
                            max_size=len(scene.layers)))
    scene = msgspec.structs.replace(scene, layers=tuple(
        msgspec.structs.replace(layer, z=z) for layer, z in zip(scene.layers, zs)
    ))
    ordered = draw_order(scene)
    assert sorted(ordered, key=id) == sorted(scene.layers, key=id)
    created = {layer.id: i for i, layer in enumerate(scene.layers)}
    for low, high in itertools.pairwise(ordered):
        assert (low.z, created[low.id]) < (high.z, created[high.id])


def test_find_layer() -> None:
    scene = Scene(layers=(_layer("a"), _layer("b")))
    assert find_layer(scene, "b") is scene.layers[1]
    assert find_layer(scene, "zz") is None


def test_the_assets_a_scene_draws_are_walked_in_one_place() -> None:
    image = Layer(id="i", kind="image", content=ImageContent("a" * 64))
    custom = Layer(id="t", kind="text", content=TextContent(text="x", font="f" * 64))
    builtin = Layer(id="b", kind="text", content=TextContent(text="x", font="sans-bold"))
    leaving = Layer(id="e", kind="image", content=ImageContent("e" * 64))
    scene = Scene(layers=(image, custom, builtin), exiting=(leaving,))
    assert layer_assets(image) == ("a" * 64,) and layer_assets(builtin) == ()
    assert scene_assets(scene) == {"a" * 64, "f" * 64, "e" * 64}  # exiting layers still draw
