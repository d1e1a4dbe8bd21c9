"""Layers as JSON: the decoder that names the first bad field, and the encoder.

There is one decoder. Each check has a fast branch for the common, valid value (a plain float in
range, a known choice) that builds no path and calls nothing; any other value goes to the
reader of :mod:`~compositor.scene.codec.fields`, which converts it or raises with its path. The
bounded numbers come from :func:`~compositor.scene.codec.fields.number_fields`. Encoding writes
every field; the animation fields only when set (:mod:`~compositor.scene.codec.animation`).
This module imports nothing of ours but the scene model, the errors and the other codec modules.
"""

from __future__ import annotations

from typing import Any, cast

from compositor.errors import SceneValidationError
from compositor.scene import (
    ALIGNS,
    BLENDS,
    KINDS,
    ColorContent,
    Content,
    Crop,
    ImageContent,
    Layer,
    TextContent,
    Transform,
)
from compositor.scene.codec.animation import (
    LAYER_ANIMATION_FIELDS,
    decode_layer_animation,
    encode_layer_animation,
)
from compositor.scene.codec.fields import (
    CROP_FIELD_SET,
    DEFAULT_LIMITS,
    TEXT_FIELDS,
    TRANSFORM_FIELDS,
    IdFactory,
    Json,
    Limits,
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
_NO_FIELDS: dict[str, Json] = {}  # what an absent transform or crop reads as; never mutated
_DEFAULT_TRANSFORM = Transform()  # frozen, so one instance serves every layer that omits it
_DEFAULT_CROP = Crop()
_TEXT_DEFAULTS = TextContent(text="")


# --- layers --------------------------------------------------------------------------------------


def _decode_content(kind: str, value: Json, path: str, limits: Limits) -> Content:
    if kind == "color":
        obj = read_object(value, path, _COLOR_FIELDS)
        if "color" not in obj:
            raise SceneValidationError(join_path(path, "color"), "is required")
        return ColorContent(parse_color(obj["color"], join_path(path, "color")))
    if kind == "image":
        obj = read_object(value, path, _IMAGE_FIELDS)
        if "asset" not in obj:
            raise SceneValidationError(join_path(path, "asset"), "is required")
        asset = read_identifier(
            obj["asset"], join_path(path, "asset"), "an asset id (not a path or URL)"
        )
        return ImageContent(asset)
    obj = read_object(value, path, TEXT_FIELDS)
    if "text" not in obj:
        raise SceneValidationError(join_path(path, "text"), "is required")
    d = _TEXT_DEFAULTS
    text = read_string(obj["text"], join_path(path, "text"), limits.max_text_chars)
    font = read_identifier(obj.get("font", d.font), join_path(path, "font"), "a font name or id")
    numbers = number_fields(limits)["content"]  # size_px, max_width_px: checked in JSON order
    (size_px,) = read_numbers(obj, path, numbers[:1])
    color = parse_color(obj["color"], join_path(path, "color")) if "color" in obj else d.color
    align = obj.get("align", d.align)
    if type(align) is not str or align not in ALIGNS:
        align = read_choice(align, join_path(path, "align"), ALIGNS)
    (max_width_px,) = read_numbers(obj, path, numbers[1:])
    return TextContent(text, font, cast(float, size_px), color, cast(Any, align), max_width_px)


def _decode_transform(value: Json, path: str, limits: Limits) -> Transform:
    obj = read_object(value, path, TRANSFORM_FIELDS)
    if not obj:
        return _DEFAULT_TRANSFORM
    return Transform(*cast(list[Any], read_numbers(obj, path, number_fields(limits)["transform"])))


def _decode_crop(value: Json, path: str, limits: Limits) -> Crop:
    obj = read_object(value, path, CROP_FIELD_SET)
    if not obj:
        return _DEFAULT_CROP
    left, top, right, bottom = cast(
        "list[float]", read_numbers(obj, path, number_fields(limits)["crop"])
    )
    if left + right >= 1.0:
        raise SceneValidationError(join_path(path, "right"), "left + right must be less than 1")
    if top + bottom >= 1.0:
        raise SceneValidationError(join_path(path, "bottom"), "top + bottom must be less than 1")
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
    """
    obj = read_object(value, path, LAYER_FIELDS)
    if "id" in obj:
        layer_id = read_identifier(obj["id"], join_path(path, "id"))
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
    content = _decode_content(kind, obj["content"], join_path(path, "content"), limits)
    name = obj.get("name")
    if name is not None and (type(name) is not str or len(name) > limits.max_name_chars):
        name = read_string(name, join_path(path, "name"), limits.max_name_chars)
    transform = _decode_transform(
        obj.get("transform", _NO_FIELDS), join_path(path, "transform"), limits
    )
    crop = _decode_crop(obj.get("crop", _NO_FIELDS), join_path(path, "crop"), limits)
    opacity = cast(float, read_numbers(obj, path, number_fields(limits)[""])[0])
    blend = obj.get("blend", "normal")
    if type(blend) is not str or blend not in BLENDS:
        blend = read_choice(blend, join_path(path, "blend"), BLENDS)
    visible = obj.get("visible", True)
    if visible is not True and visible is not False:
        visible = read_boolean(visible, join_path(path, "visible"))
    z = obj.get("z", 0)
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

