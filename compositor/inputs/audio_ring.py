"""The audio side of an input's jitter buffer: 48 kHz stereo float32 samples by house sample.

Program sample ``n`` plays at Unix time ``n / 48000``. The reader thread writes each resampled
block at the sample its due time names (:meth:`AudioRing.write`); the render thread reads the
samples of an output frame (:meth:`AudioRing.read`). Every slot remembers which absolute sample
it holds, so a read returns exactly what was written for those samples and silence anywhere else
(nothing yet, already overwritten, a lost input): a reader never sees stale sound. Blocks that
follow the previous one within :data:`SNAP_SAMPLES` are placed right after it, so rounding never
opens a gap or an overlap in continuous sound. Bounded (``seconds`` of ring); thread-safe.
"""

from __future__ import annotations

import threading

import numpy as np
import numpy.typing as npt

from compositor.media.info import AUDIO_RATE

__all__ = ["SNAP_SAMPLES", "AudioRing"]

SNAP_SAMPLES = AUDIO_RATE // 50  # 20 ms


class AudioRing:
    """A ring of ``seconds`` of program-rate stereo samples."""

    def __init__(self, seconds: float = 4.0) -> None:
        self._size = int(seconds * AUDIO_RATE)
        self._pcm = np.zeros((self._size, 2), np.float32)
        self._owner = np.full(self._size, -1, np.int64)
        self._lock = threading.Lock()
        self._next: int | None = None

    def restart(self) -> None:
        """The next block starts a new run (a new connection, a discontinuity)."""
        self._next = None

    def write(self, start: int, pcm: npt.NDArray[np.float32]) -> int:
        """Keep ``pcm`` ((n, 2) float32) for absolute samples ``start..start+n``; returns the
        start used (snapped to the previous block's end when within :data:`SNAP_SAMPLES`)."""
        if self._next is not None and abs(start - self._next) <= SNAP_SAMPLES:
            start = self._next
        count = min(len(pcm), self._size)
        positions = np.arange(start, start + count, dtype=np.int64)
        slots = positions % self._size
        with self._lock:
            self._pcm[slots] = pcm[:count]
            self._owner[slots] = positions
        self._next = start + len(pcm)
        return start

    def read(self, start: int, count: int) -> npt.NDArray[np.float32]:
        """Samples ``start..start+count`` ((count, 2) float32), zeros where none were written."""
        positions = np.arange(start, start + count, dtype=np.int64)
        slots = positions % self._size
        with self._lock:
            out = self._pcm[slots].copy()
            valid = self._owner[slots] == positions
        out[~valid] = 0.0
        return out
