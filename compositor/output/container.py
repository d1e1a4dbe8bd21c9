"""A PyAV output container that muxes already-encoded H.264 plus a silent AAC track.

Video packets come from the one shared encode (:mod:`compositor.encode`), so the video stream is
a mux-only stream (``add_mux_stream``): no second encoder, and PyAV takes the SPS/PPS for the
container header from the first (key)frame's in-band parameter sets. The optional audio track is
silence encoded by this container's own AAC encoder (48 kHz stereo, a few kB/s and negligible CPU),
kept in step with the video: before each video packet, audio is written up to the end of that
video frame. Audio timestamps start at the first video packet's time, so a sink opened mid-stream
(after a reconnect) is in sync too.

Every PyAV/FFmpeg failure is translated here into :class:`OutputError`.
"""

from __future__ import annotations

import contextlib
from fractions import Fraction

import av
import av.error

from compositor.encode.base import EncodedPacket
from compositor.errors import OutputError
from compositor.output.base import VideoParams

__all__ = ["AUDIO_RATE", "ContainerSink"]

AUDIO_RATE = 48_000
_AUDIO_SAMPLES = 1024  # one AAC frame
_AUDIO_TIME_BASE = Fraction(1, AUDIO_RATE)


class ContainerSink:
    """An open container on ``target`` (file path or URL) in ``format`` (flv, mp4, ...).

    ``name`` is what errors say instead of ``target`` (a URL with its key redacted).
    """

    def __init__(
        self,
        target: str,
        format: str,
        video: VideoParams,
        *,
        audio: bool,
        name: str,
        options: dict[str, str] | None = None,
        timeout_s: float | None = None,
    ) -> None:
        self._name = name
        self._video_tb = video.time_base
        self._next_sample: int | None = None
        self._container: av.container.OutputContainer | None = None
        try:
            self._container = av.open(
                target, mode="w", format=format, options=options or {}, timeout=timeout_s
            )
        except (av.error.FFmpegError, OSError) as exc:
            raise OutputError(f"{name}: cannot open: {_reason(exc)}") from exc
        try:
            self._video = self._container.add_mux_stream(
                "h264", rate=video.fps, width=video.width, height=video.height
            )
            self._video.time_base = video.time_base
            self._audio: av.AudioStream | None = None
            if audio:
                stream = self._container.add_stream("aac", rate=AUDIO_RATE, layout="stereo")
                stream.bit_rate = 128_000
                self._audio = stream
        except (av.error.FFmpegError, ValueError) as exc:
            self.close()
            raise OutputError(f"{name}: cannot add streams: {_reason(exc)}") from exc

    def write(self, packet: EncodedPacket) -> int:
        out = av.Packet(packet.data)
        out.pts = packet.pts
        out.dts = packet.dts
        out.time_base = self._video_tb
        out.is_keyframe = packet.keyframe
        out.stream = self._video
        if self._container is None:
            raise OutputError(f"{self._name}: closed")
        try:
            written = self._write_audio_until(self._container, packet.pts + 1)
            self._container.mux(out)
        except (av.error.FFmpegError, OSError) as exc:
            raise OutputError(f"{self._name}: write failed: {_reason(exc)}") from exc
        return written + len(packet.data)

    def close(self) -> None:
        container = self._container
        if container is None:
            return
        self._container = None
        try:
            if self._audio is not None and self._next_sample is not None:
                container.mux(self._audio.encode(None))
            container.close()
        except (av.error.FFmpegError, OSError):
            # A dead connection cannot take a trailer; the data already sent is what counts.
            with contextlib.suppress(av.error.FFmpegError, OSError):
                container.close()

    def _write_audio_until(
        self, container: av.container.OutputContainer, video_pts_end: int
    ) -> int:
        """Encode silence up to the video time ``video_pts_end``; returns payload bytes."""
        if self._audio is None:
            return 0
        end_sample = int(video_pts_end * self._video_tb * AUDIO_RATE)
        if self._next_sample is None:
            start_time = (video_pts_end - 1) * self._video_tb
            self._next_sample = int(start_time * AUDIO_RATE)
        written = 0
        while self._next_sample < end_sample:
            frame = av.AudioFrame(format="fltp", layout="stereo", samples=_AUDIO_SAMPLES)
            for plane in frame.planes:
                plane.update(bytes(plane.buffer_size))
            frame.sample_rate = AUDIO_RATE
            frame.pts = self._next_sample
            frame.time_base = _AUDIO_TIME_BASE
            self._next_sample += _AUDIO_SAMPLES
            for encoded in self._audio.encode(frame):
                written += encoded.size
                container.mux(encoded)
        return written


def _reason(exc: BaseException) -> str:
    # FFmpeg's messages name the file/URL; the caller's prefix names the output instead, so keep
    # only the reason (and never repeat a stream key).
    text = getattr(exc, "strerror", None) or str(exc)
    return str(text)
