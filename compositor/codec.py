"""JSON <-> scene: the one codec that HTTP, WebSocket, the store and the CLI all use.

Decoding validates everything and raises :class:`SceneValidationError` with the JSON path of the
first bad field and a reason a person understands. Encoding is the inverse, so
``decode_scene(encode_scene(s)) == s`` for every valid scene. Colours are always written as
``#RRGGBBAA``; fractional frame rates as ``"30000/1001"``.

This module imports nothing of ours but the scene model and the errors.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, cast

from compositor.errors import SceneValidationError
from compositor.scene import (
    ALIGNS,
    BLENDS,
    KINDS,
    AddLayer,
    Color,
    ColorContent,
    Content,
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

__all__ = [
    "DEFAULT_LIMITS",
    "ID_PATTERN",
    "Limits",
    "decode_layer",
    "decode_op",
    "decode_ops",
    "decode_scene",
    "encode_layer",
    "encode_op",
    "encode_scene",
    "format_color",
    "format_fps",
    "parse_color",
    "parse_fps",
]

ID_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,64}")
_COLOR_PATTERN = re.compile(r"#([0-9A-Fa-f]{6}|[0-9A-Fa-f]{8})")
_FPS_PATTERN = re.compile(r"([0-9]{1,6})/([0-9]{1,6})")

Json = Any  # decoded JSON: dict / list / str / int / float / bool / None
IdFactory = Callable[[], str]


@dataclass(frozen=True, slots=True)
class Limits:
    """Bounds that keep one request from hurting the renderer. Defaults match CONTRACT.md."""

    max_layers: int = 256
    max_text_chars: int = 4096
    max_name_chars: int = 256
    min_size_px: float = 1.0
    max_size_px: float = 1024.0
    max_canvas_width: int = 7680
    max_canvas_height: int = 4320
    max_coordinate_px: float = 1_000_000.0
    max_box_px: float = 65_536.0
    max_scale: float = 1000.0
    max_z: int = 1_000_000


DEFAULT_LIMITS = Limits()

_LAYER_FIELDS = frozenset(
    {"id", "name", "kind", "content", "transform", "crop", "opacity", "blend", "visible", "z"}
)
_SCENE_FIELDS = frozenset({"version", "width", "height", "fps", "background", "layers"})
_TRANSFORM_FIELDS = frozenset(
    {"x", "y", "width", "height", "anchor_x", "anchor_y", "scale_x", "scale_y", "rotation_deg"}
)
_CROP_FIELDS = ("left", "top", "right", "bottom")
_TEXT_FIELDS = frozenset({"text", "font", "size_px", "color", "align", "max_width_px"})


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


# --- primitive readers ---------------------------------------------------------------------------


def _object(value: Json, path: str, allowed: frozenset[str]) -> Mapping[str, Json]:
    if not isinstance(value, dict):
        raise SceneValidationError(path, f"must be an object, got {_type_name(value)}")
    for key in value:
        if key not in allowed:
            raise SceneValidationError(_join(path, str(key)), "unknown field")
    return cast(Mapping[str, Json], value)


def _type_name(value: Json) -> str:
    if value is None:
        return "null"
    return {bool: "boolean", int: "integer", float: "number", str: "string", list: "array"}.get(
        type(value), "object" if isinstance(value, dict) else type(value).__name__
    )


def _number(value: Json, path: str, lo: float, hi: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise SceneValidationError(path, f"must be a number, got {_type_name(value)}")
    try:
        number = float(value)
    except OverflowError:  # json.loads makes ints of any size; 10**400 has no float
        raise SceneValidationError(path, "must be a finite number") from None
    if not math.isfinite(number):
        raise SceneValidationError(path, "must be a finite number")
    if not lo <= number <= hi:
        raise SceneValidationError(path, f"must be between {_fmt(lo)} and {_fmt(hi)}")
    return number


def _fmt(bound: float) -> str:
    return str(int(bound)) if float(bound).is_integer() else str(bound)


def _optional_number(value: Json, path: str, lo: float, hi: float) -> float | None:
    return None if value is None else _number(value, path, lo, hi)


def _integer(value: Json, path: str, lo: int, hi: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, float) and math.isfinite(value) and value.is_integer():
            value = int(value)
        else:
            raise SceneValidationError(path, f"must be an integer, got {_type_name(value)}")
    number = int(value)
    if not lo <= number <= hi:
        raise SceneValidationError(path, f"must be between {lo} and {hi}")
    return number


def _string(value: Json, path: str, max_chars: int) -> str:
    if not isinstance(value, str):
        raise SceneValidationError(path, f"must be a string, got {_type_name(value)}")
    if len(value) > max_chars:
        raise SceneValidationError(path, f"must be at most {max_chars} characters")
    return value


def _choice(value: Json, path: str, choices: tuple[str, ...]) -> str:
    if not isinstance(value, str) or value not in choices:
        raise SceneValidationError(path, f"must be one of {', '.join(choices)}")
    return value


def _identifier(value: Json, path: str, what: str = "an id") -> str:
    if not isinstance(value, str) or not ID_PATTERN.fullmatch(value):
        raise SceneValidationError(
            path, f"must be {what}: 1 to 64 letters, digits, '-' or '_'"
        )
    return value


def _boolean(value: Json, path: str) -> bool:
    if not isinstance(value, bool):
        raise SceneValidationError(path, f"must be true or false, got {_type_name(value)}")
    return value


# --- colours and rates ---------------------------------------------------------------------------


def parse_color(value: Json, path: str = "") -> Color:
    """``#RRGGBB`` or ``#RRGGBBAA`` (sRGB, straight alpha) to a :class:`Color`."""
    if not isinstance(value, str) or not _COLOR_PATTERN.fullmatch(value):
        raise SceneValidationError(path, "must be a colour like #RRGGBB or #RRGGBBAA")
    digits = value[1:] + ("FF" if len(value) == 7 else "")
    r, g, b, a = (int(digits[i : i + 2], 16) for i in range(0, 8, 2))
    return Color(r, g, b, a)


def format_color(color: Color) -> str:
    return f"#{color.r:02X}{color.g:02X}{color.b:02X}{color.a:02X}"


def parse_fps(value: Json, path: str = "fps") -> Fraction:
    """A frame rate: an integer, a number such as 29.97, or ``"30000/1001"``; 1 to 120."""
    if isinstance(value, str):
        match = _FPS_PATTERN.fullmatch(value)
        if match is None or int(match.group(2)) == 0:
            raise SceneValidationError(path, "must be a number or a fraction like 30000/1001")
        fps = Fraction(int(match.group(1)), int(match.group(2)))
    else:
        fps = _rate(_number(value, path, 1.0, 120.0))
    if not 1 <= fps <= 120:
        raise SceneValidationError(path, "must be between 1 and 120")
    return fps


def _rate(number: float) -> Fraction:
    """A decimal frame rate as a fraction; 29.97, 59.94, 23.976... mean the NTSC N*1000/1001."""
    ntsc = round(number * 1.001)
    # limit_denominator alone would keep 29.97 as 2997/100: decimal rates near N*1000/1001 are
    # how people write the NTSC rates, so those snap (the next representable rate is far away).
    if not number.is_integer() and abs(number - ntsc * 1000 / 1001) < 0.005:
        return Fraction(ntsc * 1000, 1001)
    return Fraction(number).limit_denominator(1001)


def format_fps(fps: Fraction) -> int | str:
    return fps.numerator if fps.denominator == 1 else f"{fps.numerator}/{fps.denominator}"


# --- layers --------------------------------------------------------------------------------------


def _decode_content(kind: str, value: Json, path: str, limits: Limits) -> Content:
    if kind == "color":
        obj = _object(value, path, frozenset({"color"}))
        if "color" not in obj:
            raise SceneValidationError(_join(path, "color"), "is required")
        return ColorContent(parse_color(obj["color"], _join(path, "color")))
    if kind == "image":
        obj = _object(value, path, frozenset({"asset"}))
        if "asset" not in obj:
            raise SceneValidationError(_join(path, "asset"), "is required")
        asset = _identifier(obj["asset"], _join(path, "asset"), "an asset id (not a path or URL)")
        return ImageContent(asset)
    obj = _object(value, path, _TEXT_FIELDS)
    if "text" not in obj:
        raise SceneValidationError(_join(path, "text"), "is required")
    default = TextContent(text="")
    return TextContent(
        text=_string(obj["text"], _join(path, "text"), limits.max_text_chars),
        font=_identifier(obj.get("font", default.font), _join(path, "font"), "a font name or id"),
        size_px=_number(
            obj.get("size_px", default.size_px),
            _join(path, "size_px"),
            limits.min_size_px,
            limits.max_size_px,
        ),
        color=parse_color(obj["color"], _join(path, "color")) if "color" in obj else default.color,
        align=cast(Any, _choice(obj.get("align", default.align), _join(path, "align"), ALIGNS)),
        max_width_px=_optional_number(
            obj.get("max_width_px"), _join(path, "max_width_px"), 1.0, limits.max_box_px
        ),
    )


def _decode_transform(value: Json, path: str, limits: Limits) -> Transform:
    obj = _object(value, path, _TRANSFORM_FIELDS)
    d = Transform()
    coord = limits.max_coordinate_px

    def num(key: str, default: float, lo: float, hi: float) -> float:
        return _number(obj.get(key, default), _join(path, key), lo, hi)

    return Transform(
        x_px=num("x", d.x_px, -coord, coord),
        y_px=num("y", d.y_px, -coord, coord),
        width_px=_optional_number(obj.get("width"), _join(path, "width"), 0.0, limits.max_box_px),
        height_px=_optional_number(
            obj.get("height"), _join(path, "height"), 0.0, limits.max_box_px
        ),
        anchor_x=num("anchor_x", d.anchor_x, 0.0, 1.0),
        anchor_y=num("anchor_y", d.anchor_y, 0.0, 1.0),
        scale_x=num("scale_x", d.scale_x, -limits.max_scale, limits.max_scale),
        scale_y=num("scale_y", d.scale_y, -limits.max_scale, limits.max_scale),
        rotation_deg=num("rotation_deg", d.rotation_deg, -coord, coord),
    )


def _decode_crop(value: Json, path: str) -> Crop:
    obj = _object(value, path, frozenset(_CROP_FIELDS))
    left, top, right, bottom = (
        _number(obj.get(key, 0.0), _join(path, key), 0.0, 1.0) for key in _CROP_FIELDS
    )
    if left + right >= 1.0:
        raise SceneValidationError(_join(path, "right"), "left + right must be less than 1")
    if top + bottom >= 1.0:
        raise SceneValidationError(_join(path, "bottom"), "top + bottom must be less than 1")
    return Crop(left, top, right, bottom)


def decode_layer(
    value: Json,
    path: str = "layer",
    *,
    limits: Limits = DEFAULT_LIMITS,
    new_id: IdFactory | None = None,
) -> Layer:
    """One layer from JSON. Without an ``id``, ``new_id()`` names it (or it is an error)."""
    obj = _object(value, path, _LAYER_FIELDS)
    if "id" in obj:
        layer_id = _identifier(obj["id"], _join(path, "id"))
    elif new_id is not None:
        layer_id = new_id()
    else:
        raise SceneValidationError(_join(path, "id"), "is required")
    if "kind" not in obj:
        raise SceneValidationError(_join(path, "kind"), "is required")
    kind = _choice(obj["kind"], _join(path, "kind"), KINDS)
    if "content" not in obj:
        raise SceneValidationError(_join(path, "content"), "is required")
    name = obj.get("name")
    return Layer(
        id=layer_id,
        kind=cast(Any, kind),
        content=_decode_content(kind, obj["content"], _join(path, "content"), limits),
        name=None if name is None else _string(name, _join(path, "name"), limits.max_name_chars),
        transform=_decode_transform(obj.get("transform", {}), _join(path, "transform"), limits),
        crop=_decode_crop(obj.get("crop", {}), _join(path, "crop")),
        opacity=_number(obj.get("opacity", 1.0), _join(path, "opacity"), 0.0, 1.0),
        blend=cast(Any, _choice(obj.get("blend", "normal"), _join(path, "blend"), BLENDS)),
        visible=_boolean(obj.get("visible", True), _join(path, "visible")),
        z=_integer(obj.get("z", 0), _join(path, "z"), -limits.max_z, limits.max_z),
    )


def _encode_content(content: Content) -> dict[str, Json]:
    if isinstance(content, ColorContent):
        return {"color": format_color(content.color)}
    if isinstance(content, ImageContent):
        return {"asset": content.asset}
    return {
        "text": content.text,
        "font": content.font,
        "size_px": content.size_px,
        "color": format_color(content.color),
        "align": content.align,
        "max_width_px": content.max_width_px,
    }


def encode_layer(layer: Layer) -> dict[str, Json]:
    """The JSON form of a layer, every field present."""
    t, c = layer.transform, layer.crop
    return {
        "id": layer.id,
        "name": layer.name,
        "kind": layer.kind,
        "content": _encode_content(layer.content),
        "transform": {
            "x": t.x_px,
            "y": t.y_px,
            "width": t.width_px,
            "height": t.height_px,
            "anchor_x": t.anchor_x,
            "anchor_y": t.anchor_y,
            "scale_x": t.scale_x,
            "scale_y": t.scale_y,
            "rotation_deg": t.rotation_deg,
        },
        "crop": {"left": c.left, "top": c.top, "right": c.right, "bottom": c.bottom},
        "opacity": layer.opacity,
        "blend": layer.blend,
        "visible": layer.visible,
        "z": layer.z,
    }


# --- scenes --------------------------------------------------------------------------------------


def _decode_canvas(obj: Mapping[str, Json], limits: Limits) -> tuple[int, int]:
    sizes = []
    for key, hi in (("width", limits.max_canvas_width), ("height", limits.max_canvas_height)):
        size = _integer(obj.get(key, 1920 if key == "width" else 1080), key, 16, hi)
        if size % 2:
            raise SceneValidationError(key, "must be even (4:2:0 video needs even sizes)")
        sizes.append(size)
    return sizes[0], sizes[1]


def decode_scene(
    value: Json, *, limits: Limits = DEFAULT_LIMITS, new_id: IdFactory | None = None
) -> Scene:
    """A whole scene from JSON; ``version`` may be omitted (0)."""
    obj = _object(value, "", _SCENE_FIELDS)
    width, height = _decode_canvas(obj, limits)
    layers_json = obj.get("layers", [])
    if not isinstance(layers_json, list):
        raise SceneValidationError("layers", f"must be an array, got {_type_name(layers_json)}")
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
    return Scene(
        version=_integer(obj.get("version", 0), "version", 0, 2**53),
        width=width,
        height=height,
        fps=parse_fps(obj.get("fps", 60)),
        background=parse_color(obj.get("background", "#000000FF"), "background"),
        layers=tuple(layers),
    )


def encode_scene(scene: Scene) -> dict[str, Json]:
    return {
        "version": scene.version,
        "width": scene.width,
        "height": scene.height,
        "fps": format_fps(scene.fps),
        "background": format_color(scene.background),
        "layers": [encode_layer(layer) for layer in scene.layers],
    }


# --- ops -----------------------------------------------------------------------------------------


def decode_op(
    value: Json, path: str, *, limits: Limits = DEFAULT_LIMITS, new_id: IdFactory | None = None
) -> Op:
    """One op: ``add`` (a whole layer), ``update`` (id + merge patch) or ``remove`` (id)."""
    if not isinstance(value, dict):
        raise SceneValidationError(path, f"must be an object, got {_type_name(value)}")
    kind = _choice(value.get("op"), _join(path, "op"), ("add", "update", "remove"))
    if kind == "add":
        _object(value, path, frozenset({"op", "layer"}))
        if "layer" not in value:
            raise SceneValidationError(_join(path, "layer"), "is required")
        return AddLayer(decode_layer(value["layer"], _join(path, "layer"), limits=limits,
                                     new_id=new_id))
    if kind == "remove":
        _object(value, path, frozenset({"op", "id"}))
        return RemoveLayer(_identifier(value.get("id"), _join(path, "id")))
    _object(value, path, frozenset({"op", "id", "patch"}))
    layer_id = _identifier(value.get("id"), _join(path, "id"))
    patch = value.get("patch")
    if not isinstance(patch, dict):
        raise SceneValidationError(_join(path, "patch"), "must be an object (a JSON merge patch)")
    return UpdateLayer(layer_id, patch)


def decode_ops(
    value: Json,
    path: str = "ops",
    *,
    limits: Limits = DEFAULT_LIMITS,
    new_id: IdFactory | None = None,
) -> tuple[Op, ...]:
    if not isinstance(value, list):
        raise SceneValidationError(path, f"must be an array, got {_type_name(value)}")
    if len(value) > 4 * limits.max_layers:
        raise SceneValidationError(path, f"must have at most {4 * limits.max_layers} ops")
    return tuple(
        decode_op(item, f"{path}[{i}]", limits=limits, new_id=new_id)
        for i, item in enumerate(value)
    )


def encode_op(op: Op) -> dict[str, Json]:
    if isinstance(op, AddLayer):
        return {"op": "add", "layer": encode_layer(op.layer)}
    if isinstance(op, UpdateLayer):
        return {"op": "update", "id": op.id, "patch": op.patch}
    return {"op": "remove", "id": op.id}
