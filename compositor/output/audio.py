"""The program audio of one container: PCM chunks in, AAC (48 kHz stereo) out, in step with video.

The encode thread hands every output an :class:`AudioChunk` per frame (the frame's PCM, placed
on the container's sample timeline: sample 0 is the instant of video pts 0) before that frame's
video packets. :class:`AudioTrack` buffers the chunks and, before each video packet is muxed,
encodes whole AAC frames (1024 samples) of what it has, so the audio in the container never
lags the video by more than one AAC frame in normal running. Samples nobody delivered (a dropped
frame, a chunk an overloaded output dropped) are silence, so the track never has a hole: a gap
before a later chunk is filled with zeros, and if no audio comes at all for a second of video the
track goes on with silence. Audio starts at the first video packet's time, so a container opened
mid-stream (after a reconnect) is in sync too.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from fractions import Fraction

import av
import av.container
import numpy as np
import numpy.typing as npt

__all__ = ["AUDIO_RATE", "AudioChunk", "AudioTrack"]

AUDIO_RATE = 48_000
AAC_FRAME = 1024  # samples per AAC frame
_TIME_BASE = Fraction(1, AUDIO_RATE)
_MAX_LAG = AUDIO_RATE  # samples audio may run behind the video before silence fills in
_MAX_BUFFERED = 4 * AUDIO_RATE  # samples kept waiting for video (e.g. before the first keyframe)

PCM = npt.NDArray[np.float32]


@dataclass(frozen=True, slots=True)
class AudioChunk:
    """``pcm`` (float32, shape (n, 2), -1..1) starting at container sample ``start``."""

    start: int
    pcm: PCM = field(repr=False)

    @property
    def end(self) -> int:
        return self.start + int(self.pcm.shape[0])


class AudioTrack:
    """The AAC stream of ``container`` and the PCM waiting to be encoded into it.

    ``video_time_base`` is the video stream's (1/fps). Raises PyAV's errors (the container
    translates them).
    """

    def __init__(self, container: av.container.OutputContainer,
                 video_time_base: Fraction) -> None:
        stream = container.add_stream("aac", rate=AUDIO_RATE, layout="stereo")
        stream.bit_rate = 128_000
        self._stream = stream
        self._video_tb = video_time_base
        self._pending: deque[AudioChunk] = deque()
        self._known_end = 0  # end of the latest chunk received
        self._video_end = 0  # end of the latest video packet muxed, in samples
        self._next: int | None = None  # next sample to encode; None before the first video

    def add(self, chunk: AudioChunk) -> None:
        """Keep ``chunk`` until the video reaches it (bounded: the oldest goes first)."""
        if self._next is not None and chunk.end <= self._next:
            return  # too late: that time is already encoded
        self._pending.append(chunk)
        self._known_end = max(self._known_end, chunk.end)
        while self._pending and self._known_end - self._pending[0].end > _MAX_BUFFERED:
            self._pending.popleft()

    def write_until(self, container: av.container.OutputContainer, video_pts_end: int) -> int:
        """Encode and mux audio for video time up to pts ``video_pts_end`` (the end of the
        packet about to be muxed); returns the payload bytes written."""
        end = int(video_pts_end * self._video_tb * AUDIO_RATE)
        self._video_end = max(self._video_end, end)
        if self._next is None:
            self._next = int((video_pts_end - 1) * self._video_tb * AUDIO_RATE)
        limit = max(self._known_end, end - _MAX_LAG)
        written = 0
        while self._next + AAC_FRAME <= limit:
            written += self._encode(container, self._take(AAC_FRAME))
        return written

    def close(self, container: av.container.OutputContainer) -> None:
        """Encode what is left, at least up to the end of the video (the last AAC frame padded
        with silence), and flush the encoder."""
        if self._next is None:
            return
        while self._next < max(self._known_end, self._video_end):
            self._encode(container, self._take(AAC_FRAME))
        for packet in self._stream.encode(None):
            container.mux(packet)

    def _take(self, count: int) -> PCM:
        """Samples ``[next, next + count)`` from the chunks, zeros where none came; advances."""
        assert self._next is not None
        start, stop = self._next, self._next + count
        out = np.zeros((count, 2), dtype=np.float32)
        for chunk in self._pending:
            lo, hi = max(start, chunk.start), min(stop, chunk.end)
            if lo < hi:
                out[lo - start:hi - start] = chunk.pcm[lo - chunk.start:hi - chunk.start]
        while self._pending and self._pending[0].end <= stop:
            self._pending.popleft()
        self._next = stop
        return out

    def _encode(self, container: av.container.OutputContainer, samples: PCM) -> int:
        assert self._next is not None
        frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(samples.T), format="fltp",
                                           layout="stereo")
        frame.sample_rate = AUDIO_RATE
        frame.pts = self._next - samples.shape[0]
        frame.time_base = _TIME_BASE
        written = 0
        for packet in self._stream.encode(frame):
            written += packet.size
            container.mux(packet)
        return written
