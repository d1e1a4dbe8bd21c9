"""Scenes are cues: ``GetSceneList``, ``GetCurrentProgramScene``, ``SetCurrentProgramScene``
(takes the cue: one commit), ``GetSceneItemList`` (the layers, whichever scene is named)."""

from __future__ import annotations

from control.obsws.endpoint import Endpoint
from control.obsws.fields import Data
from control.obsws.names import scene_list
from control.obsws.requests.base import Call, Handler
from control.obsws.requests.sceneitems import all_items, scene_argument

__all__ = ["HANDLERS"]


async def get_scene_list(ep: Endpoint, call: Call) -> Data:
    cues = await ep.cues.list()
    name, uuid = await ep.program_scene()
    preview: tuple[str | None, str | None] = (
        await ep.scene_of(ep.preview_cue) if ep.studio_mode else (None, None))
    return {"currentProgramSceneName": name, "currentProgramSceneUuid": uuid,
            "currentPreviewSceneName": preview[0], "currentPreviewSceneUuid": preview[1],
            "scenes": scene_list(cues)}


async def get_current_program_scene(ep: Endpoint, call: Call) -> Data:
    name, uuid = await ep.program_scene()
    return {"sceneName": name, "sceneUuid": uuid, "currentProgramSceneName": name,
            "currentProgramSceneUuid": uuid}


async def set_current_program_scene(ep: Endpoint, call: Call) -> None:
    """Take the cue (the program scene itself: nothing to take)."""
    cue = await scene_argument(ep, call.data)
    if cue is not None:
        await ep.cues.take(cue.id)


async def get_scene_item_list(ep: Endpoint, call: Call) -> Data:
    await scene_argument(ep, call.data)
    return {"sceneItems": await all_items(ep)}


async def get_group_list(ep: Endpoint, call: Call) -> Data:
    return {"groups": []}


HANDLERS: dict[str, Handler] = {
    "GetSceneList": get_scene_list,
    "GetCurrentProgramScene": get_current_program_scene,
    "SetCurrentProgramScene": set_current_program_scene,
    "GetSceneItemList": get_scene_item_list,
    "GetGroupList": get_group_list,
}
