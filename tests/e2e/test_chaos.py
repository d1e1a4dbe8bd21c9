"""Chaos (opt-in: ``COMPOSITOR_CHAOS=1``; ``COMPOSITOR_CHAOS_SECONDS``, default 600): while a
writer commits, a WebSocket client follows and a player watches the program over RTMP, kill and
restart redis-server, nginx-rtmp and the compositor at random, then count

- acknowledged commits lost (must be 0): an acknowledged version the store does not hold with the
  name that was sent, or a version acknowledged twice;
- versions a WebSocket client skipped (must be 0): a ``scene.changed`` that does not follow the
  version before it, without a hello in between;
- seconds off air per compositor restart (reported): the gap in frames reaching the player;
- outputs that never came back (must be 0): no frames reaching the player at the end.

Redis runs with ``appendfsync always``, as docs/deploy.md recommends for zero loss.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import random
import threading
import time
from pathlib import Path
from typing import Any

import av
import pytest
from websockets.exceptions import WebSocketException
from websockets.sync.client import connect

from control.store.redis import RedisStore
from tests.e2e.serve import ServeProcess, http_json
from tests.rtmp_server import RtmpServer, rtmp_available
from tests.servers import RedisServer

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(os.environ.get("COMPOSITOR_CHAOS") != "1",
                       reason="opt-in: COMPOSITOR_CHAOS=1 (runs for COMPOSITOR_CHAOS_SECONDS)"),
    pytest.mark.skipif(not rtmp_available(), reason="nginx-rtmp missing"),
]

SECONDS = float(os.environ.get("COMPOSITOR_CHAOS_SECONDS", "600"))
SETTLE_S = 20.0


class Writer(threading.Thread):
    """Commits a new name for layer ``a`` every 0.2 s; keeps what was acknowledged."""

    def __init__(self, serve: ServeProcess) -> None:
        super().__init__(daemon=True)
        self.serve, self.stop, self.failures = serve, threading.Event(), 0
        self.acked: list[tuple[int, str]] = []

    def run(self) -> None:
        for i in range(10**9):
            if self.stop.wait(0.2):
                return
            name = f"n{i}"
            body = {"ops": [{"op": "update", "id": "a", "patch": {"name": name}}]}
            try:
                status, reply = http_json("POST", self.serve.url + "/api/v1/commits", body)
            except OSError:
                self.failures += 1
                continue
            if status == 200:
                self.acked.append((int(reply["version"]), name))
            else:
                self.failures += 1


class Follower(threading.Thread):
    """A WebSocket client that resumes with ``?since=`` after every disconnect."""

    def __init__(self, serve: ServeProcess) -> None:
        super().__init__(daemon=True)
        self.serve, self.stop = serve, threading.Event()
        self.last: int | None = None
        self.skipped = self.reconnects = self.hellos = 0

    def run(self) -> None:
        while not self.stop.is_set():
            since = "" if self.last is None else f"?since={self.last}"
            try:
                with connect(f"{self.serve.url.replace('http', 'ws')}/api/v1/ws{since}",
                             open_timeout=5) as ws:
                    while not self.stop.is_set():
                        self._take(json.loads(ws.recv(timeout=5)))
            except (OSError, TimeoutError, WebSocketException):
                self.reconnects += 1
                time.sleep(0.2)

    def _take(self, message: dict[str, Any]) -> None:
        if message["type"] == "hello":
            self.hellos += 1
            self.last = message["version"]
        elif message["type"] == "scene.changed":
            if self.last is not None and message["version"] != self.last + 1:
                self.skipped += max(0, message["version"] - self.last - 1)
            self.last = message["version"]


class Watcher(threading.Thread):
    """Plays the RTMP stream and keeps the wall-clock arrival time of every frame."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.url, self.stop = url, threading.Event()
        self.arrivals: list[float] = []

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                with av.open(self.url, mode="r", options={"rtmp_live": "live"},
                             timeout=(5.0, 5.0)) as container:
                    for _ in container.decode(video=0):
                        self.arrivals.append(time.monotonic())
                        if self.stop.is_set():
                            return
            except (av.error.FFmpegError, OSError):
                time.sleep(0.2)

    def gap_around(self, moment: float, window_s: float = 20.0) -> float:
        """The longest wait between two frames reaching the player from ``moment`` on (frames
        already on the way keep arriving for a moment after a kill)."""
        near = [t for t in self.arrivals if moment - 1.0 <= t <= moment + window_s]
        if len(near) < 2:
            return float("inf")
        return float(max(b - a for a, b in itertools.pairwise(near)))


def _lost(acked: list[tuple[int, str]], redis_url: str) -> tuple[int, int]:
    """(acknowledged commits the store lost or changed, versions acknowledged twice)."""
    versions = [v for v, _ in acked]
    twice = len(versions) - len(set(versions))

    async def read() -> tuple[int, dict[int, str]]:
        store = RedisStore.from_url(redis_url, channel="chaos")
        try:
            current = (await store.read()).version
            names: dict[int, str] = {}
            for record in await store.journal(0, limit=100_000):
                for op in record.ops:
                    if op.get("op") == "update" and "name" in op.get("patch", {}):
                        names[record.version] = op["patch"]["name"]
            return current, names
        finally:
            await store.close()

    current, names = asyncio.run(read())
    oldest = min(names, default=current + 1)
    lost = sum(1 for version, name in acked
               if version > current or (version >= oldest and names.get(version) != name))
    return lost, twice


@pytest.mark.timeout(SECONDS + 300)
def test_chaos(tmp_path: Path) -> None:
    rng = random.Random(int(os.environ.get("COMPOSITOR_CHAOS_SEED", "7")))
    events: list[tuple[float, str]] = []
    restarts: list[float] = []
    with RedisServer(tmp_path / "redis", extra_args=("--appendfsync", "always")) as redis, \
            RtmpServer() as rtmp:
        url = rtmp.url("chaos")
        serve = ServeProcess(tmp_path, "--redis-url", redis.url, "--channel", "chaos",
                             "--width", "160", "--height", "90", "--fps", "25",
                             "--encoder", "x264", "--output", url)
        serve.start()
        assert http_json("POST", serve.url + "/api/v1/layers", {
            "id": "a", "kind": "color", "content": {"color": "#00FF00"}})[0] == 201
        writer, follower, watcher = Writer(serve), Follower(serve), Watcher(url)
        for thread in (writer, follower, watcher):
            thread.start()
        try:
            ends = time.monotonic() + SECONDS
            while time.monotonic() < ends:
                time.sleep(rng.uniform(8, 25))
                victim = rng.choice(("redis", "nginx", "compositor"))
                events.append((time.monotonic(), victim))
                if victim == "redis":
                    redis.kill()
                    time.sleep(rng.uniform(0.5, 4))
                    redis.start()
                elif victim == "nginx":
                    rtmp.stop()
                    time.sleep(rng.uniform(0.5, 4))
                    rtmp.start()
                else:
                    moment = time.monotonic()
                    serve.kill()
                    serve.start()
                    restarts.append(moment)
            time.sleep(SETTLE_S)  # no more chaos: everything must come back
            recent = [t for t in watcher.arrivals if t > time.monotonic() - 5]
            output = http_json("GET", serve.url + "/api/v1/output")[1]
        finally:
            for thread in (writer, follower, watcher):
                thread.stop.set()
            for thread in (writer, follower, watcher):
                thread.join(15)
            code = serve.terminate(timeout_s=40)
        lost, twice = _lost(writer.acked, redis.url)
    off_air = [watcher.gap_around(moment) for moment in restarts]
    report = {
        "seconds": SECONDS, "events": len(events),
        "kills": {v: sum(1 for _, e in events if e == v) for v in ("redis", "nginx", "compositor")},
        "commits_acknowledged": len(writer.acked), "commits_refused_or_failed": writer.failures,
        "acknowledged_commits_lost": lost, "versions_acknowledged_twice": twice,
        "ws_versions_skipped": follower.skipped, "ws_reconnects": follower.reconnects,
        "ws_hellos": follower.hellos,
        "off_air_s_per_compositor_restart": [round(s, 2) for s in off_air],
        "outputs_not_back": 0 if recent and output.get("state") == "live" else 1,
        "sigterm_exit_code": code,
    }
    print("\nchaos:", json.dumps(report, indent=1))
    out = os.environ.get("COMPOSITOR_CHAOS_REPORT")
    if out:
        Path(out).write_text(json.dumps(report, indent=1) + "\n")
    assert lost == 0 and twice == 0, report
    assert follower.skipped == 0, report
    assert report["outputs_not_back"] == 0, report
    assert code == 0, report
    assert len(writer.acked) > SECONDS, report  # the channel mostly kept working
