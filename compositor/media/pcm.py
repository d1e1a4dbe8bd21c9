"""A clip's sound rendered once to 48 kHz stereo float32, for sample-exact random access.

PyAV's ``AudioResampler`` converts any rate and sample format to 48 kHz float32 in the source's
own channel layout; the channels are then mixed to stereo here with a fixed, normalised matrix,
because FFmpeg's own rematrixing neither keeps a mono clip at its level (it puts the centre at
-3 dB on each side) nor keeps a 5.1 clip out of clipping (it sums to 1.7x full scale):

* mono is duplicated to both sides at full level; stereo (and unnamed two-channel) is kept;
* other layouts: left-side channels go left, right-side ones right, centre ones to both, front
  ones at 1 and the others at 1/sqrt(2) (ITU-R BS.775 levels), LFE dropped, and each side's
  weights divided by their sum, so a full-scale tone on every channel stays full scale.

Sample 0 of the result is media time 0 of the clip: the video stream's start time when there is
video (so sound and pictures stay aligned when the streams start at different times: sound
that starts later is preceded by silence, sound before the first picture is dropped), the sound's
own start otherwise. Written to ``<cache_dir>/<asset_id>.f32`` (raw little-endian float32,
interleaved L R) and memory-mapped, or kept in memory when there is no cache folder.
"""

from __future__ import annotations

import math
import os
from fractions import Fraction
from pathlib import Path
from typing import Any, BinaryIO

import av
import av.error
import numpy as np
import numpy.typing as npt

from compositor.media.info import AUDIO_RATE
from compositor.media.probe import first_streams, media_error, open_media

__all__ = ["Pcm", "downmix_matrix", "load_pcm", "render_pcm"]

Pcm = npt.NDArray[np.float32]
"""Program-format sound: shape (n, 2), float32, 48 kHz."""

_LEFT = frozenset({"FL", "FLC", "BL", "SL", "TFL", "TBL", "WL", "SDL", "TSL", "BFL"})
_RIGHT = frozenset({"FR", "FRC", "BR", "SR", "TFR", "TBR", "WR", "SDR", "TSR", "BFR"})
_FRONT = frozenset({"FL", "FR", "FLC", "FRC", "FC"})
_SKIP = frozenset({"LFE", "LFE2", "LFE3"})


def downmix_matrix(names: list[str]) -> npt.NDArray[np.float32]:
    """The (channels, 2) matrix that mixes channels named ``names`` (FFmpeg's short names,
    "NONE" when unknown) to stereo; see the module docstring."""
    if len(names) == 1:
        return np.ones((1, 2), np.float32)
    if len(names) == 2 and not (set(names) - {"NONE", "FL", "FR"}):
        return np.eye(2, dtype=np.float32)
    matrix = np.zeros((len(names), 2), np.float64)
    for row, name in enumerate(names):
        if name in _SKIP:
            continue
        weight = 1.0 if name in _FRONT or name == "NONE" else math.sqrt(0.5)
        if name in _LEFT:
            matrix[row, 0] = weight
        elif name in _RIGHT:
            matrix[row, 1] = weight
        else:  # centre channels, and channels of unknown place
            matrix[row] = weight * (math.sqrt(0.5) if name != "NONE" else 1.0)
    sums = matrix.sum(axis=0)
    matrix /= np.where(sums > 0, sums, 1.0)
    return matrix.astype(np.float32)


class _Sink:
    """Where converted samples go: a file being written, or a list of arrays."""

    def __init__(self, file: BinaryIO | None) -> None:
        self.file = file
        self.parts: list[Pcm] = []
        self.count = 0

    def write(self, samples: Pcm) -> None:
        if not len(samples):
            return
        self.count += len(samples)
        if self.file is not None:
            self.file.write(np.ascontiguousarray(samples, "<f4").tobytes())
        else:
            self.parts.append(samples)


class _Converter:
    """Resamples decoded frames and places them on the media time line."""

    def __init__(self, sink: _Sink, origin_s: Fraction) -> None:
        self.sink = sink
        self.origin_s = origin_s
        self.resampler = av.AudioResampler(format="flt", rate=AUDIO_RATE)
        self.matrix: npt.NDArray[np.float32] | None = None
        self.skip = 0  # samples before media time 0 still to drop

    def feed(self, frame: Any | None) -> None:
        if frame is not None and self.matrix is None:
            self.matrix = downmix_matrix([c.name for c in frame.layout.channels])
            start = self.origin_s
            if frame.pts is not None:
                start = Fraction(frame.pts * frame.time_base)
            offset = math.floor((start - self.origin_s) * AUDIO_RATE + Fraction(1, 2))
            if offset > 0:
                self.sink.write(np.zeros((offset, 2), np.float32))
            self.skip = max(0, -offset)
        for out in self.resampler.resample(frame):
            channels = len(out.layout.channels)
            samples = np.asarray(out.to_ndarray(), np.float32).reshape(-1, channels)
            if self.skip:
                dropped = min(self.skip, len(samples))
                samples, self.skip = samples[dropped:], self.skip - dropped
            assert self.matrix is not None
            self.sink.write((samples @ self.matrix).astype(np.float32))


def _origin(video: Any | None, audio: Any) -> Fraction:
    stream = video if video is not None else audio
    if stream.start_time is None or stream.time_base is None:
        return Fraction(0)
    return Fraction(stream.start_time * stream.time_base)


def _decode_into(path: Path, sink: _Sink) -> None:
    with open_media(path) as container:
        video, audio = first_streams(container)
        if audio is None:
            return
        converter = _Converter(sink, _origin(video, audio))
        try:
            for frame in container.decode(audio):
                converter.feed(frame)
            if converter.matrix is not None:
                converter.feed(None)
        except (av.error.FFmpegError, ValueError, OSError) as exc:
            raise media_error(exc, path, "decoding the sound") from exc


def render_pcm(path: Path, dest: Path | None) -> Pcm:
    """Decode all of ``path``'s first audio stream to program format (blocking). With ``dest``
    the samples are written there (atomically: a temporary name, then renamed) and returned
    memory-mapped; without, returned in memory. A clip without sound gives shape (0, 2).
    Raises MediaError when the sound does not decode."""
    if dest is None:
        sink = _Sink(None)
        _decode_into(path, sink)
        if not sink.parts:
            return np.zeros((0, 2), np.float32)
        return np.concatenate(sink.parts).astype(np.float32, copy=False)
    partial = dest.with_name(f".{dest.name}.{os.getpid()}.partial")
    try:
        with partial.open("wb") as file:
            _decode_into(path, _Sink(file))
        partial.replace(dest)
    finally:
        partial.unlink(missing_ok=True)
    return load_pcm(dest)


def load_pcm(path: Path) -> Pcm:
    """A PCM cache file written by :func:`render_pcm`, memory-mapped read-only."""
    samples = path.stat().st_size // 8  # a torn tail (a full disk) is ignored, not fatal
    if samples == 0:
        return np.zeros((0, 2), np.float32)
    mapped: Pcm = np.memmap(path, dtype="<f4", mode="r", shape=(samples, 2))
    return mapped
