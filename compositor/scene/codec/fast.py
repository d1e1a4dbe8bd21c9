"""The codec's fast path: decoding a plain, well-formed layer without the field-by-field readers.

Decoding runs per commit over up to 256 layers. :func:`fast_layer` decodes the common case inline
and returns None at the first doubt; the checked decoder (``codec_layer.checked_layer``) then
decides and names what is wrong, so errors come from one place. The ``new_*`` builders make model
objects without their frozen ``__init__`` (see the comment above them).
This module imports nothing of ours but the scene model and ``codec_fields``.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any, cast

from compositor.scene import (
    ALIGNS,
    BLENDS,
    Align,
    Blend,
    Color,
    ColorContent,
    Content,
    Crop,
    ImageContent,
    Kind,
    Layer,
    TextContent,
    Transform,
)
from compositor.scene.codec.fields import (
    COLOR_PATTERN,
    CROP_FIELD_SET,
    DEFAULT_LIMITS,
    ID_PATTERN,
    TEXT_FIELDS,
    TRANSFORM_FIELDS,
    Json,
    Limits,
    parse_color,
)

__all__ = [
    "CROP_SPEC",
    "NumberSpec",
    "fast_layer",
    "fast_numbers",
    "new_color_content",
    "new_crop",
    "new_image",
    "new_layer",
    "new_text",
    "new_transform",
    "transform_spec",
]

# Fast paths. Decoding runs per commit over up to 256 layers, so the common case (every value
# present, well typed and in range) is checked inline without building paths or calling the
# readers; anything else falls through to the readers, which find and name the bad field. A fast
# path accepts exactly what its readers accept and returns the same values.
NumberSpec = tuple[tuple[str, float | None, float, float], ...]  # key, default, lo, hi


def transform_spec(limits: Limits) -> NumberSpec:
    """(key, default, lo, hi) of each Transform field, in field order, for ``limits``."""
    return _DEFAULT_TRANSFORM_SPEC if limits is DEFAULT_LIMITS else _transform_spec(limits)


@functools.lru_cache(maxsize=16)
def _transform_spec(limits: Limits) -> NumberSpec:
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
CROP_SPEC: NumberSpec = tuple((key, 0.0, 0.0, 1.0) for key in ("left", "top", "right", "bottom"))


def fast_numbers(obj: Mapping[str, Json], spec: NumberSpec) -> list[float | None] | None:
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


# The whole-layer fast path: a well-formed layer without animation fields, all of it checked
# inline, no path strings and few calls. It returns None at the first doubt (a bad or unusual
# value, a field it does not know), and the checked decoder (codec_layer.checked_layer) then
# decides and names what is wrong, so errors come from one place.
# tests/compositor/scene/codec/test_codec.py
# checks that the two agree.
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
# A builder must set every field: tests/compositor/scene/codec/test_codec.py checks that each one
# builds an
# object equal to the class's own constructor (a forgotten field fails that comparison).


def _twin(cls: type[Any]) -> type:
    """A plain class with the slots of ``cls`` (a slots dataclass): see the comment above."""
    return type(f"_{cls.__name__}Twin", (), {"__slots__": cls.__slots__})


_LAYER_TWIN, _TRANSFORM_TWIN, _CROP_TWIN = _twin(Layer), _twin(Transform), _twin(Crop)
_TEXT_TWIN, _COLOR_CONTENT_TWIN, _IMAGE_TWIN = (
    _twin(TextContent), _twin(ColorContent), _twin(ImageContent)
)


def new_layer(
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


def new_transform(numbers: list[float | None]) -> Transform:
    """``Transform(*numbers)``, from the nine numbers in field order."""
    t = _TRANSFORM_TWIN()
    (
        t.x_px, t.y_px, t.width_px, t.height_px, t.anchor_x, t.anchor_y, t.scale_x, t.scale_y,
        t.rotation_deg,
    ) = numbers
    t.__class__ = Transform
    return cast(Transform, t)


def new_crop(left: float, top: float, right: float, bottom: float) -> Crop:
    crop = _CROP_TWIN()
    crop.left, crop.top, crop.right, crop.bottom = left, top, right, bottom
    crop.__class__ = Crop
    return cast(Crop, crop)


def new_text(
    text: str, font: str, size_px: float, color: Color, align: Align, max_width_px: float | None
) -> TextContent:
    content = _TEXT_TWIN()
    content.text, content.font, content.size_px, content.color = text, font, size_px, color
    content.align, content.max_width_px = align, max_width_px
    content.__class__ = TextContent
    return cast(TextContent, content)


def new_color_content(color: Color) -> ColorContent:
    content = _COLOR_CONTENT_TWIN()
    content.color = color
    content.__class__ = ColorContent
    return cast(ColorContent, content)


def new_image(asset: str) -> ImageContent:
    content = _IMAGE_TWIN()
    content.asset = asset
    content.__class__ = ImageContent
    return cast(ImageContent, content)


@functools.lru_cache(maxsize=1024)
def _cached_color(text: str) -> Color | None:
    """parse_color of a string, None where it would refuse; scenes repeat their colours."""
    return parse_color(text) if COLOR_PATTERN.fullmatch(text) else None


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
        return None if color is None else new_color_content(color)
    if kind == "image":
        asset = value.get("asset")
        if len(value) == 1 and type(asset) is str and ID_PATTERN.fullmatch(asset):
            return new_image(asset)
        return None
    if kind != "text" or not TEXT_FIELDS.issuperset(value):
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
    return new_text(
        text, font, float(size), color, align, None if width is None else float(width)
    )


def _fast_transform(value: Json, limits: Limits) -> Transform | None:
    if type(value) is not dict or not TRANSFORM_FIELDS.issuperset(value):
        return None
    if not value:
        return _DEFAULT_TRANSFORM
    numbers = fast_numbers(value, transform_spec(limits))
    return None if numbers is None else new_transform(numbers)


def _fast_crop(value: Json) -> Crop | None:
    if type(value) is not dict or not CROP_FIELD_SET.issuperset(value):
        return None
    if not value:
        return _DEFAULT_CROP
    sides = fast_numbers(value, CROP_SPEC)
    if sides is None:
        return None
    left, top, right, bottom = cast("list[float]", sides)  # quoted: not built per call
    if not (left + right < 1.0 and top + bottom < 1.0):
        return None
    return new_crop(left, top, right, bottom)


def fast_layer(value: Json, limits: Limits) -> Layer | None:
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
    return new_layer(
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

