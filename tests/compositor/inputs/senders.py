"""Live senders for the input tests: the ffmpeg CLI pushing a lavfi source, and misbehaving
servers (garbage bytes, a UDP relay that stalls), all on loopback.

A :class:`Sender` streams a solid colour (RGB hex, tagged BT.601 so the reader's YUV maths is
exact) with a sine tone, at ``size`` and ``fps``, in real time (``-re``), to a URL in a format:
``flv`` to nginx-rtmp, ``mpegts`` to ``udp://`` or to an SRT listener (``srt://...?mode=listener``:
the sender waits for our reader to call), ``hls`` into a folder. ``ts_offset_s`` shifts its
timestamps (to continue another sender's timeline).
"""

from __future__ import annotations

import os
import socket
import subprocess
import threading
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType

__all__ = ["GarbageServer", "Sender", "UdpRelay", "free_port"]


def free_port(kind: int = socket.SOCK_STREAM) -> int:
    with socket.socket(socket.AF_INET, kind) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class Sender:
    """One ffmpeg CLI process sending a colour and a tone; a context manager (killed on exit)."""

    def __init__(self, target: str, fmt: str, *, color: str = "3080C0",
                 size: tuple[int, int] = (320, 180), fps: int = 25,
                 tone_hz: float | None = 1000.0, ts_offset_s: float | None = None,
                 extra: Sequence[str] = ()) -> None:
        width, height = size
        args = ["ffmpeg", "-nostdin", "-v", "error", "-re", "-f", "lavfi", "-i",
                f"color=c=0x{color}:size={width}x{height}:rate={fps}"]
        if tone_hz is not None:
            args += ["-re", "-f", "lavfi", "-i", f"sine=f={tone_hz}:r=48000"]
        args += ["-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency",
                 "-g", str(fps), "-pix_fmt", "yuv420p", "-colorspace", "smpte170m",
                 "-color_range", "tv"]
        if tone_hz is not None:
            args += ["-c:a", "aac", "-b:a", "96k"]
        if ts_offset_s is not None:
            args += ["-output_ts_offset", str(ts_offset_s)]
        args += [*extra, "-f", fmt, target]
        self.process = subprocess.Popen(args, stdin=subprocess.DEVNULL,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(10)
        if self.process.stderr is not None:
            self.process.stderr.close()

    def __enter__(self) -> Sender:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.kill()


def hls_sender(folder: Path, **kwargs: object) -> Sender:
    """A live HLS stream written into ``folder`` (``live.m3u8``, 1 s segments)."""
    folder.mkdir(parents=True, exist_ok=True)
    extra = ["-hls_time", "1", "-hls_list_size", "4", "-hls_flags", "delete_segments",
             "-hls_segment_filename", str(folder / "seg%05d.ts")]
    return Sender(str(folder / "live.m3u8"), "hls", extra=extra, **kwargs)  # type: ignore[arg-type]


class GarbageServer:
    """A TCP server on loopback that answers every connection with random bytes, forever."""

    def __init__(self) -> None:
        self._sock = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._sock.getsockname()[1]
        self._stop = threading.Event()
        self.connections = 0
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        self._sock.settimeout(0.2)
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._spew, args=(conn,), daemon=True).start()

    def _spew(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(1.0)
            while not self._stop.is_set():
                try:
                    conn.sendall(os.urandom(4096))
                except OSError:
                    return
                self._stop.wait(0.01)

    def close(self) -> None:
        self._stop.set()
        self._sock.close()


class UdpRelay:
    """Forwards UDP datagrams from ``port`` to ``127.0.0.1:target``; :meth:`stall` drops them
    (a link that stops delivering), :meth:`resume` forwards again; :meth:`garbage` sends random
    datagrams instead of what arrives."""

    def __init__(self, target: int) -> None:
        self._in = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._in.bind(("127.0.0.1", 0))
        self._in.settimeout(0.2)
        self.port: int = self._in.getsockname()[1]
        self._out = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._target = ("127.0.0.1", target)
        self.stalled = threading.Event()
        self._stop = threading.Event()
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                data = self._in.recv(65536)
            except TimeoutError:
                continue
            except OSError:
                return
            if not self.stalled.is_set():
                self._out.sendto(data, self._target)

    def stall(self) -> None:
        self.stalled.set()

    def resume(self) -> None:
        self.stalled.clear()

    def close(self) -> None:
        self._stop.set()
        self._in.close()
        self._out.close()


def send_garbage_udp(port: int, seconds: float, stop: threading.Event) -> None:
    """Random 1316-byte datagrams to ``127.0.0.1:port`` for ``seconds`` (or until ``stop``)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        ends = threading.Event()
        threading.Timer(seconds, ends.set).start()
        while not ends.is_set() and not stop.is_set():
            sock.sendto(os.urandom(1316), ("127.0.0.1", port))
            stop.wait(0.002)
