"""Layers as JSON: the decoder that names the first bad field, and the encoder.

There is one decoder. Each check has a fast branch for the common, valid value (a plain float in
range, a known choice) that builds no path and calls nothing; any other value goes to the
reader of :mod:`~compositor.scene.codec.fields`, which converts it or raises with its path. The
bounded numbers come from :func:`~compositor.scene.codec.fields.number_fields`. Encoding writes
every field; the animation fields only when set (:mod:`~compositor.scene.codec.animation`).
The content of video and audio layers is :mod:`~compositor.scene.codec.clip`'s.
This module imports nothing of ours but the scene model, the errors and the other codec modules.
"""

from __future__ import annotations

from typing import Any, cast

from compositor.errors import SceneValidationError
from compositor.scene import (
    ALIGNS,
    BLENDS,
    KINDS,
    AudioContent,
    Color,
    ColorContent,
    Content,
    Crop,
    ImageContent,
    Layer,
    TextContent,
    Transform,
    VideoContent,
)
from compositor.scene.codec.animation import (
    LAYER_ANIMATION_FIELDS,
    decode_layer_animation,
    encode_layer_animation,
)
from compositor.scene.codec.clip import CLIP_KINDS, decode_clip_content, encode_clip_content
from compositor.scene.codec.fields import (
    CROP_FIELD_SET,
    DEFAULT_LIMITS,
    ID_PATTERN,
    TEXT_FIELDS,
    TRANSFORM_FIELDS,
    IdFactory,
    Json,
    Limits,
    color_or_none,
    format_color,
    join_path,
    number_fields,
    parse_color,
    read_boolean,
    read_choice,
    read_identifier,
    read_integer,
    read_numbers,
    read_object,
    read_string,
)

__all__ = ["LAYER_FIELDS", "decode_layer", "encode_layer"]

LAYER_FIELDS = frozenset(
    {"id", "name", "kind", "content", "transform", "crop", "opacity", "blend", "visible", "z"}
    | LAYER_ANIMATION_FIELDS
)
_COLOR_FIELDS = frozenset({"color"})
_IMAGE_FIELDS = frozenset({"asset"})
_TEXT_FIELDS = TEXT_FIELDS
_REQUIRED_CONTENT = {"color": "color", "image": "asset", "text": "text"}  # by kind
_DEFAULT_TRANSFORM = Transform()  # frozen, so one instance serves every layer that omits it
_DEFAULT_CROP = Crop()
_TEXT_DEFAULTS = TextContent(text="")
_LAYER_DEFAULTS = Layer("", "color", ColorContent(Color(0, 0, 0)))


# --- layers --------------------------------------------------------------------------------------


def _decode_content(kind: str, value: Json, path: str, limits: Limits) -> Content:
    # ``path`` is the layer's; the content's own paths are built only for an error.
    if kind in CLIP_KINDS:
        return decode_clip_content(kind, value, path, limits)
    fields = _TEXT_FIELDS if kind == "text" else _COLOR_FIELDS if kind == "color" else _IMAGE_FIELDS
    if type(value) is not dict or not fields.issuperset(value):
        read_object(value, join_path(path, "content"), fields)  # raises
    required = _REQUIRED_CONTENT[kind]
    if required not in value:
        raise SceneValidationError(join_path(path, f"content.{required}"), "is required")
    if kind == "color":
        color = color_or_none(value["color"])
        if color is None:
            parse_color(value["color"], join_path(path, "content.color"))  # raises
        return ColorContent(cast(Color, color))
    if kind == "image":
        asset = value["asset"]
        if type(asset) is not str or not ID_PATTERN.fullmatch(asset):
            read_identifier(
                asset, join_path(path, "content.asset"), "an asset id (not a path or URL)"
            )
        return ImageContent(asset)
    d = _TEXT_DEFAULTS
    text, font = value["text"], value.get("font", d.font)
    if type(text) is not str or len(text) > limits.max_text_chars:
        read_string(text, join_path(path, "content.text"), limits.max_text_chars)
    if type(font) is not str or not ID_PATTERN.fullmatch(font):
        read_identifier(font, join_path(path, "content.font"), "a font name or id")
    numbers = number_fields(limits)["content"]  # TEXT_NUMBERS first: size_px, max_width_px
    (size_px,) = read_numbers(value, path, numbers[:1], "content")
    color = color_or_none(value["color"]) if "color" in value else d.color
    if color is None:
        parse_color(value["color"], join_path(path, "content.color"))  # raises
    align = value.get("align", d.align)
    if type(align) is not str or align not in ALIGNS:
        read_choice(align, join_path(path, "content.align"), ALIGNS)
    (max_width_px,) = read_numbers(value, path, numbers[1:2], "content")
    _check_text_block(text, cast(float, size_px), max_width_px, path, limits)
    return TextContent(
        text, font, cast(float, size_px), cast(Color, color), align, max_width_px
    )


# No glyph of a usable font is narrower than this many ems (DejaVu's narrowest, "i" and "l",
# are 0.28 em): a line of N characters is at least N × size_px × this wide.
_MIN_ADVANCE_EM = 0.2


def _check_text_block(text: str, size_px: float, max_width_px: float | None, path: str,
                      limits: Limits) -> None:
    """Refuse text that can never be drawn: a block taller or (unwrapped) wider than the largest
    raster, however the font measures it. The renderer's own check stays (fonts differ)."""
    most = limits.max_text_raster_px
    chars = len(text)
    if (chars + 1) * size_px <= most and chars * size_px * _MIN_ADVANCE_EM <= most:
        return  # short enough that neither rule can apply (the common case: no scanning)
    if text.count("\n") + 1 > most / size_px:
        raise SceneValidationError(join_path(path, "content.text"),
                                   f"has too many lines to draw at {size_px:g} px (the block "
                                   f"would be over {most} px tall)")
    if max_width_px is None and len(max(text.split("\n"), key=len)) * size_px * \
            _MIN_ADVANCE_EM > most:
        raise SceneValidationError(join_path(path, "content.text"),
                                   f"is too long for one line at {size_px:g} px (over {most} px "
                                   "wide): set max_width_px to wrap it")


def _decode_transform(value: Json, path: str, limits: Limits) -> Transform:
    if type(value) is not dict or not TRANSFORM_FIELDS.issuperset(value):
        read_object(value, join_path(path, "transform"), TRANSFORM_FIELDS)  # raises
    if not value:
        return _DEFAULT_TRANSFORM
    numbers = read_numbers(value, path, number_fields(limits)["transform"], "transform")
    return Transform(*cast(list[Any], numbers))


def _decode_crop(value: Json, path: str, limits: Limits) -> Crop:
    if type(value) is not dict or not CROP_FIELD_SET.issuperset(value):
        read_object(value, join_path(path, "crop"), CROP_FIELD_SET)  # raises
    if not value:
        return _DEFAULT_CROP
    numbers = read_numbers(value, path, number_fields(limits)["crop"], "crop")
    left, top, right, bottom = cast("list[float]", numbers)
    if left + right >= 1.0:
        raise SceneValidationError(
            join_path(path, "crop.right"), "left + right must be less than 1"
        )
    if top + bottom >= 1.0:
        raise SceneValidationError(
            join_path(path, "crop.bottom"), "top + bottom must be less than 1"
        )
    return Crop(left, top, right, bottom)


def decode_layer(
    value: Json,
    path: str = "layer",
    *,
    limits: Limits = DEFAULT_LIMITS,
    new_id: IdFactory | None = None,
) -> Layer:
    """One layer from JSON. Without an ``id``, ``new_id()`` names it (or it is an error).

    Fields are checked in this order, so the first bad one is the one reported: unknown keys, id,
    kind, content, name, transform, crop, opacity, blend, visible, z, then the animation fields.
    Each check takes the common valid value directly and leaves anything else to the reader of
    :mod:`~compositor.scene.codec.fields`, which converts it or raises with its path.
    """
    obj = value
    if type(obj) is not dict or not LAYER_FIELDS.issuperset(obj):
        obj = read_object(value, path, LAYER_FIELDS)
    if "id" in obj:
        layer_id = obj["id"]
        if type(layer_id) is not str or not ID_PATTERN.fullmatch(layer_id):
            read_identifier(layer_id, join_path(path, "id"))  # raises
    elif new_id is not None:
        layer_id = new_id()
    else:
        raise SceneValidationError(join_path(path, "id"), "is required")
    if "kind" not in obj:
        raise SceneValidationError(join_path(path, "kind"), "is required")
    kind = obj["kind"]
    if type(kind) is not str or kind not in KINDS:
        kind = read_choice(kind, join_path(path, "kind"), KINDS)
    if "content" not in obj:
        raise SceneValidationError(join_path(path, "content"), "is required")
    content = _decode_content(kind, obj["content"], path, limits)
    name = obj.get("name")
    if name is not None and (type(name) is not str or len(name) > limits.max_name_chars):
        name = read_string(name, join_path(path, "name"), limits.max_name_chars)
    get = obj.get
    transform = _decode_transform(get("transform"), path, limits) if "transform" in obj \
        else _DEFAULT_TRANSFORM
    crop = _decode_crop(get("crop"), path, limits) if "crop" in obj else _DEFAULT_CROP
    opacity = (
        cast(float, read_numbers(obj, path, number_fields(limits)[""])[0])
        if "opacity" in obj else _LAYER_DEFAULTS.opacity
    )
    blend = get("blend", "normal")
    if type(blend) is not str or blend not in BLENDS:
        blend = read_choice(blend, join_path(path, "blend"), BLENDS)
    visible = get("visible", True)
    if visible is not True and visible is not False:
        visible = read_boolean(visible, join_path(path, "visible"))
    z = get("z", 0)
    if type(z) is not int or not -limits.max_z <= z <= limits.max_z:
        z = read_integer(z, join_path(path, "z"), -limits.max_z, limits.max_z)
    if LAYER_ANIMATION_FIELDS.isdisjoint(obj):
        return Layer(layer_id, cast(Any, kind), content, name, transform, crop, opacity, blend,
                     visible, z)
    animation = decode_layer_animation(obj, path, kind, limits)
    return Layer(layer_id, cast(Any, kind), content, name, transform, crop, opacity, blend,
                 visible, z, **animation)


def _encode_content(content: Content) -> dict[str, Json]:
    if isinstance(content, ColorContent):
        return {"color": format_color(content.color)}
    if isinstance(content, ImageContent):
        return {"asset": content.asset}
    if isinstance(content, VideoContent | AudioContent):
        return encode_clip_content(content)
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
    value.update(encode_layer_animation(layer))
    return value

