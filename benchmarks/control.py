"""Control plane benchmark: HTTP update latency/throughput, WebSocket fan-out, commit to air.

Runs ``compositor serve`` as a separate process on loopback (so client and server do not share
a GIL) and drives it with httpx (async) and websockets clients:

1. **HTTP updates**: C concurrent clients each PATCH their own layer for D seconds; latency
   p50/p99 and updates/s. Baseline in the same run: ``GET /healthz`` (no store, no commit) at the
   same concurrency, i.e. what the HTTP stack alone costs.
2. **WebSocket fan-out**: N clients connected; a commit over HTTP, then the time until the
   *last* client has the ``scene.changed`` of that version; p50/p99 over R commits. Baseline:
   the same with 10 clients.
3. **Commit to air** (render on, WxH@30): commit, then the server's ``encoded_unix`` of the first
   frame showing it (``GET /api/v1/output``'s ``applied``) minus the send time; compared with
   2 frame intervals + the encode time p50 of the same run.

``.venv/bin/python -m benchmarks.control [--seconds 5] [--clients 1000] [--commits 30]``
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import resource
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

import httpx

from benchmarks.report import percentile, print_table, write_json
from tests.servers import free_port

FPS = 30


def _raise_nofile() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 8192)), hard))


class Server:
    """``compositor serve`` in a subprocess, on a fresh embedded store."""

    def __init__(self, *args: str) -> None:
        self.port = free_port()
        self.folder = tempfile.mkdtemp(prefix="bench-control-")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "control.service.cli", "serve", "--port", str(self.port),
             "--data-dir", self.folder, "--log-level", "warning", *args],
            stdout=subprocess.DEVNULL, stderr=open(Path(self.folder) / "log", "wb"),  # noqa: SIM115
            preexec_fn=_raise_nofile)
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"{self.url}/readyz", timeout=1) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"serve did not start: see {self.folder}/log")
            time.sleep(0.1)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def close(self) -> None:
        self.proc.terminate()
        self.proc.wait(30)


def _layer(layer_id: str) -> dict[str, Any]:
    return {"id": layer_id, "kind": "color", "content": {"color": "#336699"},
            "transform": {"x": 10, "y": 10, "width": 40, "height": 20}}


async def _load(url: str, clients: int, seconds: float, patch: bool) -> dict[str, Any]:
    """C workers hammering PATCH (or GET /healthz); latencies in ms and requests/s.

    Each worker has its own ``AsyncClient`` with one keep-alive connection, as C independent
    operators would. One shared pool of C connections is not the same: httpcore's pool can
    assign one freed connection to several queued requests in the same pass (the losers retry
    and wait for the next release, encode/httpcore#822), which on this machine left some
    requests waiting 100-600 ms for a connection before a byte was sent, while the server
    answered every request in a few ms: those waits were the p99 of the old runs.
    """
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    async with contextlib.AsyncExitStack() as stack:
        https = [await stack.enter_async_context(
                     httpx.AsyncClient(base_url=url, limits=limits, timeout=30))
                 for _ in range(clients)]
        if patch:
            for i, http in enumerate(https):
                await http.post("/api/v1/layers", json=_layer(f"c{i}"))
        latencies: list[float] = []
        errors = 0
        stop_at = time.perf_counter() + seconds

        async def worker(i: int) -> None:
            nonlocal errors
            http = https[i]
            n = 0
            while time.perf_counter() < stop_at:
                n += 1
                started = time.perf_counter()
                if patch:
                    response = await http.patch(f"/api/v1/layers/c{i}",
                                                json={"opacity": (n % 100) / 100})
                else:
                    response = await http.get("/healthz")
                latencies.append((time.perf_counter() - started) * 1000)
                errors += response.status_code >= 400

        started = time.perf_counter()
        await asyncio.gather(*(worker(i) for i in range(clients)))
        elapsed = time.perf_counter() - started
    return {"requests": len(latencies), "errors": errors, "per_s": len(latencies) / elapsed,
            "p50_ms": percentile(latencies, 50), "p99_ms": percentile(latencies, 99)}


class _Listener(asyncio.Protocol):
    """A bare WebSocket client: handshake, then watch the raw bytes for one version marker.

    Parsing nothing keeps the 1000 clients cheap, so the figure is the server's fan-out (and
    the kernel's delivery), not the benchmark's own Python (a websockets client with JSON
    decoding costs about 50 µs a message: 50 ms per commit for 1000 clients on one core).
    """

    def __init__(self, host: str) -> None:
        self.host = host
        self.buffer = b""
        self.open = asyncio.get_running_loop().create_future()
        self.marker = b""
        self.seen: asyncio.Future[float] | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        transport.write(
            f"GET /api/v1/ws HTTP/1.1\r\nHost: {self.host}\r\nUpgrade: websocket\r\n"
            "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
            "Sec-WebSocket-Version: 13\r\n\r\n".encode())

    def expect(self, version: int) -> asyncio.Future[float]:
        self.marker = b'"version":%d,' % version
        self.seen = asyncio.get_running_loop().create_future()
        self._check()
        return self.seen

    def data_received(self, data: bytes) -> None:
        self.buffer = (self.buffer + data)[-8192:]
        if not self.open.done() and b"\r\n\r\n" in self.buffer:
            self.open.set_result(None)
        self._check()

    def _check(self) -> None:
        if self.seen is not None and not self.seen.done() and self.marker in self.buffer:
            self.seen.set_result(time.perf_counter())
            self.buffer = b""


async def _fanout(url: str, clients: int, commits: int) -> dict[str, Any]:
    """Commit→last-client latencies (ms) with ``clients`` WebSocket clients connected."""
    loop = asyncio.get_running_loop()
    host, port = url.removeprefix("http://").split(":")
    listeners: list[_Listener] = []
    transports = []
    for _ in range(clients):
        transport, listener = await loop.create_connection(
            lambda: _Listener(f"{host}:{port}"), host, int(port))
        await listener.open
        listeners.append(listener)
        transports.append(transport)
    layer_id = f"fan{clients}"
    async with httpx.AsyncClient(base_url=url, timeout=30) as http:
        created = await http.post("/api/v1/layers", json=_layer(layer_id))
        created.raise_for_status()
        samples: list[float] = []
        for n in range(commits):
            version = int(created.headers["etag"].strip('"')) + 1 + n
            waits = [listener.expect(version) for listener in listeners]
            started = time.perf_counter()
            response = await http.patch(f"/api/v1/layers/{layer_id}", json={"z": n})
            assert response.headers["etag"] == f'"{version}"', "another writer?"
            received = await asyncio.wait_for(asyncio.gather(*waits), 30)
            samples.append((max(received) - started) * 1000)
            await asyncio.sleep(0.05)
    for transport in transports:
        transport.close()
    return {"clients": clients, "commits": commits, "p50_ms": percentile(samples, 50),
            "p99_ms": percentile(samples, 99), "max_ms": max(samples)}


async def _to_air(url: str, commits: int) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=url, timeout=30) as http:
        await http.post("/api/v1/layers", json=_layer("air"))
        samples: list[float] = []
        for n in range(commits):
            sent = time.time()
            response = await http.patch("/api/v1/layers/air", json={"transform": {"x": n}})
            version = int(response.headers["etag"].strip('"'))
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                applied = (await http.get("/api/v1/output")).json().get("applied")
                if applied and applied["version"] >= version:
                    samples.append((applied["encoded_unix"] - sent) * 1000)
                    break
                await asyncio.sleep(0.005)
            await asyncio.sleep(0.1 + (n % 3) * 0.011)  # spread commits over the frame phase
        metrics = (await http.get("/metrics")).text
    encode = _histogram_mean_ms(metrics, "compositor_frame_encode_seconds")
    return {"commits": len(samples), "p50_ms": percentile(samples, 50),
            "p99_ms": percentile(samples, 99), "encode_mean_ms": encode,
            "target_ms": 2000 / FPS + encode}


def _histogram_mean_ms(text: str, name: str) -> float:
    values = {}
    for line in text.splitlines():
        if line.startswith((f"{name}_sum ", f"{name}_count ")):
            key, value = line.split()
            values[key.rsplit("_", 1)[1]] = float(value)
    return 1000 * values.get("sum", 0.0) / max(values.get("count", 0.0), 1.0)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[8, 32])
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--commits", type=int, default=30)
    parser.add_argument("--air-size", default="640x360")
    args = parser.parse_args()
    _raise_nofile()
    rows: list[dict[str, Any]] = []
    server = Server("--no-render")
    try:
        for clients in args.concurrency:
            base = asyncio.run(_load(server.url, clients, args.seconds, patch=False))
            rows.append({"test": f"baseline GET /healthz, {clients} clients", **base})
            load = asyncio.run(_load(server.url, clients, args.seconds, patch=True))
            rows.append({"test": f"PATCH /layers/{{id}}, {clients} clients", **load})
        print_table("HTTP (embedded store on disk, one commit per request)", rows)
        fan = [asyncio.run(_fanout(server.url, 10, args.commits)),
               asyncio.run(_fanout(server.url, args.clients, args.commits))]
        fan[0]["test"], fan[1]["test"] = "baseline fan-out", "fan-out"
        print_table("WebSocket: commit -> last client has scene.changed", fan)
    finally:
        server.close()
    width, height = args.air_size.split("x")
    renderer = Server("--width", width, "--height", height, "--fps", str(FPS),
                      "--encoder", "x264")
    try:
        air = asyncio.run(_to_air(renderer.url, args.commits))
        air["test"] = f"commit to air {args.air_size}@{FPS}"
        print_table("Commit to air (server encoded_unix - client send time)", [air])
    finally:
        renderer.close()
    write_json("control", rows, fanout=fan, commit_to_air=air)
    return 0


if __name__ == "__main__":
    sys.exit(main())
