"""A sink whose container lives in a child process, for destinations on the network.

FFmpeg opens a network muxer lazily, inside the first ``mux()``, in a call that holds the GIL
and that no PyAV timeout covers: an RTMP ingest that accepts TCP and never answers froze the
whole process (API, rendering, every other output) until it was killed. A child process cannot
do that to us. :class:`IsolatedSink` runs a :class:`~compositor.output.container.ContainerSink`
in ``python -m compositor.output.child`` and hands it packets (and the program audio) through a
pipe that it writes with a deadline: when the child has not taken a packet for ``stall_s`` (its
pipe is full because it is stuck on the network), or has not confirmed any packet for
``stall_s``, or it reports an error or dies, the child is killed and :meth:`write` raises
:class:`OutputError`, so the output's writer thread reconnects with backoff as for any other
failure. The bytes a write returns are those the child confirmed muxing.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import select
import subprocess
import sys
import time

from compositor.encode.base import EncodedPacket
from compositor.errors import OutputError
from compositor.output.audio import AudioChunk
from compositor.output.base import VideoParams
from compositor.output.child import pack_audio, pack_packet

__all__ = ["IsolatedSink"]

log = logging.getLogger(__name__)


class IsolatedSink:
    """A :class:`~compositor.output.base.Sink` on ``target`` muxed by a child process.

    ``timeout_s`` bounds FFmpeg's own open inside the child; ``stall_s`` bounds how long the
    child may go without taking or confirming a packet; ``close_timeout_s`` how long closing
    (the trailer) may take before the child is killed.
    """

    def __init__(self, target: str, format: str, video: VideoParams, *, audio: bool, name: str,
                 options: dict[str, str] | None = None, timeout_s: float | None = None,
                 stall_s: float = 5.0, close_timeout_s: float = 5.0) -> None:
        self._name = name
        self._stall_s = stall_s
        self._close_timeout_s = close_timeout_s
        spec = {"target": target, "format": format, "width": video.width,
                "height": video.height, "fps": str(video.fps), "audio": audio, "name": name,
                "options": options or {}, "timeout_s": timeout_s}
        try:
            self._proc = subprocess.Popen(
                [sys.executable, "-m", "compositor.output.child", json.dumps(spec)],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                close_fds=True)
        except OSError as exc:
            raise OutputError(f"{name}: cannot start the output process: {exc}") from exc
        assert self._proc.stdin is not None and self._proc.stdout is not None
        self._stdin, self._stdout = self._proc.stdin.fileno(), self._proc.stdout.fileno()
        os.set_blocking(self._stdin, False)
        os.set_blocking(self._stdout, False)
        self._events = b""
        self._confirmed = 0  # bytes the child reported since the last write returned
        self._pending = 0  # packets sent but not yet confirmed
        self._last_progress = time.monotonic()

    def write(self, packet: EncodedPacket) -> int:
        self._read_events()
        if self._pending and time.monotonic() - self._last_progress > self._stall_s:
            self._fail(f"no progress for {self._stall_s:g} s (server not answering)")
        self._send(pack_packet(packet.data, packet.pts, packet.dts, packet.keyframe))
        self._pending += 1
        self._read_events()
        confirmed, self._confirmed = self._confirmed, 0
        return confirmed

    def write_audio(self, chunk: AudioChunk) -> None:
        """Hand one frame's PCM to the child (same deadline as packets; not confirmed)."""
        self._read_events()
        self._send(pack_audio(chunk.start, chunk.pcm))

    def close(self) -> None:
        proc = self._proc
        if proc.poll() is None:
            with contextlib.suppress(OSError):
                proc.stdin.close()  # type: ignore[union-attr]  # end of input: write the trailer
            try:
                proc.wait(self._close_timeout_s)
            except subprocess.TimeoutExpired:
                log.warning("output %s: not closed within %.1f s; killed", self._name,
                            self._close_timeout_s)
                proc.kill()
                proc.wait()
        for stream in (proc.stdin, proc.stdout):
            with contextlib.suppress(OSError):
                stream.close()  # type: ignore[union-attr]

    # --- internals ----------------------------------------------------------------------

    def _send(self, data: bytes) -> None:
        view = memoryview(data)
        deadline = time.monotonic() + self._stall_s
        while view:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self._fail(f"stalled: no packet taken for {self._stall_s:g} s")
            _, ready, _ = select.select([], [self._stdin], [], min(remaining, 0.1))
            if not ready:
                self._read_events()
                continue
            try:
                view = view[os.write(self._stdin, view):]
            except BlockingIOError:
                continue
            except OSError:  # the child is gone: its error event says why
                self._read_events()
                self._fail("output process ended")

    def _read_events(self) -> None:
        while True:
            try:
                chunk = os.read(self._stdout, 65536)
            except BlockingIOError:
                break
            if not chunk:  # the child exited
                self._handle_lines()
                if self._proc.poll() is not None or self._pending:
                    self._fail("output process ended")
                break
            self._events += chunk
        self._handle_lines()

    def _handle_lines(self) -> None:
        *lines, self._events = self._events.split(b"\n")
        for line in lines:
            event = json.loads(line)
            if event["event"] == "written":
                self._confirmed += int(event["bytes"])
                self._pending = max(0, self._pending - 1)
                self._last_progress = time.monotonic()
            elif event["event"] == "error":
                self._kill()
                raise OutputError(str(event["message"]))

    def _fail(self, reason: str) -> None:
        self._kill()
        raise OutputError(f"{self._name}: {reason}")

    def _kill(self) -> None:
        if self._proc.poll() is None:
            self._proc.kill()
            self._proc.wait()
