"""Layers' sound as OBS inputs' audio: ``Get/SetInputMute``, ``ToggleInputMute`` (the layer's
``content.muted``) and ``Get/SetInputVolume`` (its ``content.volume``, a linear gain 0..2:
``inputVolumeMul``, or ``inputVolumeDb`` = 20·log10 of it; -100 dB and below is 0). Only layers
with sound have them (video and audio layers: clips and live inputs); another layer answers 604
``InvalidResourceState``, as OBS does for an input without audio. Each change is one commit; a
volume the layer refuses (above 2, +6 dB) is 400 with ``content.volume`` in the comment."""

from __future__ import annotations

from compositor.scene import AudioContent, Layer, VideoContent
from control.obsws.endpoint import Endpoint
from control.obsws.errors import ObsRequestError
from control.obsws.fields import Data, boolean, number
from control.obsws.items import SILENT_DB, volume_db
from control.obsws.protocol import Status
from control.obsws.requests.base import Call, Handler
from control.obsws.requests.inputs import input_argument
from control.obsws.requests.sceneitems import update

__all__ = ["HANDLERS"]


def _sound(ep: Endpoint, call: Call) -> tuple[Layer, VideoContent | AudioContent]:
    layer = input_argument(ep, call.data)
    if not isinstance(layer.content, VideoContent | AudioContent):
        raise ObsRequestError(Status.INVALID_RESOURCE_STATE,
                              "The specified input does not support audio.")
    return layer, layer.content


async def get_input_mute(ep: Endpoint, call: Call) -> Data:
    return {"inputMuted": _sound(ep, call)[1].muted}


async def set_input_mute(ep: Endpoint, call: Call) -> None:
    layer, content = _sound(ep, call)
    muted = boolean(call.data, "inputMuted")
    if muted != content.muted:
        await update(ep, layer, {"content": {"muted": muted}})


async def toggle_input_mute(ep: Endpoint, call: Call) -> Data:
    layer, content = _sound(ep, call)
    await update(ep, layer, {"content": {"muted": not content.muted}})
    return {"inputMuted": not content.muted}


async def get_input_volume(ep: Endpoint, call: Call) -> Data:
    volume = _sound(ep, call)[1].volume
    return {"inputVolumeMul": volume, "inputVolumeDb": volume_db(volume)}


async def set_input_volume(ep: Endpoint, call: Call) -> None:
    layer, content = _sound(ep, call)
    mul = number(call.data, "inputVolumeMul", 0, 20, required=False)
    db = number(call.data, "inputVolumeDb", -100, 26, required=False)
    if (mul is None) == (db is None):
        raise ObsRequestError(Status.INVALID_REQUEST_FIELD, "You must specify one volume "
                              "field: `inputVolumeMul` or `inputVolumeDb`.")
    if mul is not None:
        gain = mul
    else:
        assert db is not None
        gain = 0.0 if db <= SILENT_DB else 10 ** (db / 20)
    if gain != content.volume:
        await update(ep, layer, {"content": {"volume": round(gain, 6)}})


HANDLERS: dict[str, Handler] = {
    "GetInputMute": get_input_mute,
    "SetInputMute": set_input_mute,
    "ToggleInputMute": toggle_input_mute,
    "GetInputVolume": get_input_volume,
    "SetInputVolume": set_input_volume,
}
