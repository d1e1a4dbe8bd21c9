"""Opening an input's URL with PyAV, each protocol with low-latency, time-bounded options.

Every open and every read is bounded: PyAV's ``timeout=(open_s, read_s)`` interrupts any
blocking FFmpeg call, and the protocol's own timeouts (``rw_timeout``, RTSP's ``timeout``,
UDP's ``timeout``) say the same to the socket layer. Demuxer options keep latency low
(``fflags=nobuffer``, small probe and analysis). RTSP runs over TCP (no UDP port ranges through
firewalls, no loss on a busy host).

SRT: PyAV's bundled FFmpeg has no SRT, Debian's ffmpeg CLI has. :func:`open_stream` then runs
``ffmpeg -i srt://…?mode=caller -c copy -f mpegts pipe:1`` as a child process (a protocol
adapter: it copies packets, it decodes nothing) and PyAV reads the MPEG-TS from its stdout.
:meth:`Connection.abort` kills the child, which ends a blocked read at once.

PyAV's and the OS's errors are translated here into :class:`InputStreamError` (the message is
safe to show: the URL in it is redacted).
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import tempfile
import threading
from dataclasses import dataclass
from typing import IO, Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import av

from compositor.inputs.errors import InputStreamError
from compositor.inputs.spec import redact_input_url

__all__ = ["Connection", "Timeouts", "open_stream", "srt_available"]


@dataclass(frozen=True, slots=True)
class Timeouts:
    """Seconds an open may take, and a read may wait for data, before the attempt fails."""

    open_s: float = 5.0
    read_s: float = 3.0


def srt_available() -> bool:
    """True when an ffmpeg CLI is on PATH (SRT inputs need it; Debian's has libsrt)."""
    return shutil.which("ffmpeg") is not None


_LOW_LATENCY = {"fflags": "nobuffer", "probesize": "500000", "analyzeduration": "1000000"}


def _options(scheme: str, timeouts: Timeouts) -> dict[str, str]:
    read_us = str(int(timeouts.read_s * 1_000_000))
    options = dict(_LOW_LATENCY)
    if scheme in ("rtmp", "rtmps"):
        options.update(rw_timeout=read_us, rtmp_live="live", rtmp_buffer="100")
    elif scheme == "rtsp":
        options.update(rtsp_transport="tcp", timeout=read_us)
    elif scheme in ("udp", "rtp"):
        options.update(timeout=read_us, fifo_size="1000000", overrun_nonfatal="1",
                       buffer_size="4194304")
    elif scheme in ("http", "https"):
        # A playlist names its segments: only over the network, never file:// on this host
        # (FFmpeg's default already refuses it; the list says so here, where it is ours).
        options.update(rw_timeout=read_us, reconnect="0", http_persistent="1",
                       live_start_index="-2", probesize="2000000",
                       analyzeduration="3000000", protocol_whitelist="http,https,tls,tcp,crypto")
    return options


def _srt_url(url: str, timeouts: Timeouts) -> str:
    """Caller mode, with connect and read timeouts (µs) unless the URL sets its own."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    query.setdefault("mode", "caller")
    query.setdefault("connect_timeout", str(int(timeouts.open_s * 1000)))  # ms
    query.setdefault("timeout", str(int(timeouts.read_s * 1_000_000)))  # µs
    query.setdefault("latency", "20000")  # µs: SRT's own retransmission window
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))


class Connection:
    """An open input: ``container`` (PyAV, reading) and, for SRT, the adapter child process."""

    def __init__(self, container: Any, child: subprocess.Popen[bytes] | None = None,
                 errors: IO[bytes] | None = None, shown: dict[str, str] | None = None) -> None:
        self.container = container
        self._shown = shown or {}  # secret text -> what to show instead, in child errors
        self._child = child
        self._errors = errors  # the child's stderr (a temporary file: it never fills up)
        self._closed = threading.Event()

    def abort(self) -> None:
        """Make a blocked read return (any thread): kills the SRT adapter; PyAV reads are
        bounded by their timeout anyway."""
        if self._child is not None and self._child.poll() is None:
            self._child.kill()

    def close(self) -> None:
        """Close the container and reap the child (reader thread; idempotent)."""
        if self._closed.is_set():
            return
        self._closed.set()
        self.abort()
        if self.container is not None:
            # already broken: nothing left to release
            with contextlib.suppress(av.FFmpegError, OSError):
                self.container.close()
        if self._child is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self._child.wait(timeout=2.0)
            if self._child.stdout is not None:
                self._child.stdout.close()
            if self._errors is not None:
                self._errors.close()

    def child_error(self) -> str | None:
        """The SRT adapter's last error line, when it has exited."""
        if self._child is None or self._child.poll() is None or self._errors is None:
            return None
        try:
            self._errors.seek(0)
            text = self._errors.read()[-4096:].decode(errors="replace").strip()
        except (OSError, ValueError):
            return None
        line = text.splitlines()[-1] if text else f"ffmpeg exited with {self._child.returncode}"
        for secret, shown in self._shown.items():
            line = line.replace(secret, shown)
        return line


def _translate(exc: BaseException, url: str) -> InputStreamError:
    reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return InputStreamError(f"{redact_input_url(url)}: {reason}".replace(url, "****"))


def open_stream(url: str, timeouts: Timeouts = Timeouts()) -> Connection:
    """Open ``url`` for reading; raises :class:`InputStreamError` within about
    ``timeouts.open_s`` (plus stream analysis) when it cannot."""
    scheme = urlsplit(url).scheme.lower()
    if scheme == "srt":
        return _open_srt(url, timeouts)
    try:
        container = av.open(url, options=_options(scheme, timeouts),
                            timeout=(timeouts.open_s, timeouts.read_s))
    except (av.FFmpegError, OSError, ValueError) as exc:
        raise _translate(exc, url) from exc
    return Connection(container)


def _open_srt(url: str, timeouts: Timeouts) -> Connection:
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        raise InputStreamError("srt:// inputs need the ffmpeg CLI (with libsrt) on PATH")
    adapter_url = _srt_url(url, timeouts)
    shown = {adapter_url: redact_input_url(url), url: redact_input_url(url)}
    # The adapter only copies packets: a short analysis is enough (FFmpeg's default, 5 s of
    # media, would hold a low-bitrate stream back for all of that before the first packet).
    command = [ffmpeg, "-nostdin", "-hide_banner", "-v", "error", "-fflags", "nobuffer",
               "-probesize", "200000", "-analyzeduration", "500000", "-i", adapter_url,
               "-map", "0", "-c", "copy", "-f", "mpegts",
               "-muxdelay", "0", "-flush_packets", "1", "pipe:1"]
    errors = tempfile.TemporaryFile()  # noqa: SIM115 (owned by the Connection)
    try:
        # bufsize=0: a raw pipe, whose read(n) returns what has arrived instead of waiting
        # for n bytes (a low-bitrate stream would otherwise lag by whole buffers)
        child = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                 stderr=errors, bufsize=0)
    except OSError as exc:
        errors.close()
        raise _translate(exc, url) from exc
    stdout: IO[bytes] = child.stdout  # type: ignore[assignment]
    # The child may never write (nothing listens): a watchdog ends the wait at open_s.
    timer = threading.Timer(timeouts.open_s + 2.0, child.kill)
    timer.daemon = True
    timer.start()
    try:
        container = av.open(stdout, format="mpegts", options=dict(_LOW_LATENCY),
                            buffer_size=4096)
    except (av.FFmpegError, OSError, ValueError) as exc:
        connection = Connection(None, child, errors, shown)
        connection.abort()
        with contextlib.suppress(subprocess.TimeoutExpired):
            child.wait(timeout=1.0)
        reason = connection.child_error()
        connection.close()
        if reason:
            raise InputStreamError(f"{redact_input_url(url)}: {reason}") from exc
        raise _translate(exc, url) from exc
    finally:
        timer.cancel()
    return Connection(container, child, errors, shown)
