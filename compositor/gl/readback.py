"""A ring of pixel-buffer objects so reading frames back does not stall rendering.

Each submitted frame is written (by the GPU, asynchronously) into a free buffer of the ring and
followed by a fence. :meth:`ReadbackRing.completed` hands out, oldest first, the frames whose
fence has passed and never waits; when every buffer is in flight, :meth:`ReadbackRing.submit`
waits for the oldest one first, so memory stays bounded at ``depth`` buffers plus frames handed
out but not yet collected. Frames come out as new numpy arrays (the caller may keep them).

A frame may be submitted with only some byte ``spans`` written (a damaged frame): it is then read
as the frame before it with those spans read back over it, which is why frames are collected in
the order they were submitted. The first frame must be whole.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

import moderngl
import numpy as np
import numpy.typing as npt

from compositor.gl.fence import Fence, GLSync

__all__ = ["ReadbackRing"]

Frame = tuple[object, npt.NDArray[np.uint8]]


@dataclass(slots=True)
class _InFlight:
    slot: int
    tag: object
    fence: Fence
    spans: list[tuple[int, int]] | None  # (offset, size) written; None: all of it


class ReadbackRing:
    """``depth`` buffers of ``shape`` uint8 frames; used from the GL thread only."""

    def __init__(
        self, ctx: moderngl.Context, shape: tuple[int, ...], depth: int, sync: GLSync
    ) -> None:
        if depth < 1:
            raise ValueError(f"ring depth must be at least 1, got {depth}")
        self.shape = shape
        self.nbytes = int(np.prod(shape))
        self._sync = sync
        self._buffers = [ctx.buffer(reserve=self.nbytes) for _ in range(depth)]
        self._free = list(range(depth))
        self._in_flight: deque[_InFlight] = deque()
        self._ready: list[Frame] = []
        self.waits = 0  # submits that had to wait for a transfer (ring full)
        self._last: npt.NDArray[np.uint8] | None = None  # the newest collected frame

    @property
    def pending(self) -> int:
        return len(self._in_flight) + len(self._ready)

    def submit(self, tag: object, fill: Callable[[moderngl.Buffer], None],
               spans: list[tuple[int, int]] | None = None) -> None:
        """Queue ``fill(buffer)`` (GPU commands writing a frame) and fence it under ``tag``.

        ``spans``: the ``(offset, size)`` byte ranges ``fill`` writes when it writes only part
        of the frame (the rest is the previous frame's); None: the whole frame."""
        if spans is not None and self._last is None and not self._in_flight:
            raise ValueError("a partial frame needs a whole frame before it")
        if not self._free:
            self.waits += 1
            self._collect(self._in_flight.popleft(), wait=True)
        slot = self._free.pop()
        fill(self._buffers[slot])
        self._in_flight.append(_InFlight(slot, tag, self._sync.fence(), spans))

    def completed(self) -> list[Frame]:
        """Frames whose transfer is done, oldest first; never blocks."""
        while self._in_flight and self._in_flight[0].fence.done():
            self._collect(self._in_flight.popleft(), wait=False)
        return self._take()

    def flush(self) -> list[Frame]:
        """Wait for every frame in flight; all pending frames, oldest first."""
        while self._in_flight:
            self._collect(self._in_flight.popleft(), wait=True)
        return self._take()

    def release(self) -> None:
        for item in self._in_flight:
            item.fence.delete()
        self._in_flight.clear()
        for buffer in self._buffers:
            buffer.release()
        self._last = None

    def _collect(self, item: _InFlight, *, wait: bool) -> None:
        if wait:
            item.fence.wait()
        item.fence.delete()
        buffer = self._buffers[item.slot]
        if item.spans is None or self._last is None:
            frame = np.empty(self.shape, dtype=np.uint8)
            buffer.read_into(frame)
        else:
            frame = self._last.copy()
            flat = frame.reshape(-1)
            for offset, size in item.spans:
                buffer.read_into(flat, size=size, offset=offset, write_offset=offset)
        self._last = frame
        self._free.append(item.slot)
        self._ready.append((item.tag, frame))

    def _take(self) -> list[Frame]:
        ready, self._ready = self._ready, []
        return ready
