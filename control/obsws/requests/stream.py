"""The stream is the program output: ``StartStream``/``StopStream``/``ToggleStream`` start and
stop it (``ProgramControl.start_output``/``stop_output``, as ``POST /api/v1/output/start`` and
``/stop`` do), ``GetStreamStatus`` reads it. ``SetStreamServiceSettings`` (``rtmp_custom``:
``server`` and ``key``) sets the URL the next ``StartStream`` streams to, for this endpoint;
without it ``StartStream`` starts the configured outputs (``--output``)."""

from __future__ import annotations

import time
from typing import Any

from control.obsws.endpoint import Endpoint
from control.obsws.errors import ObsRequestError
from control.obsws.fields import Data, obj, optional_text, text
from control.obsws.protocol import Status
from control.obsws.requests.base import Call, Handler
from control.routes.output import check_stream_url

__all__ = ["HANDLERS", "is_active", "timecode"]

CUSTOM = "rtmp_custom"


_ACTIVE = ("connecting", "live", "reconnecting")


def is_active(status: dict[str, Any]) -> bool:
    """Whether the program streams: its output is connecting, live or reconnecting."""
    return status.get("state") in _ACTIVE


def timecode(ms: int) -> str:
    """``HH:MM:SS.mmm``, as OBS writes output durations."""
    seconds, millis = divmod(ms, 1000)
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}.{millis:03d}"


async def get_stream_status(ep: Endpoint, call: Call) -> Data:
    status = ep.ctx.program.status()
    active = is_active(status)
    since = ep.stream_since
    duration = int((time.monotonic() - since) * 1000) if active and since is not None else 0
    outputs = status.get("outputs") or []
    return {
        "outputActive": active,
        "outputReconnecting": status.get("state") == "reconnecting",
        "outputTimecode": timecode(duration),
        "outputDuration": duration,
        "outputCongestion": 0.0,
        "outputBytes": sum(int(o.get("bytes_sent") or 0) for o in outputs),
        "outputSkippedFrames": int(status.get("dropped") or 0),
        "outputTotalFrames": int(status.get("frames") or 0),
    }


async def start_stream(ep: Endpoint, call: Call) -> None:
    if is_active(ep.ctx.program.status()):
        raise ObsRequestError(Status.OUTPUT_RUNNING, "The stream is already running.")
    await ep.ctx.program.start_output(ep.stream_url)


async def stop_stream(ep: Endpoint, call: Call) -> None:
    if ep.ctx.program.status().get("state") == "idle":  # (a failed output may be stopped)
        raise ObsRequestError(Status.OUTPUT_NOT_RUNNING, "The stream is not running.")
    await ep.ctx.program.stop_output()


async def toggle_stream(ep: Endpoint, call: Call) -> Data:
    active = is_active(ep.ctx.program.status())
    if active:
        await ep.ctx.program.stop_output()
    else:
        await ep.ctx.program.start_output(ep.stream_url)
    return {"outputActive": not active}


async def get_stream_service_settings(ep: Endpoint, call: Call) -> Data:
    settings: dict[str, Any] = {}
    if ep.stream_url is not None:
        server, _, key = ep.stream_url.rpartition("/")
        settings = {"server": server, "key": key}
    return {"streamServiceType": CUSTOM, "streamServiceSettings": settings}


async def set_stream_service_settings(ep: Endpoint, call: Call) -> None:
    kind = text(call.data, "streamServiceType")
    if kind != CUSTOM:
        raise ObsRequestError(Status.INVALID_REQUEST_FIELD, "streamServiceType: only "
                              f"{CUSTOM} (a server URL and a stream key) is supported")
    settings = obj(call.data, "streamServiceSettings")
    assert settings is not None
    server = text(settings, "server")
    key = optional_text(settings, "key")
    url = server.rstrip("/") + "/" + key if key else server
    ep.stream_url = check_stream_url(url, "streamServiceSettings.server")


HANDLERS: dict[str, Handler] = {
    "GetStreamStatus": get_stream_status,
    "StartStream": start_stream,
    "StopStream": stop_stream,
    "ToggleStream": toggle_stream,
    "GetStreamServiceSettings": get_stream_service_settings,
    "SetStreamServiceSettings": set_stream_service_settings,
}
