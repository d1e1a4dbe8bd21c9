"""JSON <-> scene: the one codec that HTTP, WebSocket, the store and the CLI all use.

Decoding validates everything and raises :class:`SceneValidationError` with the JSON path of the
first bad field and a reason a person understands. Encoding is the inverse, so
``decode_scene(encode_scene(s)) == s`` for every valid scene. Colours are always written as
``#RRGGBBAA``; fractional frame rates as ``"30000/1001"``.

This module owns scenes and ops, and re-exports the public names of the codec's parts, so that
``compositor.scene.codec`` stays the one import: ``fields`` (limits, the table of bounded numbers,
readers, colours, frame rates), ``layer`` (layers), ``clip`` (the content of video and audio
layers), ``animation`` (animation fields), ``schema`` (JSON Schema of layers, ops and scenes, and
the limits document, made from the others, with ``schema_parts`` and ``clip_schema``). Together
they import nothing of ours but the scene model, the errors, the (pure) easing names and msgspec.

Animation fields (docs/animation.md) are encoded only when set, so a scene without animation
encodes exactly as before. ``tweens``, ``entering``, ``leaving`` (on layers) and ``exiting`` (on
the scene) are runtime state that ``apply_ops`` manages: they are encoded so that the store keeps
them, and decoding accepts them, but clients need not send them.
"""

from __future__ import annotations

from collections.abc import Mapping

from compositor.errors import SceneValidationError
from compositor.scene import AddLayer, Animate, Layer, Op, RemoveLayer, Scene, UpdateLayer
from compositor.scene.codec.animation import (
    RUNTIME_LAYER_FIELDS,
    decode_animate,
    encode_animate,
    property_range,
)
from compositor.scene.codec.clip import CLIP_KINDS, CLIP_ONLY_FIELDS
from compositor.scene.codec.fields import (
    CLIP_NUMBERS,
    DEFAULT_LIMITS,
    ID_PATTERN,
    IdFactory,
    Json,
    Limits,
    NumberSpec,
    format_color,
    format_fps,
    join_path,
    number_fields,
    parse_color,
    parse_fps,
    read_choice,
    read_identifier,
    read_integer,
    read_list,
    read_object,
    type_name,
)
from compositor.scene.codec.layer import decode_layer, encode_layer
from compositor.scene.codec.schema import (
    component_schemas,
    layer_schema,
    limits_document,
    op_schema,
    scene_schema,
)

__all__ = [
    "CLIP_KINDS",
    "CLIP_NUMBERS",
    "CLIP_ONLY_FIELDS",
    "DEFAULT_LIMITS",
    "ID_PATTERN",
    "RUNTIME_LAYER_FIELDS",
    "Limits",
    "NumberSpec",
    "component_schemas",
    "decode_animate",
    "decode_layer",
    "decode_op",
    "decode_ops",
    "decode_scene",
    "encode_animate",
    "encode_layer",
    "encode_op",
    "encode_scene",
    "format_color",
    "format_fps",
    "layer_schema",
    "limits_document",
    "number_fields",
    "op_schema",
    "parse_color",
    "parse_fps",
    "property_range",
    "scene_schema",
]

_SCENE_FIELDS = frozenset(
    {"version", "width", "height", "fps", "background", "layers", "exiting"}
)

# --- scenes --------------------------------------------------------------------------------------


def _decode_canvas(obj: Mapping[str, Json], limits: Limits) -> tuple[int, int]:
    sizes = []
    for key, hi in (("width", limits.max_canvas_width), ("height", limits.max_canvas_height)):
        size = read_integer(obj.get(key, 1920 if key == "width" else 1080), key, 16, hi)
        if size % 2:
            raise SceneValidationError(key, "must be even (4:2:0 video needs even sizes)")
        sizes.append(size)
    return sizes[0], sizes[1]


def decode_scene(
    value: Json, *, limits: Limits = DEFAULT_LIMITS, new_id: IdFactory | None = None
) -> Scene:
    """A whole scene from JSON; ``version`` may be omitted (0)."""
    obj = read_object(value, "", _SCENE_FIELDS)
    width, height = _decode_canvas(obj, limits)
    layers_json = obj.get("layers", [])
    if not isinstance(layers_json, list):
        raise SceneValidationError("layers", f"must be an array, got {type_name(layers_json)}")
    if len(layers_json) > limits.max_layers:
        raise SceneValidationError("layers", f"must have at most {limits.max_layers} layers")
    layers: list[Layer] = []
    seen: set[str] = set()
    for i, item in enumerate(layers_json):
        layer = decode_layer(item, f"layers[{i}]", limits=limits, new_id=new_id)
        if layer.id in seen:
            raise SceneValidationError(f"layers[{i}].id", f"duplicate id {layer.id!r}")
        seen.add(layer.id)
        layers.append(layer)
    exiting: list[Layer] = []
    for i, item in enumerate(read_list(obj.get("exiting", []), "exiting", limits.max_layers)):
        layer = decode_layer(item, f"exiting[{i}]", limits=limits)
        if layer.id in seen:
            raise SceneValidationError(f"exiting[{i}].id", f"duplicate id {layer.id!r}")
        seen.add(layer.id)
        exiting.append(layer)
    return Scene(
        version=read_integer(obj.get("version", 0), "version", 0, 2**53),
        width=width,
        height=height,
        fps=parse_fps(obj.get("fps", 60)),
        background=parse_color(obj.get("background", "#000000FF"), "background"),
        layers=tuple(layers),
        exiting=tuple(exiting),
    )


def encode_scene(scene: Scene) -> dict[str, Json]:
    """The JSON form of a scene; ``exiting`` (runtime state) only when there are such layers."""
    value: dict[str, Json] = {
        "version": scene.version,
        "width": scene.width,
        "height": scene.height,
        "fps": format_fps(scene.fps),
        "background": format_color(scene.background),
        "layers": [encode_layer(layer) for layer in scene.layers],
    }
    if scene.exiting:
        value["exiting"] = [encode_layer(layer) for layer in scene.exiting]
    return value


# --- ops -----------------------------------------------------------------------------------------


def decode_op(
    value: Json, path: str, *, limits: Limits = DEFAULT_LIMITS, new_id: IdFactory | None = None
) -> Op:
    """One op: ``add`` (a whole layer), ``update`` (id + merge patch) or ``remove`` (id).

    Any op may carry ``animate`` (see :func:`decode_animate`); null is the same as leaving it out.
    """
    if not isinstance(value, dict):
        raise SceneValidationError(path, f"must be an object, got {type_name(value)}")
    kind = read_choice(value.get("op"), join_path(path, "op"), ("add", "update", "remove"))
    animate_json = value.get("animate")
    if kind == "add":
        read_object(value, path, frozenset({"op", "layer", "animate"}))
        if "layer" not in value:
            raise SceneValidationError(join_path(path, "layer"), "is required")
        layer = decode_layer(value["layer"], join_path(path, "layer"), limits=limits, new_id=new_id)
        return AddLayer(layer, _op_animate(animate_json, path, limits))
    if kind == "remove":
        read_object(value, path, frozenset({"op", "id", "animate"}))
        layer_id = read_identifier(value.get("id"), join_path(path, "id"))
        return RemoveLayer(layer_id, _op_animate(animate_json, path, limits))
    read_object(value, path, frozenset({"op", "id", "patch", "animate"}))
    layer_id = read_identifier(value.get("id"), join_path(path, "id"))
    patch = value.get("patch")
    if not isinstance(patch, dict):
        raise SceneValidationError(
            join_path(path, "patch"), "must be an object (a JSON merge patch)"
        )
    return UpdateLayer(layer_id, patch, _op_animate(animate_json, path, limits))


def _op_animate(value: Json, path: str, limits: Limits) -> Animate | None:
    if value is None:
        return None
    return decode_animate(value, join_path(path, "animate"), limits=limits)


def decode_ops(
    value: Json,
    path: str = "ops",
    *,
    limits: Limits = DEFAULT_LIMITS,
    new_id: IdFactory | None = None,
) -> tuple[Op, ...]:
    if not isinstance(value, list):
        raise SceneValidationError(path, f"must be an array, got {type_name(value)}")
    if len(value) > 4 * limits.max_layers:
        raise SceneValidationError(path, f"must have at most {4 * limits.max_layers} ops")
    return tuple(
        decode_op(item, f"{path}[{i}]", limits=limits, new_id=new_id)
        for i, item in enumerate(value)
    )


def encode_op(op: Op) -> dict[str, Json]:
    """The JSON form of an op; ``animate`` only when the op has one."""
    value: dict[str, Json]
    if isinstance(op, AddLayer):
        value = {"op": "add", "layer": encode_layer(op.layer)}
    elif isinstance(op, UpdateLayer):
        value = {"op": "update", "id": op.id, "patch": op.patch}
    else:
        value = {"op": "remove", "id": op.id}
    if op.animate is not None:
        value["animate"] = encode_animate(op.animate)
    return value
