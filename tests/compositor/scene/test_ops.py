"""Applying ops: all or nothing, version + 1, each op's effect visible, inputs untouched."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from msgspec.structs import replace

from compositor.errors import (
    DuplicateLayerError,
    LayerNotFoundError,
    SceneError,
    SceneValidationError,
)
from compositor.scene import (
    AddLayer,
    Color,
    ColorContent,
    Layer,
    Op,
    RemoveLayer,
    Scene,
    TextContent,
    Transform,
    UpdateLayer,
)
from compositor.scene.codec import Limits, decode_layer, encode_layer
from compositor.scene.ops import apply_ops, merge_patch
from tests.strategies import json_values, op_lists, scenes

PROPERTY = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _color(layer_id: str, z: int = 0, hex_rgb: int = 0xFF0000) -> Layer:
    color = Color((hex_rgb >> 16) & 255, (hex_rgb >> 8) & 255, hex_rgb & 255)
    return Layer(id=layer_id, kind="color", content=ColorContent(color), z=z)


SCENE = Scene(version=7, layers=(_color("a"), _color("b", z=2), _color("c", z=-1)))


# --- the model: an independent, obviously-correct re-statement of what apply_ops means ----------


def _rfc7396(target: Any, patch: Any) -> Any:
    """RFC 7396 section 2, transcribed."""
    if isinstance(patch, dict):
        if not isinstance(target, dict):
            target = {}
        target = dict(target)
        for name, value in patch.items():
            if value is None:
                target.pop(name, None)
            else:
                target[name] = _rfc7396(target.get(name), value)
        return target
    return patch


def _expected(scene: Scene, ops: Sequence[Op]) -> tuple[int, type[SceneError]] | list[Layer]:
    """Either the layers apply_ops must produce, or (index of the failing op, error type)."""
    layers = list(scene.layers)
    for i, op in enumerate(ops):
        ids = [layer.id for layer in layers]
        if isinstance(op, AddLayer):
            if op.layer.id in ids:
                return i, DuplicateLayerError
            layers.append(op.layer)
        elif op.id not in ids:
            return i, LayerNotFoundError
        elif isinstance(op, RemoveLayer):
            del layers[ids.index(op.id)]
        else:
            old = layers[ids.index(op.id)]
            if op.patch.get("id", op.id) != op.id:
                return i, SceneValidationError
            base = encode_layer(old)
            if op.patch.get("kind", old.kind) != old.kind:
                base.pop("content")  # a kind change replaces the content (documented rule)
            merged = _rfc7396(base, op.patch)
            merged["id"] = op.id
            try:
                layers[ids.index(op.id)] = decode_layer(merged)
            except SceneValidationError:
                return i, SceneValidationError
    return layers


@PROPERTY
@given(scenes(max_layers=5), st.data())
def test_ops_apply_fully_or_not_at_all(scene: Scene, data: st.DataObject) -> None:
    ops = data.draw(op_lists(scene))
    scene_before, ops_before = copy.deepcopy(scene), copy.deepcopy(ops)
    expected = _expected(scene, ops)
    try:
        result = apply_ops(scene, ops)
    except SceneError as exc:
        assert isinstance(expected, tuple), f"unexpected {exc!r}"
        index, error_type = expected
        assert type(exc) is error_type
        assert exc.path.startswith(f"ops[{index}]")
        assert exc.reason
    else:
        assert isinstance(expected, list), f"expected {expected}"
        assert result.version == scene.version + 1
        assert result.layers == tuple(expected)
        # Nothing else of the scene changes.
        assert result == replace(scene, version=scene.version + 1, layers=tuple(expected))
    # Inputs are immutable, and apply_ops keeps no reference it could change later.
    assert scene == scene_before
    assert ops == ops_before


def test_the_property_sees_both_outcomes() -> None:
    # A guard on the generator: the property above is worthless if every op list fails (or
    # every one succeeds). Sample op lists and check that both outcomes are common.
    outcomes = {"ok": 0, "error": 0}

    @settings(max_examples=150, deadline=None, database=None)
    @given(scenes(max_layers=4), st.data())
    def sample(scene: Scene, data: st.DataObject) -> None:
        ops = data.draw(op_lists(scene, max_ops=3))
        outcomes["ok" if isinstance(_expected(scene, ops), list) else "error"] += 1

    sample()
    assert outcomes["ok"] >= 20 and outcomes["error"] >= 20, outcomes


# --- each op, by example --------------------------------------------------------------------------


def test_add_appends_in_creation_order_and_bumps_version() -> None:
    result = apply_ops(SCENE, [AddLayer(_color("d")), AddLayer(_color("e"))])
    assert [layer.id for layer in result.layers] == ["a", "b", "c", "d", "e"]
    assert result.version == 8
    assert SCENE.version == 7 and len(SCENE.layers) == 3


def test_empty_op_list_still_makes_a_new_version() -> None:
    result = apply_ops(SCENE, [])
    assert result.version == SCENE.version + 1
    assert result.layers == SCENE.layers


def test_update_merges_patch_and_validates_the_result() -> None:
    result = apply_ops(SCENE, [UpdateLayer("b", {"opacity": 0.25, "transform": {"x": 10}})])
    b = result.layers[1]
    assert (b.opacity, b.transform) == (0.25, Transform(x_px=10.0))
    assert result.layers[0] is SCENE.layers[0], "untouched layers are shared, not copied"


def test_update_null_resets_a_field_to_its_default() -> None:
    scene = apply_ops(SCENE, [UpdateLayer("a", {"transform": {"width": 300, "x": 5}})])
    result = apply_ops(scene, [UpdateLayer("a", {"transform": {"width": None}})])
    assert result.layers[0].transform == Transform(x_px=5.0)


def test_update_can_change_kind_with_new_content() -> None:
    patch: dict[str, object] = {"kind": "text", "content": {"text": "hello", "size_px": 20}}
    result = apply_ops(SCENE, [UpdateLayer("a", patch)])
    assert result.layers[0].content == TextContent(text="hello", size_px=20.0)
    with pytest.raises(SceneValidationError) as info:
        apply_ops(SCENE, [UpdateLayer("a", {"kind": "text"})])
    assert info.value.path == "ops[0].patch.content"


def test_remove_then_add_same_id_in_one_commit() -> None:
    result = apply_ops(SCENE, [RemoveLayer("a"), AddLayer(_color("a", hex_rgb=0x00FF00))])
    assert [layer.id for layer in result.layers] == ["b", "c", "a"]


def test_later_ops_see_earlier_ones() -> None:
    ops: list[Op] = [AddLayer(_color("d")), UpdateLayer("d", {"z": 9}), RemoveLayer("b")]
    result = apply_ops(SCENE, ops)
    assert [(layer.id, layer.z) for layer in result.layers] == [("a", 0), ("c", -1), ("d", 9)]


# --- each failure, with its error type and path ---------------------------------------------------


@pytest.mark.parametrize(
    ("ops", "error", "path", "reason"),
    [
        ([UpdateLayer("zz", {"opacity": 0.5})], LayerNotFoundError, "ops[0].id", "'zz'"),
        ([RemoveLayer("a"), RemoveLayer("a")], LayerNotFoundError, "ops[1].id", "'a'"),
        ([AddLayer(_color("b"))], DuplicateLayerError, "ops[0].layer.id", "'b' exists"),
        ([AddLayer(_color("d")), AddLayer(_color("d"))], DuplicateLayerError, "ops[1].layer.id",
         "exists"),
        ([UpdateLayer("a", {"id": "b"})], SceneValidationError, "ops[0].patch.id",
         "cannot be changed"),
        ([UpdateLayer("a", {"opacity": 2})], SceneValidationError, "ops[0].patch.opacity",
         "between 0 and 1"),
        ([UpdateLayer("a", {"transform": {"scale_x": "big"}})], SceneValidationError,
         "ops[0].patch.transform.scale_x", "must be a number"),
        ([UpdateLayer("a", {"colour": "#FFFFFF"})], SceneValidationError, "ops[0].patch.colour",
         "unknown field"),
        ([UpdateLayer("a", {"crop": {"left": 0.6, "right": 0.6}})], SceneValidationError,
         "ops[0].patch.crop.right", "less than 1"),
        ([AddLayer(_color("d")), UpdateLayer("a", {"blend": "xor"})], SceneValidationError,
         "ops[1].patch.blend", "must be one of"),
    ],
)
def test_failing_op_reports_its_index_and_changes_nothing(
    ops: list[Op], error: type[SceneError], path: str, reason: str
) -> None:
    before = copy.deepcopy(SCENE)
    with pytest.raises(error) as info:
        apply_ops(SCENE, ops)
    assert type(info.value) is error
    assert info.value.path == path
    assert reason in info.value.reason
    assert before == SCENE


def test_layer_limit_counts_what_the_commit_leaves() -> None:
    limits = Limits(max_layers=4)
    apply_ops(SCENE, [AddLayer(_color("d"))], limits=limits)
    apply_ops(SCENE, [RemoveLayer("a"), AddLayer(_color("d")), AddLayer(_color("e"))],
              limits=limits)
    with pytest.raises(SceneValidationError) as info:
        apply_ops(SCENE, [AddLayer(_color("d")), AddLayer(_color("e"))], limits=limits)
    assert info.value.path == "ops[1]"
    assert "more than 4 layers" in info.value.reason


# --- merge_patch is RFC 7396 ----------------------------------------------------------------------

# The examples of RFC 7396 appendix A.
RFC_EXAMPLES: list[tuple[Any, Any, Any]] = [
    ({"a": "b"}, {"a": "c"}, {"a": "c"}),
    ({"a": "b"}, {"b": "c"}, {"a": "b", "b": "c"}),
    ({"a": "b"}, {"a": None}, {}),
    ({"a": "b", "b": "c"}, {"a": None}, {"b": "c"}),
    ({"a": ["b"]}, {"a": "c"}, {"a": "c"}),
    ({"a": "c"}, {"a": ["b"]}, {"a": ["b"]}),
    ({"a": {"b": "c"}}, {"a": {"b": "d", "c": None}}, {"a": {"b": "d"}}),
    ({"a": [{"b": "c"}]}, {"a": [1]}, {"a": [1]}),
    (["a", "b"], ["c", "d"], ["c", "d"]),
    ({"a": "b"}, ["c"], ["c"]),
    ({"a": "foo"}, None, None),
    ({"a": "foo"}, "bar", "bar"),
    ({"e": None}, {"a": 1}, {"e": None, "a": 1}),
    ([1, 2], {"a": "b", "c": None}, {"a": "b"}),
    ({}, {"a": {"bb": {"ccc": None}}}, {"a": {"bb": {}}}),
]


@pytest.mark.parametrize(("target", "patch", "result"), RFC_EXAMPLES)
def test_merge_patch_rfc_examples(target: Any, patch: Any, result: Any) -> None:
    target_before, patch_before = copy.deepcopy(target), copy.deepcopy(patch)
    assert merge_patch(target, patch) == result
    assert (target, patch) == (target_before, patch_before)


@settings(max_examples=200, deadline=None)
@given(json_values(), json_values())
def test_merge_patch_matches_the_rfc_and_does_not_alias(target: Any, patch: Any) -> None:
    patch_before = copy.deepcopy(patch)
    result = merge_patch(target, patch)
    assert _same(result, _rfc7396(target, patch))
    # Changing the result must not reach back into the patch (the op keeps it).
    _scribble(result)
    assert _same(patch, patch_before)


def _same(a: Any, b: Any) -> bool:
    """Equality where NaN equals NaN (json_values makes NaNs)."""
    return repr(a) == repr(b)


def _scribble(value: Any) -> None:
    if isinstance(value, dict):
        for key in list(value):
            _scribble(value[key])
        value["__scribbled__"] = True
    elif isinstance(value, list):
        for item in value:
            _scribble(item)
        value.append("__scribbled__")
