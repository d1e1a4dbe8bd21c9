"""Layers as inputs: ``GetInputList``, ``GetInputKindList``, ``Get/SetInputSettings`` (the
layer's ``content``: a text layer's ``text``, a colour's ``color``, ...), ``GetSourceActive``
(whether the layer is visible)."""

from __future__ import annotations

from compositor.scene import Layer, draw_order
from control.obsws.endpoint import Endpoint
from control.obsws.errors import ObsRequestError
from control.obsws.fields import Data, obj, optional_text
from control.obsws.items import INPUT_KINDS, input_settings, settings_patch
from control.obsws.names import find_input, input_uuid, source_name
from control.obsws.protocol import Status
from control.obsws.requests.base import Call, Handler
from control.obsws.requests.sceneitems import update

__all__ = ["HANDLERS", "input_argument"]


def input_argument(ep: Endpoint, data: Data, kind: str = "input") -> Layer:
    """The layer an ``inputName``/``inputUuid`` (or ``source...``) names: 300 for neither,
    600 for no such layer."""
    name, uuid = optional_text(data, f"{kind}Name"), optional_text(data, f"{kind}Uuid")
    if name is None and uuid is None:
        raise ObsRequestError(Status.MISSING_REQUEST_FIELD, "Your request must contain at "
                              f"least one of `{kind}Name` or `{kind}Uuid`.")
    layer = find_input(ep.scene, name) if name is not None else next(
        (each for each in ep.scene.layers if input_uuid(each.id) == uuid), None)
    if layer is None:
        raise ObsRequestError(Status.RESOURCE_NOT_FOUND,
                              f"No source was found by the name of `{name or uuid}`.")
    return layer


async def get_input_list(ep: Endpoint, call: Call) -> Data:
    kind = optional_text(call.data, "inputKind")
    inputs = []
    for layer in draw_order(ep.scene):
        obs_kind = INPUT_KINDS.get(layer.kind, layer.kind)
        if kind is None or kind == obs_kind:
            inputs.append({"inputKind": obs_kind, "inputKindCaps": 0,
                           "inputName": source_name(layer), "inputUuid": input_uuid(layer.id),
                           "unversionedInputKind": obs_kind.removesuffix("_v2")
                           .removesuffix("_v3")})
    return {"inputs": inputs}


async def get_input_kind_list(ep: Endpoint, call: Call) -> Data:
    return {"inputKinds": sorted(set(INPUT_KINDS.values()))}


async def get_input_settings(ep: Endpoint, call: Call) -> Data:
    layer = input_argument(ep, call.data)
    return {"inputSettings": input_settings(layer),
            "inputKind": INPUT_KINDS.get(layer.kind, layer.kind)}


async def set_input_settings(ep: Endpoint, call: Call) -> None:
    layer = input_argument(ep, call.data)
    settings = obj(call.data, "inputSettings")
    assert settings is not None
    overlay = call.data.get("overlay", True)
    if not isinstance(overlay, bool):
        raise ObsRequestError(Status.INVALID_REQUEST_FIELD_TYPE,
                              "The field value of `overlay` must be a boolean.")
    if overlay and not settings:
        return  # nothing to change
    await update(ep, layer, settings_patch(layer, settings, overlay))


async def get_source_active(ep: Endpoint, call: Call) -> Data:
    layer = input_argument(ep, call.data, "source")
    return {"videoActive": layer.visible, "videoShowing": layer.visible}


HANDLERS: dict[str, Handler] = {
    "GetSourceActive": get_source_active,
    "GetInputList": get_input_list,
    "GetInputKindList": get_input_kind_list,
    "GetInputSettings": get_input_settings,
    "SetInputSettings": set_input_settings,
}
