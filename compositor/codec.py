"""JSON <-> scene: the one codec that HTTP, WebSocket, the store and the CLI all use.

Decoding validates everything and raises :class:`SceneValidationError` with the JSON path of the
first bad field and a reason a person understands. Encoding is the inverse, so
``decode_scene(encode_scene(s)) == s`` for every valid scene. Colours are always written as
``#RRGGBBAA``; fractional frame rates as ``"30000/1001"``.

This module imports nothing of ours but the scene model, the errors and the (pure) easing names.

Animation fields (docs/animation.md) are encoded only when set, so a scene without animation
encodes exactly as before. ``tweens``, ``entering``, ``leaving`` (on layers) and ``exiting`` (on
the scene) are runtime state that ``apply_ops`` manages: they are encoded so that the store keeps
them, and decoding accepts them, but clients need not send them.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, cast

from compositor.easing import canonical_easing
from compositor.errors import SceneValidationError
from compositor.scene import (
    ALIGNS,
    ANIMATABLE_PROPERTIES,
    BLENDS,
    EFFECTS,
    KINDS,
    AddLayer,
    Align,
    Animate,
    Blend,
    Color,
    ColorContent,
    Content,
    Crop,
    ImageContent,
    Keyframe,
    KeyframeAnimation,
    Kind,
    Layer,
    Op,
    Phase,
    RemoveLayer,
    Scene,
    TextContent,
    Transform,
    Transition,
    Tween,
    UpdateLayer,
    Value,
)

__all__ = [
    "DEFAULT_LIMITS",
    "ID_PATTERN",
    "RUNTIME_LAYER_FIELDS",
    "Limits",
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
    "parse_color",
    "parse_fps",
    "property_range",
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
    max_animations: int = 64  # keyframe animations per layer
    max_keyframes: int = 1024  # per animation
    max_tweens: int = 64  # runtime tweens per layer (running or waiting for their delay)
    max_duration_frames: int = 10_000_000  # durations, delays and keyframe frames: ~46 h at 60 fps
    max_frame: int = 2**53  # absolute frame numbers (house clock); exact in JSON and in floats


DEFAULT_LIMITS = Limits()

_LAYER_ANIMATION_FIELDS = frozenset(
    {"enter", "exit", "animations", "tweens", "entering", "leaving"}
)
_LAYER_FIELDS = frozenset(
    {"id", "name", "kind", "content", "transform", "crop", "opacity", "blend", "visible", "z"}
    | _LAYER_ANIMATION_FIELDS
)
RUNTIME_LAYER_FIELDS = ("tweens", "entering", "leaving")
"""Layer keys that only the server sets (compositor.animation); patches cannot change them."""
_SCENE_FIELDS = frozenset(
    {"version", "width", "height", "fps", "background", "layers", "exiting"}
)
_TRANSFORM_FIELDS = frozenset(
    {"x", "y", "width", "height", "anchor_x", "anchor_y", "scale_x", "scale_y", "rotation_deg"}
)
_CROP_FIELDS = ("left", "top", "right", "bottom")
_CROP_FIELD_SET = frozenset(_CROP_FIELDS)
_COLOR_FIELDS = frozenset({"color"})
_IMAGE_FIELDS = frozenset({"asset"})
_TEXT_FIELDS = frozenset({"text", "font", "size_px", "color", "align", "max_width_px"})


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


# --- primitive readers ---------------------------------------------------------------------------


def _object(value: Json, path: str, allowed: frozenset[str]) -> Mapping[str, Json]:
    if not isinstance(value, dict):
        raise SceneValidationError(path, f"must be an object, got {_type_name(value)}")
    if not allowed.issuperset(value):
        key = next(key for key in value if key not in allowed)
        raise SceneValidationError(_join(path, str(key)), "unknown field")
    return value


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
    rgba = int(value[1:], 16) if len(value) == 9 else int(value[1:], 16) << 8 | 0xFF
    return Color(rgba >> 24, rgba >> 16 & 0xFF, rgba >> 8 & 0xFF, rgba & 0xFF)


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
        obj = _object(value, path, _COLOR_FIELDS)
        if "color" not in obj:
            raise SceneValidationError(_join(path, "color"), "is required")
        return ColorContent(parse_color(obj["color"], _join(path, "color")))
    if kind == "image":
        obj = _object(value, path, _IMAGE_FIELDS)
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


# Fast paths. Decoding runs per commit over up to 256 layers, so the common case (every value
# present, well typed and in range) is checked inline without building paths or calling the
# readers; anything else falls through to the readers, which find and name the bad field. A fast
# path accepts exactly what its readers accept and returns the same values.
_NumberSpec = tuple[tuple[str, float | None, float, float], ...]  # key, default, lo, hi


@functools.lru_cache(maxsize=16)
def _transform_spec(limits: Limits) -> _NumberSpec:
    """(key, default, lo, hi) in Transform's field order; a None default means optional."""
    coord, box, scale = limits.max_coordinate_px, limits.max_box_px, limits.max_scale
    return (
        ("x", 0.0, -coord, coord),
        ("y", 0.0, -coord, coord),
        ("width", None, 0.0, box),
        ("height", None, 0.0, box),
        ("anchor_x", 0.0, 0.0, 1.0),
        ("anchor_y", 0.0, 0.0, 1.0),
        ("scale_x", 1.0, -scale, scale),
        ("scale_y", 1.0, -scale, scale),
        ("rotation_deg", 0.0, -coord, coord),
    )


_DEFAULT_TRANSFORM_SPEC = _transform_spec(DEFAULT_LIMITS)  # hashing Limits costs: skip it
_CROP_SPEC: _NumberSpec = tuple((key, 0.0, 0.0, 1.0) for key in ("left", "top", "right", "bottom"))


def _fast_numbers(obj: Mapping[str, Json], spec: _NumberSpec) -> list[float | None] | None:
    """The spec's numbers if every one is present-or-defaulted, a real int/float and in range
    (so finite); None as soon as one is not."""
    numbers: list[float | None] = []
    for key, default, lo, hi in spec:
        value = obj.get(key, default)
        kind = type(value)
        if kind is float and lo <= value <= hi:
            numbers.append(value)
        elif kind is int and lo <= value <= hi:
            numbers.append(float(value))
        elif value is None and default is None:
            numbers.append(None)
        else:
            return None
    return numbers


def _decode_transform(value: Json, path: str, limits: Limits) -> Transform:
    obj = _object(value, path, _TRANSFORM_FIELDS)
    spec = _DEFAULT_TRANSFORM_SPEC if limits is DEFAULT_LIMITS else _transform_spec(limits)
    fast = _fast_numbers(obj, spec)
    if fast is not None:
        return Transform(*cast(list[Any], fast))
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
    obj = _object(value, path, _CROP_FIELD_SET)
    fast = _fast_numbers(obj, _CROP_SPEC)
    if fast is not None:
        left, top, right, bottom = cast(list[float], fast)
        if left + right < 1.0 and top + bottom < 1.0:
            return Crop(left, top, right, bottom)
    left, top, right, bottom = (
        _number(obj.get(key, 0.0), _join(path, key), 0.0, 1.0) for key in _CROP_FIELDS
    )
    if left + right >= 1.0:
        raise SceneValidationError(_join(path, "right"), "left + right must be less than 1")
    if top + bottom >= 1.0:
        raise SceneValidationError(_join(path, "bottom"), "top + bottom must be less than 1")
    return Crop(left, top, right, bottom)


# The whole-layer fast path: a well-formed layer without animation fields, all of it checked
# inline, no path strings and few calls. It returns None at the first doubt (a bad or unusual
# value, a field it does not know), and the checked decoder above then decides and names what is
# wrong, so errors come from one place. tests/compositor/test_codec.py checks that the two agree.
_FAST_LAYER_FIELDS = frozenset(
    {"id", "name", "kind", "content", "transform", "crop", "opacity", "blend", "visible", "z"}
)
_NO_FIELDS: dict[str, Json] = {}  # what an absent transform or crop reads as; never mutated
_DEFAULT_TRANSFORM = Transform()  # frozen, so one instance can serve every layer
_DEFAULT_CROP = Crop()
_TEXT_DEFAULTS = TextContent(text="")


# Building the model's objects fast. A frozen dataclass's __init__ stores each field through
# object.__setattr__, about 0.1 µs a field (1.6 µs for a Layer): as much as all the checks of a
# plain layer. The builders below make the same objects 3-5x faster: they fill an instance of a
# plain twin class that declares exactly the model class's __slots__ (so it has the same memory
# layout) with ordinary attribute stores, then relabel it as the model class by assigning
# __class__. CPython allows that only between classes of identical layout (TypeError otherwise);
# the result is an ordinary instance of the model class (equality, hashing, pickling, replace()).
# A builder must set every field: tests/compositor/test_codec.py checks that each one builds an
# object equal to the class's own constructor (a forgotten field fails that comparison).


def _twin(cls: type[Any]) -> type:
    """A plain class with the slots of ``cls`` (a slots dataclass): see the comment above."""
    return type(f"_{cls.__name__}Twin", (), {"__slots__": cls.__slots__})


_LAYER_TWIN, _TRANSFORM_TWIN, _CROP_TWIN = _twin(Layer), _twin(Transform), _twin(Crop)
_TEXT_TWIN, _COLOR_CONTENT_TWIN, _IMAGE_TWIN = (
    _twin(TextContent), _twin(ColorContent), _twin(ImageContent)
)


def _new_layer(
    layer_id: str,
    kind: Kind,
    content: Content,
    name: str | None,
    transform: Transform,
    crop: Crop,
    opacity: float,
    blend: Blend,
    visible: bool,
    z: int,
) -> Layer:
    """``Layer(layer_id, kind, ..., z)``: a layer without animation."""
    layer = _LAYER_TWIN()
    layer.id, layer.kind, layer.content, layer.name = layer_id, kind, content, name
    layer.transform, layer.crop, layer.opacity, layer.blend = transform, crop, opacity, blend
    layer.visible, layer.z = visible, z
    layer.enter = layer.exit = layer.entering = layer.leaving = None
    layer.animations = layer.tweens = ()
    layer.__class__ = Layer
    return cast(Layer, layer)


def _new_transform(numbers: list[float | None]) -> Transform:
    """``Transform(*numbers)``, from the nine numbers in field order."""
    t = _TRANSFORM_TWIN()
    (
        t.x_px, t.y_px, t.width_px, t.height_px, t.anchor_x, t.anchor_y, t.scale_x, t.scale_y,
        t.rotation_deg,
    ) = numbers
    t.__class__ = Transform
    return cast(Transform, t)


def _new_crop(left: float, top: float, right: float, bottom: float) -> Crop:
    crop = _CROP_TWIN()
    crop.left, crop.top, crop.right, crop.bottom = left, top, right, bottom
    crop.__class__ = Crop
    return cast(Crop, crop)


def _new_text(
    text: str, font: str, size_px: float, color: Color, align: Align, max_width_px: float | None
) -> TextContent:
    content = _TEXT_TWIN()
    content.text, content.font, content.size_px, content.color = text, font, size_px, color
    content.align, content.max_width_px = align, max_width_px
    content.__class__ = TextContent
    return cast(TextContent, content)


def _new_color_content(color: Color) -> ColorContent:
    content = _COLOR_CONTENT_TWIN()
    content.color = color
    content.__class__ = ColorContent
    return cast(ColorContent, content)


def _new_image(asset: str) -> ImageContent:
    content = _IMAGE_TWIN()
    content.asset = asset
    content.__class__ = ImageContent
    return cast(ImageContent, content)


@functools.lru_cache(maxsize=1024)
def _cached_color(text: str) -> Color | None:
    """parse_color of a string, None where it would refuse; scenes repeat their colours."""
    return parse_color(text) if _COLOR_PATTERN.fullmatch(text) else None


def _fast_color(value: Json) -> Color | None:
    # Only short strings are cached: a valid colour has at most 9 characters.
    return _cached_color(value) if type(value) is str and len(value) <= 9 else None


def _fast_real(value: Json, lo: float, hi: float) -> bool:
    kind = type(value)
    return (kind is float or kind is int) and lo <= value <= hi


def _fast_content(kind: str, value: Json, limits: Limits) -> Content | None:
    if type(value) is not dict:
        return None
    if kind == "color":
        color = _fast_color(value.get("color")) if len(value) == 1 else None
        return None if color is None else _new_color_content(color)
    if kind == "image":
        asset = value.get("asset")
        if len(value) == 1 and type(asset) is str and ID_PATTERN.fullmatch(asset):
            return _new_image(asset)
        return None
    if kind != "text" or not _TEXT_FIELDS.issuperset(value):
        return None
    d = _TEXT_DEFAULTS
    text, font = value.get("text"), value.get("font", d.font)
    size, align = value.get("size_px", d.size_px), value.get("align", d.align)
    color = _fast_color(value["color"]) if "color" in value else d.color
    width = value.get("max_width_px")
    if (
        type(text) is not str
        or len(text) > limits.max_text_chars
        or type(font) is not str
        or not ID_PATTERN.fullmatch(font)
        or not _fast_real(size, limits.min_size_px, limits.max_size_px)
        or color is None
        or type(align) is not str
        or align not in ALIGNS
        or (width is not None and not _fast_real(width, 1.0, limits.max_box_px))
    ):
        return None
    return _new_text(
        text, font, float(size), color, align, None if width is None else float(width)
    )


def _fast_transform(value: Json, limits: Limits) -> Transform | None:
    if type(value) is not dict or not _TRANSFORM_FIELDS.issuperset(value):
        return None
    if not value:
        return _DEFAULT_TRANSFORM
    spec = _DEFAULT_TRANSFORM_SPEC if limits is DEFAULT_LIMITS else _transform_spec(limits)
    numbers = _fast_numbers(value, spec)
    return None if numbers is None else _new_transform(numbers)


def _fast_crop(value: Json) -> Crop | None:
    if type(value) is not dict or not _CROP_FIELD_SET.issuperset(value):
        return None
    if not value:
        return _DEFAULT_CROP
    sides = _fast_numbers(value, _CROP_SPEC)
    if sides is None:
        return None
    left, top, right, bottom = cast("list[float]", sides)  # quoted: not built per call
    if not (left + right < 1.0 and top + bottom < 1.0):
        return None
    return _new_crop(left, top, right, bottom)


def _fast_layer(value: Json, limits: Limits) -> Layer | None:
    if type(value) is not dict or not _FAST_LAYER_FIELDS.issuperset(value):
        return None
    get = value.get
    layer_id, kind = get("id"), get("kind")
    if type(layer_id) is not str or not ID_PATTERN.fullmatch(layer_id) or type(kind) is not str:
        return None
    content = _fast_content(kind, get("content"), limits)
    if content is None:
        return None
    transform = _fast_transform(get("transform", _NO_FIELDS), limits)
    crop = _fast_crop(get("crop", _NO_FIELDS))
    if transform is None or crop is None:
        return None
    name, opacity = get("name"), get("opacity", 1.0)
    blend, visible, z = get("blend", "normal"), get("visible", True), get("z", 0)
    if (
        (name is not None and (type(name) is not str or len(name) > limits.max_name_chars))
        or not _fast_real(opacity, 0.0, 1.0)
        or type(blend) is not str
        or blend not in BLENDS
        or (visible is not True and visible is not False)
        or type(z) is not int
        or not -limits.max_z <= z <= limits.max_z
    ):
        return None
    return _new_layer(
        layer_id,
        cast(Kind, kind),
        content,
        name,
        transform,
        crop,
        float(opacity),
        blend,
        visible,
        z,
    )


def decode_layer(
    value: Json,
    path: str = "layer",
    *,
    limits: Limits = DEFAULT_LIMITS,
    new_id: IdFactory | None = None,
) -> Layer:
    """One layer from JSON. Without an ``id``, ``new_id()`` names it (or it is an error)."""
    fast = _fast_layer(value, limits)
    if fast is not None:
        return fast
    return _checked_layer(value, path, limits, new_id)


def _checked_layer(value: Json, path: str, limits: Limits, new_id: IdFactory | None) -> Layer:
    """The authoritative decoder of a layer: checks field by field and names the first bad one."""
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
    # Fields are checked in this order, so the first bad one is the one reported. The scalars
    # have inline fast checks (see _fast_numbers); their readers name a bad value.
    content = _decode_content(kind, obj["content"], _join(path, "content"), limits)
    name = obj.get("name")
    if name is not None and (type(name) is not str or len(name) > limits.max_name_chars):
        name = _string(name, _join(path, "name"), limits.max_name_chars)
    transform = _decode_transform(obj.get("transform", {}), _join(path, "transform"), limits)
    crop = _decode_crop(obj.get("crop", {}), _join(path, "crop"))
    opacity = obj.get("opacity", 1.0)
    if (type(opacity) is float or type(opacity) is int) and 0.0 <= opacity <= 1.0:
        opacity = float(opacity)
    else:
        opacity = _number(opacity, _join(path, "opacity"), 0.0, 1.0)
    blend = obj.get("blend", "normal")
    if type(blend) is not str or blend not in BLENDS:
        blend = _choice(blend, _join(path, "blend"), BLENDS)
    visible = obj.get("visible", True)
    if visible is not True and visible is not False:
        visible = _boolean(visible, _join(path, "visible"))
    z = obj.get("z", 0)
    if type(z) is not int or not -limits.max_z <= z <= limits.max_z:
        z = _integer(z, _join(path, "z"), -limits.max_z, limits.max_z)
    animation = (
        {} if _LAYER_ANIMATION_FIELDS.isdisjoint(obj)
        else _decode_layer_animation(obj, path, kind, limits)
    )
    return Layer(
        id=layer_id,
        kind=cast(Any, kind),
        content=content,
        name=name,
        transform=transform,
        crop=crop,
        opacity=opacity,
        blend=blend,
        visible=visible,
        z=z,
        **animation,
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
    """The JSON form of a layer: every field present, animation fields only when set."""
    t, c = layer.transform, layer.crop
    value: dict[str, Json] = {
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
    value.update(_encode_layer_animation(layer))
    return value


# --- animation -----------------------------------------------------------------------------------

_ANIMATE_FIELDS = frozenset({"duration_frames", "easing", "delay_frames"})
_TRANSITION_FIELDS = frozenset({"effect", "duration_frames", "easing"})
_PHASE_FIELDS = _TRANSITION_FIELDS | {"start_frame"}
_ANIMATION_FIELDS = frozenset({"property", "keyframes", "loop", "start"})
_KEYFRAME_FIELDS = frozenset({"frame", "value", "easing"})
_TWEEN_FIELDS = frozenset(
    {"property", "from", "to", "start_frame", "duration_frames", "easing"}
)
_LOOP_JSON: dict[object, str] = {False: "once", True: "loop", "pingpong": "pingpong"}


def property_range(prop: str, limits: Limits = DEFAULT_LIMITS) -> tuple[float, float]:
    """The values a numeric animatable property may take, as the layer JSON allows them."""
    coord, box, scale = limits.max_coordinate_px, limits.max_box_px, limits.max_scale
    field = prop.rpartition(".")[2]
    if field in ("x", "y", "rotation_deg"):
        return (-coord, coord)
    if field in ("width", "height"):
        return (0.0, box)
    if field in ("scale_x", "scale_y"):
        return (-scale, scale)
    return (0.0, 1.0)  # anchors, crop fractions, opacity


def _easing(value: Json, path: str) -> str:
    return canonical_easing("linear" if value is None else value, path)


def _duration(value: Json, path: str, limits: Limits) -> int:
    return _integer(value, path, 0, limits.max_duration_frames)


def decode_animate(value: Json, path: str, *, limits: Limits = DEFAULT_LIMITS) -> Animate:
    """An op's ``animate``: ``{"duration_frames": N, "easing": "...", "delay_frames": N}``."""
    obj = _object(value, path, _ANIMATE_FIELDS)
    if "duration_frames" not in obj:
        raise SceneValidationError(_join(path, "duration_frames"), "is required")
    return Animate(
        duration_frames=_duration(obj["duration_frames"], _join(path, "duration_frames"), limits),
        easing=_easing(obj.get("easing"), _join(path, "easing")),
        delay_frames=_duration(obj.get("delay_frames", 0), _join(path, "delay_frames"), limits),
    )


def encode_animate(animate: Animate) -> dict[str, Json]:
    return {
        "duration_frames": animate.duration_frames,
        "easing": animate.easing,
        "delay_frames": animate.delay_frames,
    }


def _decode_transition(
    value: Json, path: str, limits: Limits, fields: frozenset[str]
) -> Transition:
    obj = _object(value, path, fields)
    for key in ("effect", "duration_frames"):
        if key not in obj:
            raise SceneValidationError(_join(path, key), "is required")
    return Transition(
        effect=cast(Any, _choice(obj["effect"], _join(path, "effect"), EFFECTS)),
        duration_frames=_duration(obj["duration_frames"], _join(path, "duration_frames"), limits),
        easing=_easing(obj.get("easing"), _join(path, "easing")),
    )


def _encode_transition(transition: Transition) -> dict[str, Json]:
    return {
        "effect": transition.effect,
        "duration_frames": transition.duration_frames,
        "easing": transition.easing,
    }


def _decode_phase(value: Json, path: str, limits: Limits) -> Phase:
    transition = _decode_transition(value, path, limits, _PHASE_FIELDS)
    if "start_frame" not in value:
        raise SceneValidationError(_join(path, "start_frame"), "is required")
    start = _integer(value["start_frame"], _join(path, "start_frame"), 0, limits.max_frame)
    return Phase(transition, start)


def _encode_phase(phase: Phase) -> dict[str, Json]:
    return {**_encode_transition(phase.transition), "start_frame": phase.start_frame}


def _property(value: Json, path: str, kind: str) -> str:
    prop = _choice(value, path, ANIMATABLE_PROPERTIES)
    if prop == "content.color" and kind != "color":
        raise SceneValidationError(path, "content.color can only be animated on a color layer")
    return prop


def _value(value: Json, path: str, prop: str, limits: Limits) -> Value:
    if prop == "content.color":
        return parse_color(value, path)
    return _number(value, path, *property_range(prop, limits))


def _encode_value(value: Value) -> Json:
    return format_color(value) if isinstance(value, Color) else value


def _list(value: Json, path: str, max_items: int, min_items: int = 0) -> list[Json]:
    if not isinstance(value, list):
        raise SceneValidationError(path, f"must be an array, got {_type_name(value)}")
    if len(value) > max_items:
        raise SceneValidationError(path, f"must have at most {max_items} items")
    if len(value) < min_items:
        raise SceneValidationError(path, f"must have at least {min_items} item")
    return value


def _decode_keyframes(value: Json, path: str, prop: str, limits: Limits) -> tuple[Keyframe, ...]:
    keyframes: list[Keyframe] = []
    for i, item in enumerate(_list(value, path, limits.max_keyframes, min_items=1)):
        item_path = f"{path}[{i}]"
        obj = _object(item, item_path, _KEYFRAME_FIELDS)
        for key in ("frame", "value"):
            if key not in obj:
                raise SceneValidationError(_join(item_path, key), "is required")
        frame = _duration(obj["frame"], _join(item_path, "frame"), limits)
        if keyframes and frame <= keyframes[-1].frame:
            raise SceneValidationError(
                _join(item_path, "frame"), "must be greater than the previous keyframe's frame"
            )
        keyframes.append(
            Keyframe(
                frame=frame,
                value=_value(obj["value"], _join(item_path, "value"), prop, limits),
                easing=_easing(obj.get("easing"), _join(item_path, "easing")),
            )
        )
    return tuple(keyframes)


def _decode_animation(value: Json, path: str, kind: str, limits: Limits) -> KeyframeAnimation:
    obj = _object(value, path, _ANIMATION_FIELDS)
    for key in ("property", "keyframes"):
        if key not in obj:
            raise SceneValidationError(_join(path, key), "is required")
    prop = _property(obj["property"], _join(path, "property"), kind)
    loop = obj.get("loop", False)
    if isinstance(loop, bool) or loop == "pingpong":
        loop_mode = _LOOP_JSON[loop]
    else:
        raise SceneValidationError(_join(path, "loop"), 'must be false, true or "pingpong"')
    start = obj.get("start", "on_commit")
    return KeyframeAnimation(
        property=prop,
        keyframes=_decode_keyframes(obj["keyframes"], _join(path, "keyframes"), prop, limits),
        loop=cast(Any, loop_mode),
        start_frame=None
        if start == "on_commit"
        else _integer(start, _join(path, "start"), 0, limits.max_frame),
    )


def _encode_animation(animation: KeyframeAnimation) -> dict[str, Json]:
    loop = {"once": False, "loop": True, "pingpong": "pingpong"}[animation.loop]
    return {
        "property": animation.property,
        "keyframes": [
            {"frame": k.frame, "value": _encode_value(k.value), "easing": k.easing}
            for k in animation.keyframes
        ],
        "loop": loop,
        "start": "on_commit" if animation.start_frame is None else animation.start_frame,
    }


def _decode_tween(value: Json, path: str, kind: str, limits: Limits) -> Tween:
    obj = _object(value, path, _TWEEN_FIELDS)
    for key in sorted(_TWEEN_FIELDS - {"easing"}):
        if key not in obj:
            raise SceneValidationError(_join(path, key), "is required")
    prop = _property(obj["property"], _join(path, "property"), kind)
    return Tween(
        property=prop,
        from_value=_value(obj["from"], _join(path, "from"), prop, limits),
        to_value=_value(obj["to"], _join(path, "to"), prop, limits),
        start_frame=_integer(obj["start_frame"], _join(path, "start_frame"), 0, limits.max_frame),
        duration_frames=_duration(obj["duration_frames"], _join(path, "duration_frames"), limits),
        easing=_easing(obj.get("easing"), _join(path, "easing")),
    )


def _encode_tween(tween: Tween) -> dict[str, Json]:
    return {
        "property": tween.property,
        "from": _encode_value(tween.from_value),
        "to": _encode_value(tween.to_value),
        "start_frame": tween.start_frame,
        "duration_frames": tween.duration_frames,
        "easing": tween.easing,
    }


def _decode_layer_animation(
    obj: Mapping[str, Json], path: str, kind: str, limits: Limits
) -> dict[str, Any]:
    """The animation fields of a layer, as keyword arguments of :class:`Layer`."""
    fields: dict[str, Any] = {}
    for key in ("enter", "exit"):
        if obj.get(key) is not None:
            fields[key] = _decode_transition(obj[key], _join(path, key), limits, _TRANSITION_FIELDS)
    for key in ("entering", "leaving"):
        if obj.get(key) is not None:
            fields[key] = _decode_phase(obj[key], _join(path, key), limits)
    animations: list[KeyframeAnimation] = []
    items_path = _join(path, "animations")
    for i, item in enumerate(_list(obj.get("animations", []), items_path, limits.max_animations)):
        animation = _decode_animation(item, f"{items_path}[{i}]", kind, limits)
        if any(a.property == animation.property for a in animations):
            raise SceneValidationError(
                f"{items_path}[{i}].property", f"{animation.property} is already animated"
            )
        animations.append(animation)
    fields["animations"] = tuple(animations)
    tweens_path = _join(path, "tweens")
    fields["tweens"] = tuple(
        _decode_tween(item, f"{tweens_path}[{i}]", kind, limits)
        for i, item in enumerate(_list(obj.get("tweens", []), tweens_path, limits.max_tweens))
    )
    return fields


def _encode_layer_animation(layer: Layer) -> dict[str, Json]:
    value: dict[str, Json] = {}
    if layer.enter is not None:
        value["enter"] = _encode_transition(layer.enter)
    if layer.exit is not None:
        value["exit"] = _encode_transition(layer.exit)
    if layer.animations:
        value["animations"] = [_encode_animation(a) for a in layer.animations]
    if layer.tweens:
        value["tweens"] = [_encode_tween(t) for t in layer.tweens]
    if layer.entering is not None:
        value["entering"] = _encode_phase(layer.entering)
    if layer.leaving is not None:
        value["leaving"] = _encode_phase(layer.leaving)
    return value


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
        layer = _fast_layer(item, limits)  # decode_layer, building the path only when needed
        if layer is None:
            layer = _checked_layer(item, f"layers[{i}]", limits, new_id)
        if layer.id in seen:
            raise SceneValidationError(f"layers[{i}].id", f"duplicate id {layer.id!r}")
        seen.add(layer.id)
        layers.append(layer)
    exiting: list[Layer] = []
    for i, item in enumerate(_list(obj.get("exiting", []), "exiting", limits.max_layers)):
        layer = decode_layer(item, f"exiting[{i}]", limits=limits)
        if layer.id in seen:
            raise SceneValidationError(f"exiting[{i}].id", f"duplicate id {layer.id!r}")
        seen.add(layer.id)
        exiting.append(layer)
    return Scene(
        version=_integer(obj.get("version", 0), "version", 0, 2**53),
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
        raise SceneValidationError(path, f"must be an object, got {_type_name(value)}")
    kind = _choice(value.get("op"), _join(path, "op"), ("add", "update", "remove"))
    animate_json = value.get("animate")
    if kind == "add":
        _object(value, path, frozenset({"op", "layer", "animate"}))
        if "layer" not in value:
            raise SceneValidationError(_join(path, "layer"), "is required")
        layer = decode_layer(value["layer"], _join(path, "layer"), limits=limits, new_id=new_id)
        return AddLayer(layer, _op_animate(animate_json, path, limits))
    if kind == "remove":
        _object(value, path, frozenset({"op", "id", "animate"}))
        layer_id = _identifier(value.get("id"), _join(path, "id"))
        return RemoveLayer(layer_id, _op_animate(animate_json, path, limits))
    _object(value, path, frozenset({"op", "id", "patch", "animate"}))
    layer_id = _identifier(value.get("id"), _join(path, "id"))
    patch = value.get("patch")
    if not isinstance(patch, dict):
        raise SceneValidationError(_join(path, "patch"), "must be an object (a JSON merge patch)")
    return UpdateLayer(layer_id, patch, _op_animate(animate_json, path, limits))


def _op_animate(value: Json, path: str, limits: Limits) -> Animate | None:
    return None if value is None else decode_animate(value, _join(path, "animate"), limits=limits)


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
