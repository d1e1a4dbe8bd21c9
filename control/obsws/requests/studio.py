"""Studio mode: a preview scene (a cue waiting to be taken) and a transition that takes it.

``SetStudioModeEnabled`` turns it on (the preview scene starts as the program scene, as in OBS)
or off; ``SetCurrentPreviewScene`` picks the cue to take next; ``TriggerStudioModeTransition``
takes it (one commit, with the cue's own transitions) and then swaps: the scene that was on air
becomes the preview, as OBS does by default. Studio mode and the preview scene belong to this
endpoint (OBS keeps them in its window): every session of this process shares them; another
replica has its own. Without studio mode the preview requests answer 506
``StudioModeNotActive``, as OBS does.

Transitions: a cue carries its own (``animate``, enter/exit in its ops), so the list holds one
fixed transition, ``Cue``, and the current one is always it.
"""

from __future__ import annotations

from control.obsws.endpoint import Endpoint
from control.obsws.errors import ObsRequestError
from control.obsws.fields import Data, boolean
from control.obsws.names import scene_uuid
from control.obsws.protocol import Status, Subscription
from control.obsws.requests.base import Call, Handler
from control.obsws.requests.sceneitems import scene_argument

__all__ = ["HANDLERS", "TRANSITION"]

TRANSITION: Data = {
    "transitionName": "Cue", "transitionUuid": scene_uuid("transition:cue"),
    "transitionKind": "cut_transition", "transitionFixed": True, "transitionConfigurable": False,
}
"""The one transition: the cue's own (its ops' ``animate``, enter and exit)."""


def _studio(ep: Endpoint) -> None:
    if not ep.studio_mode:
        raise ObsRequestError(Status.STUDIO_MODE_NOT_ACTIVE, "Studio mode is not active.")


async def get_studio_mode_enabled(ep: Endpoint, call: Call) -> Data:
    return {"studioModeEnabled": ep.studio_mode}


async def set_studio_mode_enabled(ep: Endpoint, call: Call) -> None:
    enabled = boolean(call.data, "studioModeEnabled")
    if enabled == ep.studio_mode:
        return
    ep.studio_mode = enabled
    ep.preview_cue = ep.on_air_cue if enabled else None
    ep.broadcast(Subscription.UI, "StudioModeStateChanged", {"studioModeEnabled": enabled})


async def get_current_preview_scene(ep: Endpoint, call: Call) -> Data:
    _studio(ep)
    name, uuid = await ep.scene_of(ep.preview_cue)
    return {"sceneName": name, "sceneUuid": uuid, "currentPreviewSceneName": name,
            "currentPreviewSceneUuid": uuid}


async def set_current_preview_scene(ep: Endpoint, call: Call) -> None:
    _studio(ep)
    cue = await scene_argument(ep, call.data)
    await _preview(ep, None if cue is None else cue.id)


async def trigger_studio_mode_transition(ep: Endpoint, call: Call) -> None:
    """Take the preview cue (the ``Program`` scene: nothing to take), then swap."""
    _studio(ep)
    on_air, preview = ep.on_air_cue, ep.preview_cue
    if preview is not None:
        await ep.cues.take(preview)
        ep.on_air_cue = preview  # the change feed says so too, a moment later
    await _preview(ep, on_air)


async def _preview(ep: Endpoint, cue_id: str | None) -> None:
    ep.preview_cue = cue_id
    name, uuid = await ep.scene_of(cue_id)
    ep.broadcast(Subscription.SCENES, "CurrentPreviewSceneChanged",
                 {"sceneName": name, "sceneUuid": uuid})


async def get_scene_transition_list(ep: Endpoint, call: Call) -> Data:
    return {"currentSceneTransitionName": TRANSITION["transitionName"],
            "currentSceneTransitionUuid": TRANSITION["transitionUuid"],
            "currentSceneTransitionKind": TRANSITION["transitionKind"],
            "transitions": [TRANSITION]}


async def get_current_scene_transition(ep: Endpoint, call: Call) -> Data:
    return {**TRANSITION, "transitionDuration": None, "transitionSettings": None}


HANDLERS: dict[str, Handler] = {
    "GetStudioModeEnabled": get_studio_mode_enabled,
    "SetStudioModeEnabled": set_studio_mode_enabled,
    "GetCurrentPreviewScene": get_current_preview_scene,
    "SetCurrentPreviewScene": set_current_preview_scene,
    "TriggerStudioModeTransition": trigger_studio_mode_transition,
    "GetSceneTransitionList": get_scene_transition_list,
    "GetCurrentSceneTransition": get_current_scene_transition,
}
