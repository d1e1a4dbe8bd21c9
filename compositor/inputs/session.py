"""One connection of an input: demux, decode, and hand pictures and sound to the jitter buffer.

:func:`run_session` runs on the reader thread until the stream ends, fails or ``stop`` is set.
Pictures become yuv420p :class:`~compositor.media.frame.VideoFrame` (any pixel format or size,
also when either changes mid-stream); sound is resampled to 48 kHz stereo float32. Both are
placed on the house clock by one shared :class:`~compositor.inputs.placement.Placement`. A packet
that does not decode is counted and skipped; a stream that yields nothing decodable for
``idle_s`` fails the session. PyAV errors are translated into :class:`InputStreamError` here.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import av
import numpy as np

from compositor.inputs.audio_ring import AudioRing
from compositor.inputs.errors import InputStreamError
from compositor.inputs.frame_queue import FrameQueue
from compositor.inputs.placement import Placement
from compositor.media.frame import video_frame_from_av
from compositor.media.info import AUDIO_RATE

__all__ = ["SessionSink", "StreamFacts", "run_session"]

_MAX_BAD_PACKETS = 200  # consecutive undecodable packets before the session gives up


@dataclass(frozen=True, slots=True)
class StreamFacts:
    """What a connection carries (the status' resolution, rate and codecs)."""

    width: int | None
    height: int | None
    fps: float | None
    video_codec: str | None
    audio_codec: str | None
    has_audio: bool


class SessionSink:
    """Where a session puts what it decodes, and how it reports (owned by the reader)."""

    def __init__(self, key: str, queue: FrameQueue, ring: AudioRing, placement: Placement,
                 on_frame: Callable[[bool, StreamFacts], None],
                 clock: Callable[[], float] = time.time) -> None:
        self.key = key  # VideoFrame keys are (key, serial)
        self.queue = queue
        self.ring = ring
        self.placement = placement
        self.on_frame = on_frame  # (late, facts) after every picture; (False, facts) for sound
        self.clock = clock
        self.serial = 0


def _first(container: Any, kind: str) -> Any | None:
    streams = [s for s in container.streams if s.type == kind]
    return streams[0] if streams else None


def _facts(video: Any | None, audio: Any | None, frame: Any | None,
           period_s: float | None) -> StreamFacts:
    fps = None
    if period_s:
        fps = round(1.0 / period_s, 3)
    elif video is not None and video.average_rate:
        fps = round(float(video.average_rate), 3)
    return StreamFacts(
        width=int(frame.width) if frame is not None else None,
        height=int(frame.height) if frame is not None else None,
        fps=fps,
        video_codec=video.codec_context.name if video is not None else None,
        audio_codec=audio.codec_context.name if audio is not None else None,
        has_audio=audio is not None,
    )


class _Decoder:
    """The per-connection state of :func:`run_session`."""

    def __init__(self, container: Any, sink: SessionSink) -> None:
        self.sink = sink
        self.video = _first(container, "video")
        self.audio = _first(container, "audio")
        if self.video is None and self.audio is None:
            raise InputStreamError("the stream has neither pictures nor sound")
        self.streams = [s for s in (self.video, self.audio) if s is not None]
        self.resampler = av.AudioResampler(format="flt", layout="stereo", rate=AUDIO_RATE)
        self.last_video: Any | None = None
        self.last_pts: float | None = None
        self.period_s: float | None = None
        self.audio_next: int | None = None

    def picture(self, frame: Any) -> None:
        sink = self.sink
        arrival = sink.clock()
        pts = frame.time
        if pts is not None and self.last_pts is not None and 0 < pts - self.last_pts < 1.0:
            step = pts - self.last_pts
            self.period_s = step if self.period_s is None else 0.9 * self.period_s + 0.1 * step
        self.last_pts = pts
        due = sink.placement.place(pts, arrival)
        sink.serial += 1
        picture = video_frame_from_av(frame, (sink.key, sink.serial))
        half = (self.period_s or 1 / 30) / 2
        sink.queue.half_period_s = half
        sink.queue.push(due, picture, arrival)
        self.last_video = frame
        sink.on_frame(arrival > due + half, _facts(self.video, self.audio, frame, self.period_s))

    def sound(self, frame: Any) -> None:
        sink = self.sink
        due = sink.placement.place(frame.time, sink.clock())
        try:
            blocks = self.resampler.resample(frame)
        except (av.FFmpegError, ValueError):  # the sound's format changed: start again
            self.resampler = av.AudioResampler(format="flt", layout="stereo", rate=AUDIO_RATE)
            blocks = self.resampler.resample(frame)
        start = round(due * AUDIO_RATE)
        for block in blocks:
            pcm = np.ascontiguousarray(block.to_ndarray().reshape(-1, 2), dtype=np.float32)
            start = sink.ring.write(start, pcm) + len(pcm)
        if self.video is None:
            sink.on_frame(False, _facts(None, self.audio, None, None))


def run_session(container: Any, sink: SessionSink, stop: threading.Event,
                idle_s: float, monotonic: Callable[[], float] = time.monotonic) -> None:
    """Decode ``container`` into ``sink`` until ``stop``; raises :class:`InputStreamError` when
    the stream ends, fails, or gives nothing decodable for ``idle_s`` seconds."""
    try:
        decoder = _Decoder(container, sink)
        sink.placement.reset()
        sink.ring.restart()
        bad = 0
        last_good = monotonic()
        for packet in container.demux(decoder.streams):
            if stop.is_set():
                return
            if packet.size == 0:
                continue
            try:
                frames = packet.decode()
            except av.FFmpegError as exc:
                bad += 1
                if bad > _MAX_BAD_PACKETS:
                    raise InputStreamError(f"{bad} packets in a row did not decode: {exc}") from exc
                frames = []
            for frame in frames:
                bad = 0
                last_good = monotonic()
                if packet.stream is decoder.video:
                    decoder.picture(frame)
                else:
                    decoder.sound(frame)
            if monotonic() - last_good > idle_s:
                raise InputStreamError(f"nothing decodable for {idle_s:.0f} s")
    except InputStreamError:
        raise
    except (av.FFmpegError, OSError, ValueError, EOFError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
        raise InputStreamError(reason) from exc
    if not stop.is_set():
        raise InputStreamError("the stream ended")
