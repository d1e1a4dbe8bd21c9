"""General requests: ``GetStats``, ``GetVideoSettings`` (the canvas) and ``Sleep``
(``GetVersion`` lives with the request table; studio mode with ``studio.py``)."""

from __future__ import annotations

import asyncio
import os
import resource
import shutil
import time
from typing import Any

from control.obsws.endpoint import Endpoint
from control.obsws.errors import ObsRequestError
from control.obsws.fields import Data, number
from control.obsws.protocol import Status
from control.obsws.requests.base import Call, Handler

__all__ = ["HANDLERS"]

_MIB = 1024 * 1024
SERIAL_REALTIME, SERIAL_FRAME = 0, 1
MAX_SLEEP_MS = 50_000
MAX_SLEEP_FRAMES = 10_000


def _memory_mib() -> float:
    """This process's resident memory in MiB (the peak where /proc is missing)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            pages = int(statm.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / _MIB
    except (OSError, ValueError, IndexError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _disk_mib(folder: str | None) -> float:
    try:
        return shutil.disk_usage(folder or ".").free / _MIB
    except OSError:
        return 0.0


def _render_ms(ep: Endpoint) -> float:
    """The mean render time of a frame so far, in ms (0 before the first / without a pipeline)."""
    registry = ep.ctx.metrics.registry
    total = registry.get_sample_value("compositor_frame_render_seconds_sum")
    count = registry.get_sample_value("compositor_frame_render_seconds_count")
    return 1000.0 * total / count if total is not None and count else 0.0


async def get_stats(ep: Endpoint, call: Call) -> Data:
    status: dict[str, Any] = ep.ctx.program.status()
    elapsed = max(time.monotonic() - ep.started, 1e-6)
    frames = int(status.get("frames") or 0)
    return {
        "cpuUsage": 100.0 * time.process_time() / elapsed,
        "memoryUsage": _memory_mib(),
        "availableDiskSpace": _disk_mib(ep.data_dir),
        "activeFps": float(status.get("fps") or 0.0),
        "averageFrameRenderTime": _render_ms(ep),
        "renderSkippedFrames": int(status.get("dropped") or 0),
        "renderTotalFrames": int(status.get("rendered") or 0) + int(status.get("reused") or 0),
        "outputSkippedFrames": int(status.get("late") or 0),
        "outputTotalFrames": frames,
        "webSocketSessionIncomingMessages": call.stats.incoming,
        "webSocketSessionOutgoingMessages": call.stats.outgoing,
    }


async def sleep(ep: Endpoint, call: Call) -> None:
    """Only in a batch: ``sleepMillis`` (SerialRealtime) or ``sleepFrames`` (SerialFrame, frames
    of the channel's rate)."""
    if call.batch == SERIAL_REALTIME:
        millis = number(call.data, "sleepMillis", 0, MAX_SLEEP_MS)
        assert millis is not None
        await asyncio.sleep(millis / 1000)
    elif call.batch == SERIAL_FRAME:
        frames = number(call.data, "sleepFrames", 0, MAX_SLEEP_FRAMES)
        assert frames is not None
        await asyncio.sleep(frames / float(ep.scene.fps))
    else:
        raise ObsRequestError(Status.UNSUPPORTED_REQUEST_BATCH_EXECUTION_TYPE,
                              "Sleep works only in a SerialRealtime or SerialFrame batch.")


async def get_video_settings(ep: Endpoint, call: Call) -> Data:
    scene = ep.scene
    return {"fpsNumerator": scene.fps.numerator, "fpsDenominator": scene.fps.denominator,
            "baseWidth": scene.width, "baseHeight": scene.height,
            "outputWidth": scene.width, "outputHeight": scene.height}


HANDLERS: dict[str, Handler] = {"GetStats": get_stats, "Sleep": sleep,
                                "GetVideoSettings": get_video_settings}
