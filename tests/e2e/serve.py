"""``compositor serve`` as a subprocess, and an RTMP player that samples what is on air."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import av
import numpy as np

from tests.polling import wait_for
from tests.rtmp_server import open_live
from tests.servers import free_port

__all__ = ["Player", "ServeProcess", "http_json", "wait_for"]



def http_json(method: str, url: str, body: Any = None,
              headers: dict[str, str] | None = None) -> tuple[int, Any]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method, headers={
        "Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            raw = response.read()
            return response.status, json.loads(raw) if raw else None
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"null")


class ServeProcess:
    """One ``python -m control.service.cli serve ...`` with its log in ``log_path``."""

    def __init__(self, folder: Path, *args: str, port: int | None = None) -> None:
        self.port = port or free_port()
        self.args = ["--port", str(self.port), "--data-dir", str(folder / "data"), *args]
        self.log_path = folder / f"serve-{self.port}.log"
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, ready_timeout_s: float = 60.0) -> ServeProcess:
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        with self.log_path.open("ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "control.service.cli", "serve", *self.args],
                stdout=log, stderr=subprocess.STDOUT, env=env)
        wait_for(self._ready, ready_timeout_s, f"serve on {self.port} to be ready")
        return self

    def _ready(self) -> bool:
        assert self.proc is not None
        if self.proc.poll() is not None:
            raise AssertionError(f"serve exited with {self.proc.returncode}:\n{self.log()}")
        try:
            return http_json("GET", self.url + "/readyz")[0] == 200
        except OSError:
            return False

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:]

    def kill(self) -> None:
        """SIGKILL: no cleanup at all, as in a crash."""
        assert self.proc is not None
        self.proc.kill()
        self.proc.wait(10)

    def terminate(self, timeout_s: float = 30.0) -> int:
        """SIGTERM and wait; the exit code."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout_s)

    def close(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)


@dataclass
class Player:
    """Plays an RTMP URL on a thread; keeps each frame's time (s) and one sampled pixel (RGB)."""

    url: str
    at: tuple[int, int]  # (y, x) of the pixel to sample
    times: list[float] = field(default_factory=list)
    pixels: list[tuple[int, int, int]] = field(default_factory=list)
    sessions: list[int] = field(default_factory=list)  # which play (0, 1, ...) each frame is from

    def __post_init__(self) -> None:
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        deadline = time.monotonic() + 120
        session = -1
        while (container := open_live(self.url, self._stop, deadline)) is not None:
            session += 1
            with container:
                try:
                    for frame in container.decode(video=0):
                        rgb = np.asarray(frame.to_ndarray(format="rgb24"))
                        y, x = self.at
                        with self._lock:
                            self.sessions.append(session)
                            self.times.append(float(frame.time))
                            r, g, b = (int(c) for c in rgb[y, x])
                            self.pixels.append((r, g, b))
                        if self._stop.is_set():
                            return
                except av.error.FFmpegError:
                    continue  # the publisher went away (a restart): play again

    def snapshot(self) -> list[tuple[int, float, tuple[int, int, int]]]:
        """(session, time in s, pixel) of every frame so far."""
        with self._lock:
            return list(zip(self.sessions, self.times, self.pixels))

    def close(self) -> None:
        self._stop.set()
        self._thread.join(20)
