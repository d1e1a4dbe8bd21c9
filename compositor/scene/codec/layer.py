"""Layers as JSON: the checked decoder that names the first bad field, and the encoder.

:func:`decode_layer` tries the fast path (``codec_fast``) first and falls back to
:func:`checked_layer`, the authoritative decoder. Encoding writes every field; the animation
fields only when set (``codec_animation``).
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
from compositor.scene.codec.fast import CROP_SPEC, fast_layer, fast_numbers, transform_spec
from compositor.scene.codec.fields import (
    CROP_FIELD_SET,
    CROP_FIELDS,
    DEFAULT_LIMITS,
    TEXT_FIELDS,
    TRANSFORM_FIELDS,
    IdFactory,
    Json,
    Limits,
    format_color,
    join_path,
    parse_color,
    read_boolean,
    read_choice,
    read_identifier,
    read_integer,
    read_number,
    read_object,
    read_optional_number,
    read_string,
)

__all__ = ["checked_layer", "decode_layer", "encode_layer"]

_LAYER_FIELDS = frozenset(
    {"id", "name", "kind", "content", "transform", "crop", "opacity", "blend", "visible", "z"}
    | LAYER_ANIMATION_FIELDS
)
_COLOR_FIELDS = frozenset({"color"})
_IMAGE_FIELDS = frozenset({"asset"})


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
    default = TextContent(text="")
    return TextContent(
        text=read_string(obj["text"], join_path(path, "text"), limits.max_text_chars),
        font=read_identifier(
            obj.get("font", default.font), join_path(path, "font"), "a font name or id"
        ),
        size_px=read_number(
            obj.get("size_px", default.size_px),
            join_path(path, "size_px"),
            limits.min_size_px,
            limits.max_size_px,
        ),
        color=(
            parse_color(obj["color"], join_path(path, "color"))
            if "color" in obj
            else default.color
        ),
        align=cast(
            Any, read_choice(obj.get("align", default.align), join_path(path, "align"), ALIGNS)
        ),
        max_width_px=read_optional_number(
            obj.get("max_width_px"), join_path(path, "max_width_px"), 1.0, limits.max_box_px
        ),
    )


def _decode_transform(value: Json, path: str, limits: Limits) -> Transform:
    obj = read_object(value, path, TRANSFORM_FIELDS)
    fast = fast_numbers(obj, transform_spec(limits))
    if fast is not None:
        return Transform(*cast(list[Any], fast))
    d = Transform()
    coord = limits.max_coordinate_px

    def num(key: str, default: float, lo: float, hi: float) -> float:
        return read_number(obj.get(key, default), join_path(path, key), lo, hi)

    return Transform(
        x_px=num("x", d.x_px, -coord, coord),
        y_px=num("y", d.y_px, -coord, coord),
        width_px=read_optional_number(
            obj.get("width"), join_path(path, "width"), 0.0, limits.max_box_px
        ),
        height_px=read_optional_number(
            obj.get("height"), join_path(path, "height"), 0.0, limits.max_box_px
        ),
        anchor_x=num("anchor_x", d.anchor_x, 0.0, 1.0),
        anchor_y=num("anchor_y", d.anchor_y, 0.0, 1.0),
        scale_x=num("scale_x", d.scale_x, -limits.max_scale, limits.max_scale),
        scale_y=num("scale_y", d.scale_y, -limits.max_scale, limits.max_scale),
        rotation_deg=num("rotation_deg", d.rotation_deg, -coord, coord),
    )


def _decode_crop(value: Json, path: str) -> Crop:
    obj = read_object(value, path, CROP_FIELD_SET)
    fast = fast_numbers(obj, CROP_SPEC)
    if fast is not None:
        left, top, right, bottom = cast(list[float], fast)
        if left + right < 1.0 and top + bottom < 1.0:
            return Crop(left, top, right, bottom)
    left, top, right, bottom = (
        read_number(obj.get(key, 0.0), join_path(path, key), 0.0, 1.0) for key in CROP_FIELDS
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
    """One layer from JSON. Without an ``id``, ``new_id()`` names it (or it is an error)."""
    fast = fast_layer(value, limits)
    if fast is not None:
        return fast
    return checked_layer(value, path, limits, new_id)


def checked_layer(value: Json, path: str, limits: Limits, new_id: IdFactory | None) -> Layer:
    """The authoritative decoder of a layer: checks field by field and names the first bad one."""
    obj = read_object(value, path, _LAYER_FIELDS)
    if "id" in obj:
        layer_id = read_identifier(obj["id"], join_path(path, "id"))
    elif new_id is not None:
        layer_id = new_id()
    else:
        raise SceneValidationError(join_path(path, "id"), "is required")
    if "kind" not in obj:
        raise SceneValidationError(join_path(path, "kind"), "is required")
    kind = read_choice(obj["kind"], join_path(path, "kind"), KINDS)
    if "content" not in obj:
        raise SceneValidationError(join_path(path, "content"), "is required")
    # Fields are checked in this order, so the first bad one is the one reported. The scalars
    # have inline fast checks (see fast_numbers); their readers name a bad value.
    content = _decode_content(kind, obj["content"], join_path(path, "content"), limits)
    name = obj.get("name")
    if name is not None and (type(name) is not str or len(name) > limits.max_name_chars):
        name = read_string(name, join_path(path, "name"), limits.max_name_chars)
    transform = _decode_transform(obj.get("transform", {}), join_path(path, "transform"), limits)
    crop = _decode_crop(obj.get("crop", {}), join_path(path, "crop"))
    opacity = obj.get("opacity", 1.0)
    if (type(opacity) is float or type(opacity) is int) and 0.0 <= opacity <= 1.0:
        opacity = float(opacity)
    else:
        opacity = read_number(opacity, join_path(path, "opacity"), 0.0, 1.0)
    blend = obj.get("blend", "normal")
    if type(blend) is not str or blend not in BLENDS:
        blend = read_choice(blend, join_path(path, "blend"), BLENDS)
    visible = obj.get("visible", True)
    if visible is not True and visible is not False:
        visible = read_boolean(visible, join_path(path, "visible"))
    z = obj.get("z", 0)
    if type(z) is not int or not -limits.max_z <= z <= limits.max_z:
        z = read_integer(z, join_path(path, "z"), -limits.max_z, limits.max_z)
    animation = (
        {} if LAYER_ANIMATION_FIELDS.isdisjoint(obj)
        else decode_layer_animation(obj, path, kind, limits)
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
    value.update(encode_layer_animation(layer))
    return value

