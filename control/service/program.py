"""The pipeline seen by the control plane: :class:`PipelineProgram` implements
``control.program.ProgramControl``; :class:`CommitToAir` measures commit-to-air latency;
:class:`AirReceipts` writes on-air receipts to the store.

Pipeline errors are translated here, once, into the control plane's ``ProgramError`` (a refusal
in the current state) and ``ProgramArgumentError`` (a bad argument).
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
import threading
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any

import numpy as np
import numpy.typing as npt
from PIL import Image

from compositor.errors import CompositorError, PreviewBusyError
from compositor.pipeline import AppliedFrame, Pipeline
from compositor.scene import Scene
from control.errors import (
    ControlError,
    ProgramArgumentError,
    ProgramError,
    ProgramUnavailableError,
)
from control.metrics import ControlMetrics
from control.store.base import Receipt, Store

__all__ = ["AirReceipts", "CommitToAir", "PipelineProgram", "rgba_jpeg"]

log = logging.getLogger(__name__)


class PipelineProgram:
    """``ProgramControl`` over a running :class:`Pipeline`.

    ``configured`` are the outputs from the settings: ``start_output(None)`` starts them.
    """

    def __init__(self, pipeline: Pipeline, configured: tuple[str, ...],
                 air: CommitToAir | None = None,
                 prepare: Callable[[Scene], Awaitable[object]] | None = None) -> None:
        """``prepare(scene)`` loads what a preview's scene needs (its assets) first."""
        self.pipeline = pipeline
        self.configured = configured
        self.air = air
        self.prepare = prepare

    def status(self) -> dict[str, Any]:
        """The pipeline's status plus ``start_frame`` (the absolute frame of pts 0) and
        ``applied``: the last version that went on air, its absolute ``frame``, ``pts`` and
        ``encoded_unix`` (None before the first)."""
        status = self.pipeline.status()
        status["start_frame"] = self.pipeline.start_frame
        last = self.air.last if self.air is not None else None
        status["applied"] = None if last is None else {
            "version": last.version, "frame": last.frame, "pts": last.pts,
            "encoded_unix": last.encoded_unix, "late_frames": last.late_frames}
        return status

    async def start_output(self, url: str | None) -> dict[str, Any]:
        targets = (url,) if url is not None else self.configured
        if not targets:
            raise ProgramArgumentError("no URL given and no output configured (--output)",
                                       path="url")
        for target in targets:
            try:
                await asyncio.to_thread(self.pipeline.start_output, target)
            except CompositorError as exc:
                raise ProgramArgumentError(f"cannot start the output: {exc}",
                                           path="url") from exc
        return self.status()

    async def stop_output(self) -> dict[str, Any]:
        try:
            await asyncio.to_thread(self.pipeline.stop_output, None)
        except CompositorError as exc:
            raise ProgramError(f"cannot stop the outputs: {exc}") from exc
        return self.status()

    def preview_jpeg(self, width: int | None) -> bytes | None:
        return self.pipeline.preview_jpeg(width)

    async def preview_scene(self, scene: Scene, frame: int, width: int | None) -> bytes:
        """Rendered between program frames; 503 when the render thread has no time for it
        within ``PREVIEW_WAIT_S`` (program frames come first) or stopped."""
        if self.prepare is not None:
            await self.prepare(scene)
        try:
            future = self.pipeline.request_preview(scene, frame)
            rgba = await asyncio.wait_for(asyncio.wrap_future(future), PREVIEW_WAIT_S)
        except (PreviewBusyError, TimeoutError) as exc:
            raise ProgramUnavailableError(f"no preview now: {exc or 'the render thread is busy'}"
                                          ) from exc
        return await asyncio.to_thread(rgba_jpeg, rgba, width or self.pipeline.config.width)

    def problems(self) -> dict[str, str]:
        return self.pipeline.problems()


PREVIEW_WAIT_S = 3.0


def rgba_jpeg(rgba: npt.NDArray[np.uint8], width: int, quality: int = 90) -> bytes:
    """Straight-alpha RGBA as a JPEG ``width`` px wide, over black as the program shows it."""
    alpha = rgba[..., 3:4].astype(np.float32) / 255.0
    rgb = np.clip(rgba[..., :3].astype(np.float32) * alpha + 0.5, 0, 255).astype(np.uint8)
    image = Image.fromarray(rgb, mode="RGB")
    width = max(16, min(width, image.width))
    if width != image.width:
        height = max(1, round(image.height * width / image.width))
        image = image.resize((width, height), Image.Resampling.BILINEAR)
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=quality)
    return out.getvalue()


class CommitToAir:
    """Remembers when each version was committed; observes the latency when it goes on air.

    :meth:`committed` runs on the event loop, :meth:`on_applied` on the encode thread. Versions
    superseded before a frame showed them count as aired with the version that did; at most
    ``keep`` are remembered.
    """

    def __init__(self, metrics: ControlMetrics, keep: int = 4096) -> None:
        self._metrics = metrics
        self._keep = keep
        self._lock = threading.Lock()
        self._at: OrderedDict[int, float] = OrderedDict()
        self.last: AppliedFrame | None = None

    def committed(self, version: int, at_unix: float) -> None:
        with self._lock:
            self._at[version] = at_unix
            while len(self._at) > self._keep:
                self._at.popitem(last=False)

    def on_applied(self, applied: AppliedFrame) -> None:
        with self._lock:
            # Versions superseded before a frame showed them alone air with this one: their
            # changes are in it.
            aired = [(v, at) for v, at in self._at.items() if v <= applied.version]
            for version, _ in aired:
                del self._at[version]
            self.last = applied
        for _, at_unix in aired:
            self._metrics.commit_to_air_seconds.observe(max(0.0, applied.encoded_unix - at_unix))


class AirReceipts:
    """Turns the pipeline's :class:`AppliedFrame` reports into store receipts.

    :meth:`committed` (event loop, by the scene feeder, before it publishes) remembers each
    version's requested frame (``Landing.requested_frame``, None for immediate commits). When a
    version first goes on air (:meth:`on_applied`, encode thread), it and every earlier remembered
    version it superseded (their changes are in it) get a receipt for that frame, each late by
    ``frame - at_frame`` when that is positive. :meth:`run` writes them, on the event loop.
    """

    def __init__(self, store: Store, keep: int = 4096) -> None:
        self._store = store
        self._keep = keep
        self._at: OrderedDict[int, int | None] = OrderedDict()
        self._queue: asyncio.Queue[AppliedFrame] = asyncio.Queue()
        self._loop = asyncio.get_running_loop()

    def committed(self, version: int, at_frame: int | None) -> None:
        self._at[version] = at_frame
        while len(self._at) > self._keep:
            self._at.popitem(last=False)

    def on_applied(self, applied: AppliedFrame) -> None:
        """Thread-safe; never blocks the encode thread."""
        with contextlib.suppress(RuntimeError):  # the loop is closed: the service is stopping
            self._loop.call_soon_threadsafe(self._queue.put_nowait, applied)

    def receipts(self, applied: AppliedFrame) -> list[Receipt]:
        """The receipts ``applied`` settles (event loop)."""
        versions = [v for v in self._at if v <= applied.version]
        at_frames = {v: self._at.pop(v) for v in versions}
        if applied.version not in at_frames:  # published without a commit (start, snapshot)
            at_frames[applied.version] = None
        return [Receipt(v, applied.frame, applied.pts,
                        max(0, applied.frame - at) if at is not None else 0,
                        applied.encoded_unix) for v, at in sorted(at_frames.items())]

    async def run(self) -> None:
        while True:
            applied = await self._queue.get()
            for receipt in self.receipts(applied):
                try:
                    await self._store.put_receipt(receipt)
                except ControlError as exc:  # a store outage loses this receipt only
                    log.warning("cannot store the receipt of version %d: %s",
                                receipt.version, exc)
