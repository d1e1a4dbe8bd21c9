"""A real RTMP server for tests: Debian's nginx with libnginx-mod-rtmp on a loopback port.

Each :class:`RtmpServer` runs its own nginx (``daemon off``, foreground child process) from a
``nginx.conf`` written into a temporary directory, with pid, logs and temp paths there, so several
can run side by side and nothing outside the directory is touched. The RTMP application is
``live`` (``live on; record off``): a publisher pushes ``rtmp://127.0.0.1:PORT/live/KEY`` and any
number of players read the same URL while it is being published.

``stop()``/``start()``/``restart()`` keep the port, so a test can take the server away under a
connected publisher and bring it back. Use it as a context manager, or call ``close()``.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType

__all__ = ["RTMP_MODULE", "RtmpServer", "rtmp_available"]

RTMP_MODULE = Path("/usr/lib/nginx/modules/ngx_rtmp_module.so")
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"

_CONF = """\
load_module {module};
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
"""


def rtmp_available() -> bool:
    """True when nginx and its RTMP module are installed (tests skip otherwise)."""
    return Path(NGINX).exists() and RTMP_MODULE.exists()


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class RtmpServer:
    """One nginx-rtmp instance on ``127.0.0.1:port``; started by the constructor."""

    def __init__(self, port: int | None = None, *, start_timeout_s: float = 10.0) -> None:
        self._dir = tempfile.TemporaryDirectory(prefix="rtmp-")
        self.root = Path(self._dir.name)
        self.port = port if port is not None else _free_port()
        self._timeout_s = start_timeout_s
        self._proc: subprocess.Popen[bytes] | None = None
        conf = _CONF.format(module=RTMP_MODULE, root=self.root, port=self.port)
        self.conf_path = self.root / "nginx.conf"
        self.conf_path.write_text(conf)
        self.start()

    def url(self, stream_key: str) -> str:
        """The publish/play URL of ``stream_key`` in the ``live`` application."""
        return f"rtmp://127.0.0.1:{self.port}/live/{stream_key}"

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def start(self) -> None:
        """Start nginx and wait (against a deadline) until the port accepts connections."""
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
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                err = self._proc.stderr.read().decode() if self._proc.stderr else ""
                raise RuntimeError(f"nginx exited with {self._proc.returncode}: {err}{self.log()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.02)
        self.stop()
        raise RuntimeError(f"nginx-rtmp did not listen on port {self.port}: {self.log()}")

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
