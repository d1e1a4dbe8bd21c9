"""A layer in OBS's shapes: its scene item, its transform, its input kind and settings; and OBS
transform and settings changes as merge patches of the layer (``{"op": "update", "patch": ...}``).

Transform (OBS field -> layer field):

- ``positionX``/``positionY`` -> ``transform.x``/``y`` (canvas px of the anchor point);
- ``rotation`` -> ``rotation_deg`` (both clockwise); ``scaleX``/``scaleY`` -> ``scale_x``/``y``;
- ``alignment`` (bits: 1 left, 2 right, 4 top, 8 bottom; 0 centre) <-> ``anchor_x``/``anchor_y``
  (0, 0.5 or 1; an anchor in between reads as the nearest);
- ``sourceWidth``/``sourceHeight``: the layer box (``transform.width``/``height``) when set,
  else the content's natural size where the control plane knows it (a colour: the canvas; an
  image or clip: the asset's size), else 0; ``width``/``height`` = scale × source size, and
  setting them sets the scale;
- ``cropLeft``... (px of the source, integers) <-> ``crop.left``... (fractions of the source);
- ``boundsType`` is always ``OBS_BOUNDS_NONE`` (layers have no bounds box; another is refused),
  ``cropToBounds`` false. Read-only and bounds fields sent back unchanged are ignored, so a client
  may send the object it got.
"""

from __future__ import annotations

import math
from typing import Any

from compositor.scene import Layer
from compositor.scene.codec import encode_layer
from control.obsws.errors import ObsRequestError
from control.obsws.fields import Data, number
from control.obsws.protocol import Status

__all__ = ["BLEND_MODES", "INPUT_KINDS", "SILENT_DB", "alignment", "input_settings",
           "scene_item", "settings_patch", "transform_json", "transform_patch", "volume_db"]

LEFT, RIGHT, TOP, BOTTOM = 1, 2, 4, 8
BOUNDS_NONE = "OBS_BOUNDS_NONE"

INPUT_KINDS = {"color": "color_source_v3", "image": "image_source",
               "text": "text_ft2_source_v2", "video": "ffmpeg_source", "audio": "ffmpeg_source"}
"""Layer kind -> OBS input kind (the kind of OBS source that does the same job)."""

BLEND_MODES = {"normal": "OBS_BLEND_NORMAL", "add": "OBS_BLEND_ADDITIVE",
               "multiply": "OBS_BLEND_MULTIPLY", "screen": "OBS_BLEND_SCREEN"}

_AXIS_BITS = ((LEFT, RIGHT), (TOP, BOTTOM))


def alignment(layer: Layer) -> int:
    """The OBS alignment bits of the layer's anchor."""
    bits = 0
    for anchor, (low, high) in zip((layer.transform.anchor_x, layer.transform.anchor_y),
                                   _AXIS_BITS):
        if anchor < 0.25:
            bits |= low
        elif anchor > 0.75:
            bits |= high
    return bits


def _anchors(bits: int) -> dict[str, float]:
    if not 0 <= bits <= 15 or bits & (LEFT | RIGHT) == LEFT | RIGHT \
            or bits & (TOP | BOTTOM) == TOP | BOTTOM:
        raise ObsRequestError(Status.INVALID_REQUEST_FIELD, "sceneItemTransform.alignment: "
                              "not an alignment (bits 1 left, 2 right, 4 top, 8 bottom)")
    return {"anchor_x": 0.0 if bits & LEFT else 1.0 if bits & RIGHT else 0.5,
            "anchor_y": 0.0 if bits & TOP else 1.0 if bits & BOTTOM else 0.5}


def transform_json(layer: Layer, source: tuple[float, float]) -> dict[str, Any]:
    """The ``sceneItemTransform`` of a layer whose source size is ``source`` (px)."""
    t, c = layer.transform, layer.crop
    width, height = source
    return {
        "sourceWidth": width, "sourceHeight": height,
        "positionX": t.x_px, "positionY": t.y_px, "rotation": t.rotation_deg,
        "scaleX": t.scale_x, "scaleY": t.scale_y,
        "width": t.scale_x * width, "height": t.scale_y * height,
        "alignment": alignment(layer),
        "boundsType": BOUNDS_NONE, "boundsAlignment": 0, "boundsWidth": 0.0,
        "boundsHeight": 0.0,
        "cropLeft": round(c.left * width), "cropRight": round(c.right * width),
        "cropTop": round(c.top * height), "cropBottom": round(c.bottom * height),
        "cropToBounds": False,
    }


def _changed(current: dict[str, Any], obs: Data, key: str) -> float | None:
    """The new value of a numeric field, None when absent or the same as now."""
    value = number(obs, key, required=False)
    if value is None or math.isclose(value, float(current[key]), rel_tol=1e-9, abs_tol=1e-9):
        return None
    return value


def _size(size: float, key: str) -> float:
    if size <= 0:
        raise ObsRequestError(Status.INVALID_REQUEST_FIELD, f"sceneItemTransform.{key}: the "
                              "layer's source size is not known here: set its transform.width "
                              "and height over the API first")
    return size


def transform_patch(layer: Layer, source: tuple[float, float], obs: Data) -> dict[str, Any]:
    """The layer merge patch that makes its transform ``obs`` (a partial
    ``sceneItemTransform``); raises :class:`ObsRequestError` for what layers cannot do."""
    current = transform_json(layer, source)
    bounds = obs.get("boundsType")
    if bounds is not None and bounds != BOUNDS_NONE:
        raise ObsRequestError(Status.INVALID_REQUEST_FIELD, "sceneItemTransform.boundsType: "
                              "layers have no bounds box (only OBS_BOUNDS_NONE)")
    transform: dict[str, Any] = {}
    for obs_key, key in (("positionX", "x"), ("positionY", "y"), ("rotation", "rotation_deg"),
                         ("scaleX", "scale_x"), ("scaleY", "scale_y")):
        value = _changed(current, obs, obs_key)
        if value is not None:
            transform[key] = value
    for obs_key, scale_key, size in (("width", "scale_x", source[0]),
                                     ("height", "scale_y", source[1])):
        value = _changed(current, obs, obs_key)
        if value is not None:
            transform[scale_key] = value / _size(size, obs_key)
    bits = _changed(current, obs, "alignment")
    if bits is not None:
        if not bits.is_integer():
            raise ObsRequestError(Status.INVALID_REQUEST_FIELD_TYPE,
                                  "sceneItemTransform.alignment must be an integer")
        transform.update(_anchors(int(bits)))
    crop: dict[str, Any] = {}
    for obs_key, key, size in (("cropLeft", "left", source[0]), ("cropRight", "right", source[0]),
                               ("cropTop", "top", source[1]),
                               ("cropBottom", "bottom", source[1])):
        value = _changed(current, obs, obs_key)
        if value is not None:
            crop[key] = value / _size(size, obs_key) if value else 0.0
    patch: dict[str, Any] = {}
    if transform:
        patch["transform"] = transform
    if crop:
        patch["crop"] = crop
    return patch


SILENT_DB = -100.0
"""The ``inputVolumeDb`` OBS gives no sound (a gain of 0)."""


def volume_db(gain: float) -> float:
    """``inputVolumeDb`` of a linear gain (``inputVolumeMul``)."""
    return SILENT_DB if gain <= 10 ** (SILENT_DB / 20) else 20 * math.log10(gain)


def input_settings(layer: Layer) -> dict[str, Any]:
    """An input's ``inputSettings``: the layer's ``content`` as the API writes it (a text
    layer's text is ``text``, as in OBS's text sources)."""
    content = encode_layer(layer)["content"]
    return dict(content) if isinstance(content, dict) else {}


def settings_patch(layer: Layer, settings: Data, overlay: bool) -> dict[str, Any]:
    """The layer merge patch for ``SetInputSettings``: with ``overlay`` the settings are merged
    into the content; without, the content is reset (fields not given take their defaults)."""
    content: dict[str, Any] = {} if overlay else dict.fromkeys(input_settings(layer))
    content.update(settings)
    return {"content": content}


def scene_item(layer: Layer, item_id: int, index: int, source: tuple[float, float],
               name: str, uuid: str) -> dict[str, Any]:
    """One entry of ``GetSceneItemList``."""
    return {
        "inputKind": INPUT_KINDS.get(layer.kind, layer.kind),
        "isGroup": None,
        "sceneItemBlendMode": BLEND_MODES.get(layer.blend, "OBS_BLEND_NORMAL"),
        "sceneItemEnabled": layer.visible,
        "sceneItemId": item_id,
        "sceneItemIndex": index,
        "sceneItemLocked": False,
        "sceneItemTransform": transform_json(layer, source),
        "sourceName": name,
        "sourceType": "OBS_SOURCE_TYPE_INPUT",
        "sourceUuid": uuid,
    }
