"""A PyAV output container that muxes already-encoded H.264 plus the program's AAC track.

Video packets come from the one shared encode (:mod:`compositor.encode`), so the video stream is
a mux-only stream (``add_mux_stream``): no second encoder, and PyAV takes the SPS/PPS for the
container header from the first (key)frame's in-band parameter sets. The optional audio track is
the program PCM handed over with :meth:`ContainerSink.write_audio`, encoded by this container's
own AAC encoder (48 kHz stereo, negligible CPU) and kept in step with the video: before each
video packet, the audio up to that frame is written, silence where no PCM came
(:mod:`compositor.output.audio` says exactly how).

Every PyAV/FFmpeg failure is translated here into :class:`OutputError`.
"""

from __future__ import annotations

import contextlib

import av
import av.error

from compositor.encode.base import EncodedPacket
from compositor.errors import OutputError
from compositor.output.audio import AUDIO_RATE, AudioChunk, AudioTrack
from compositor.output.base import VideoParams

__all__ = ["AUDIO_RATE", "ContainerSink"]


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
            self._audio = AudioTrack(self._container, video.time_base) if audio else None
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
            written = 0
            if self._audio is not None:
                written = self._audio.write_until(self._container, packet.pts + 1)
            self._container.mux(out)
        except (av.error.FFmpegError, OSError) as exc:
            raise OutputError(f"{self._name}: write failed: {_reason(exc)}") from exc
        return written + len(packet.data)

    def write_audio(self, chunk: AudioChunk) -> None:
        """Keep program PCM for the video packets it goes with (ignored without audio)."""
        if self._audio is not None:
            self._audio.add(chunk)

    def close(self) -> None:
        container = self._container
        if container is None:
            return
        self._container = None
        try:
            if self._audio is not None:
                self._audio.close(container)
            container.close()
        except (av.error.FFmpegError, OSError):
            # A dead connection cannot take a trailer; the data already sent is what counts.
            with contextlib.suppress(av.error.FFmpegError, OSError):
                container.close()


def _reason(exc: BaseException) -> str:
    # FFmpeg's messages name the file/URL; the caller's prefix names the output instead, so keep
    # only the reason (and never repeat a stream key).
    text = getattr(exc, "strerror", None) or str(exc)
    return str(text)
