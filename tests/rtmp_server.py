"""A real RTMP server for tests: Debian's nginx with libnginx-mod-rtmp on a loopback port.

Each :class:`RtmpServer` runs its own nginx (``daemon off``, foreground child process) from a
``nginx.conf`` written into a temporary directory, with pid, logs and temp paths there, so several
can run side by side and nothing outside the directory is touched. The RTMP application is
``live`` (``live on; record off``): a publisher pushes ``rtmp://127.0.0.1:PORT/live/KEY`` and any
number of players read the same URL while it is being published.

With ``tls=True`` nginx's stream module also terminates TLS on a second loopback port and
proxies the plain bytes to the RTMP port (nginx-rtmp has no TLS of its own; this is how RTMPS is
usually served), with a certificate from :func:`tests.servers.make_tls_files` for
``IP:127.0.0.1`` (CA in ``server.tls.ca_cert``): publish or play ``rtmps_url(KEY)``, and the same
stream is on ``url(KEY)``. It needs Debian's ``libnginx-mod-stream`` (see
:func:`stream_available`).

``stop()``/``start()``/``restart()`` keep the ports, so a test can take the server away under a
connected publisher and bring it back. Use it as a context manager, or call ``close()``.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from types import TracebackType

import av
import av.container
import av.error

from tests.servers import TlsFiles, make_tls_files

__all__ = ["RTMP_MODULE", "STREAM_MODULE", "RtmpServer", "open_live", "rtmp_available",
           "stream_available"]

RTMP_MODULE = Path("/usr/lib/nginx/modules/ngx_rtmp_module.so")
STREAM_MODULE = Path("/usr/lib/nginx/modules/ngx_stream_module.so")
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"

_CONF = """\
load_module {module};
{load_stream}
daemon off;
master_process on;
worker_processes 1;
pid {root}/nginx.pid;
error_log {root}/error.log info;
events {{ worker_connections 256; }}
rtmp {{
    server {{
        listen 127.0.0.1:{port};
        chunk_size 4096;
        application live {{
            live on;
            record off;
            wait_key on;
            wait_video on;
        }}
    }}
}}
{stream}
"""

# TLS termination in front of the RTMP port: raw TCP in, TLS off, plain bytes to nginx-rtmp.
_STREAM = """\
stream {{
    server {{
        listen 127.0.0.1:{tls_port} ssl;
        ssl_certificate {cert};
        ssl_certificate_key {key};
        ssl_protocols TLSv1.2 TLSv1.3;
        proxy_pass 127.0.0.1:{port};
    }}
}}
"""


def rtmp_available() -> bool:
    """True when nginx and its RTMP module are installed (tests skip otherwise)."""
    return Path(NGINX).exists() and RTMP_MODULE.exists()


def stream_available() -> bool:
    """True when, beyond :func:`rtmp_available`, nginx's stream module (TLS proxy) is installed."""
    return rtmp_available() and STREAM_MODULE.exists()


def open_live(url: str, stop: threading.Event,
              deadline: float) -> av.container.InputContainer | None:
    """Play the RTMP(S) ``url`` live: each try bounded to 5 s, again every 0.1 s until it opens
    (the publisher may not be there yet); None once ``stop`` is set or the monotonic
    ``deadline`` has passed."""
    while not stop.is_set() and time.monotonic() < deadline:
        try:
            return av.open(url, mode="r", options={"rtmp_live": "live"}, timeout=(5.0, 5.0))
        except av.error.FFmpegError:
            time.sleep(0.1)
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class RtmpServer:
    """One nginx-rtmp instance on ``127.0.0.1:port``; started by the constructor.

    With ``tls=True``, RTMPS on ``127.0.0.1:tls_port`` too (``tls`` holds the certificate files).
    """

    def __init__(self, port: int | None = None, *, start_timeout_s: float = 10.0,
                 tls: bool = False) -> None:
        if tls and not STREAM_MODULE.exists():
            raise RuntimeError(f"RTMPS needs nginx's stream module ({STREAM_MODULE}): "
                               "apt-get install libnginx-mod-stream")
        self._dir = tempfile.TemporaryDirectory(prefix="rtmp-")
        self.root = Path(self._dir.name)
        self.port = port if port is not None else _free_port()
        self.tls_port: int | None = None
        self.tls: TlsFiles | None = None
        load_stream = stream = ""
        if tls:
            self.tls_port = _free_port()
            self.tls = make_tls_files(self.root / "tls", name="rtmps")
            load_stream = f"load_module {STREAM_MODULE};"
            stream = _STREAM.format(tls_port=self.tls_port, cert=self.tls.cert,
                                    key=self.tls.key, port=self.port)
        self._timeout_s = start_timeout_s
        self._proc: subprocess.Popen[bytes] | None = None
        conf = _CONF.format(module=RTMP_MODULE, root=self.root, port=self.port,
                            load_stream=load_stream, stream=stream)
        self.conf_path = self.root / "nginx.conf"
        self.conf_path.write_text(conf)
        self.start()

    def url(self, stream_key: str) -> str:
        """The publish/play URL of ``stream_key`` in the ``live`` application."""
        return f"rtmp://127.0.0.1:{self.port}/live/{stream_key}"

    def rtmps_url(self, stream_key: str) -> str:
        """The same stream through the TLS port (only with ``tls=True``)."""
        if self.tls_port is None:
            raise RuntimeError("this RtmpServer has no TLS listener: create it with tls=True")
        return f"rtmps://127.0.0.1:{self.tls_port}/live/{stream_key}"

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def start(self) -> None:
        """Start nginx and wait (against a deadline) until its ports accept connections."""
        if self.running:
            return
        # -p sets the prefix so nginx's compiled-in temp paths resolve inside our directory.
        self._proc = subprocess.Popen(
            [NGINX, "-p", str(self.root), "-c", str(self.conf_path),
             "-e", str(self.root / "e.log")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + self._timeout_s
        waiting = [self.port] if self.tls_port is None else [self.port, self.tls_port]
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                err = self._proc.stderr.read().decode() if self._proc.stderr else ""
                raise RuntimeError(f"nginx exited with {self._proc.returncode}: {err}{self.log()}")
            try:
                with socket.create_connection(("127.0.0.1", waiting[0]), timeout=0.2):
                    waiting.pop(0)
                    if not waiting:
                        return
            except OSError:
                time.sleep(0.02)
        self.stop()
        raise RuntimeError(f"nginx-rtmp did not listen on port(s) {waiting}: {self.log()}")

    def stop(self, timeout_s: float = 5.0) -> None:
        """Stop nginx at once (SIGTERM: fast shutdown, connections dropped) and wait for it."""
        proc, self._proc = self._proc, None
        if proc is None:
            return
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout_s)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout_s)
        if proc.stderr is not None:
            proc.stderr.close()

    def restart(self) -> None:
        self.stop()
        self.start()

    def log(self) -> str:
        path = self.root / "error.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def close(self) -> None:
        self.stop()
        self._dir.cleanup()

    def __enter__(self) -> RtmpServer:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
