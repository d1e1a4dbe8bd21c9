"""Program audio on the encode thread: each frame's samples placed on the outputs' timeline, and
the peak meter.

Frame ``F`` owns the output samples ``[S(F), S(F + 1))`` with ``S(f) = floor(f * 48000 / fps)``
(absolute house-clock frames, so live and offline runs cut the audio identically and audio and
video share one origin: A/V sync within a frame by construction). In a container whose video pts
0 is frame ``F0``, frame ``F``'s samples start at container sample ``S(F) - S(F0)``. A frame
without PCM (no media library) is silence of the right length.

Peaks: the largest absolute sample per channel over the frames of the last second, in dBFS
(``20 log10``), never below :data:`PEAK_FLOOR_DBFS` (digital silence).
"""

from __future__ import annotations

import math
from collections import deque
from fractions import Fraction

import numpy as np
import numpy.typing as npt

from compositor.metrics import PipelineMetrics
from compositor.output.audio import AUDIO_RATE, AudioChunk

__all__ = ["PEAK_FLOOR_DBFS", "ProgramAudio", "frame_samples", "sample_at"]

PEAK_FLOOR_DBFS = -120.0
_CHANNELS = ("left", "right")

PCM = npt.NDArray[np.float32]


def sample_at(frame: int, fps: Fraction) -> int:
    """``S(frame)``: the first 48 kHz sample of absolute ``frame``, exactly."""
    return math.floor(Fraction(frame) * AUDIO_RATE / Fraction(fps))


def frame_samples(frame: int, fps: Fraction) -> int:
    """How many samples absolute ``frame`` owns: ``S(frame + 1) - S(frame)``."""
    return sample_at(frame + 1, fps) - sample_at(frame, fps)


def _dbfs(peak: float) -> float:
    if peak <= 0.0:
        return PEAK_FLOOR_DBFS
    return max(PEAK_FLOOR_DBFS, 20.0 * math.log10(peak))


class ProgramAudio:
    """Turns each encoded frame's PCM into an :class:`AudioChunk` and meters it.

    Used by the encode thread; :meth:`peak_dbfs` may be read from any thread.
    """

    def __init__(self, fps: Fraction, metrics: PipelineMetrics) -> None:
        self._fps = Fraction(fps)
        self._window: deque[tuple[float, float]] = deque(maxlen=max(1, math.ceil(self._fps)))
        self._peaks = (PEAK_FLOOR_DBFS, PEAK_FLOOR_DBFS)
        self._gauges = [metrics.audio_peak_dbfs.labels(channel=name) for name in _CHANNELS]
        for gauge in self._gauges:
            gauge.set(PEAK_FLOOR_DBFS)

    def chunk(self, frame: int, pts: int, pcm: PCM | None) -> AudioChunk:
        """The chunk of absolute ``frame`` (video ``pts``): ``pcm`` or silence, at its place.

        ``pcm`` of the wrong length (a bug upstream) is cut or padded with silence, so the
        timeline stays exact.
        """
        count = frame_samples(frame, self._fps)
        if pcm is None:
            samples = np.zeros((count, 2), dtype=np.float32)
        elif pcm.shape == (count, 2):
            samples = np.asarray(pcm, dtype=np.float32)
        else:
            samples = np.zeros((count, 2), dtype=np.float32)
            kept = min(count, pcm.shape[0])
            samples[:kept] = pcm[:kept, :2]
        start = sample_at(frame, self._fps) - sample_at(frame - pts, self._fps)
        self._meter(samples)
        return AudioChunk(start, samples)

    def peak_dbfs(self) -> list[float]:
        """[left, right]: the last second's peaks in dBFS (floor :data:`PEAK_FLOOR_DBFS`)."""
        return list(self._peaks)

    def _meter(self, samples: PCM) -> None:
        if samples.size:
            peak = np.abs(samples).max(axis=0)
            self._window.append((float(peak[0]), float(peak[1])))
        else:
            self._window.append((0.0, 0.0))
        left = max(p[0] for p in self._window)
        right = max(p[1] for p in self._window)
        self._peaks = (_dbfs(left), _dbfs(right))
        for gauge, value in zip(self._gauges, self._peaks, strict=True):
            gauge.set(value)
