"""Layers as scene items: ``GetSceneItemId``, ``Get/SetSceneItemEnabled`` (``visible``),
``Get/SetSceneItemTransform`` (``transform`` and ``crop``, see ``control.obsws.items``),
``GetSceneItemIndex``. Every change is one commit of one ``update`` op."""

from __future__ import annotations

from typing import Any

from compositor.scene import Layer, UpdateLayer, draw_order
from control.obsws.endpoint import Cue, Endpoint
from control.obsws.errors import ObsRequestError
from control.obsws.fields import Data, boolean, number, obj, optional_text, text
from control.obsws.items import scene_item, transform_json, transform_patch
from control.obsws.names import find_input, input_uuid, item_ids, source_name
from control.obsws.protocol import Status
from control.obsws.requests.base import Call, Handler

__all__ = ["HANDLERS", "all_items", "scene_argument", "update"]

_MAX_ITEM_ID = 0x7FFF_FFFF


async def scene_argument(ep: Endpoint, data: Data) -> Cue | None:
    """The scene a request names by ``sceneName`` or ``sceneUuid`` (one is needed: 300): a cue,
    or None for the program scene; 600 for anything else. Every scene has the same items."""
    name, uuid = optional_text(data, "sceneName"), optional_text(data, "sceneUuid")
    if name is None and uuid is None:
        raise ObsRequestError(Status.MISSING_REQUEST_FIELD, "Your request must contain at "
                              "least one of `sceneName` or `sceneUuid`.")
    return await ep.find_cue(name, uuid)


async def all_items(ep: Endpoint) -> list[dict[str, Any]]:
    """Every layer as a scene item, bottom first."""
    scene = ep.scene
    ids = item_ids(scene)
    return [scene_item(layer, ids[layer.id], index, await ep.source_size(layer),
                       source_name(layer), input_uuid(layer.id))
            for index, layer in enumerate(draw_order(scene))]


async def _item(ep: Endpoint, data: Data) -> Layer:
    await scene_argument(ep, data)
    item_id = number(data, "sceneItemId", 0, _MAX_ITEM_ID)
    assert item_id is not None
    if not item_id.is_integer():
        raise ObsRequestError(Status.INVALID_REQUEST_FIELD_TYPE,
                              "The field value of `sceneItemId` must be an integer.")
    return ep.item(int(item_id))


async def update(ep: Endpoint, layer: Layer, patch: dict[str, Any]) -> None:
    """Commit ``patch`` to ``layer`` (nothing when the patch is empty)."""
    if patch:
        await ep.commit((UpdateLayer(layer.id, patch),))


async def get_scene_item_id(ep: Endpoint, call: Call) -> Data:
    await scene_argument(ep, call.data)
    name = text(call.data, "sourceName")
    offset = number(call.data, "searchOffset", -1, 10_000, required=False) or 0.0
    layer = find_input(ep.scene, name, int(offset))
    if layer is None:
        raise ObsRequestError(Status.RESOURCE_NOT_FOUND, "No scene items were found in the "
                              f"specified scene by that name or offset: `{name}`.")
    return {"sceneItemId": ep.item_id(layer)}


async def get_scene_item_enabled(ep: Endpoint, call: Call) -> Data:
    return {"sceneItemEnabled": (await _item(ep, call.data)).visible}


async def set_scene_item_enabled(ep: Endpoint, call: Call) -> None:
    layer = await _item(ep, call.data)
    enabled = boolean(call.data, "sceneItemEnabled")
    await update(ep, layer, {"visible": enabled} if enabled != layer.visible else {})


async def get_scene_item_transform(ep: Endpoint, call: Call) -> Data:
    layer = await _item(ep, call.data)
    return {"sceneItemTransform": transform_json(layer, await ep.source_size(layer))}


async def set_scene_item_transform(ep: Endpoint, call: Call) -> None:
    layer = await _item(ep, call.data)
    obs = obj(call.data, "sceneItemTransform")
    assert obs is not None
    await update(ep, layer, transform_patch(layer, await ep.source_size(layer), obs))


async def get_scene_item_index(ep: Endpoint, call: Call) -> Data:
    layer = await _item(ep, call.data)
    order = [each.id for each in draw_order(ep.scene)]
    return {"sceneItemIndex": order.index(layer.id)}


async def get_scene_item_source(ep: Endpoint, call: Call) -> Data:
    layer = await _item(ep, call.data)
    return {"sourceName": source_name(layer), "sourceUuid": input_uuid(layer.id)}


async def get_scene_item_locked(ep: Endpoint, call: Call) -> Data:
    await _item(ep, call.data)
    return {"sceneItemLocked": False}


HANDLERS: dict[str, Handler] = {
    "GetSceneItemId": get_scene_item_id,
    "GetSceneItemEnabled": get_scene_item_enabled,
    "SetSceneItemEnabled": set_scene_item_enabled,
    "GetSceneItemTransform": get_scene_item_transform,
    "SetSceneItemTransform": set_scene_item_transform,
    "GetSceneItemIndex": get_scene_item_index,
    "GetSceneItemSource": get_scene_item_source,
    "GetSceneItemLocked": get_scene_item_locked,
}
