"""Scene store commit throughput and latency, both backends, against a local redis-server.

Each row commits single-layer updates (a merge patch of one layer's name and x) on a scene of
``--layers`` colour layers, one writer awaiting each commit. Baselines measured in the same run:
raw redis-py round trips (PING, SET of the scene JSON, XADD of a record), the floor under any
Redis commit. The Redis store is measured twice: with Redis's default ``appendfsync everysec``
(up to a second of acknowledged commits lost if the Redis host crashes) and with ``appendfsync
always`` (none lost; docs/deploy.md). Run: ``.venv/bin/python -m benchmarks.store [--commits N]
[--layers N]``.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import redis.asyncio as aioredis

from benchmarks.report import percentile, print_table, write_json
from compositor.scene import AddLayer, Color, ColorContent, Layer, UpdateLayer
from control.store.base import Store
from control.store.embedded import EmbeddedStore
from control.store.records import scene_to_text
from control.store.redis import RedisStore
from tests.servers import RedisServer


async def timed(
    label: str, count: int, step: Callable[[int], Awaitable[object]]
) -> dict[str, object]:
    for i in range(min(100, count)):  # warm up: connections, scripts, caches
        await step(i)
    samples = []
    started = time.perf_counter()
    for i in range(count):
        t0 = time.perf_counter()
        await step(i)
        samples.append((time.perf_counter() - t0) * 1000.0)
    wall = time.perf_counter() - started
    return {"case": label, "ops": count, "ops_per_s": count / wall,
            "p50_ms": percentile(samples, 50), "p99_ms": percentile(samples, 99),
            "max_ms": max(samples)}


async def store_row(label: str, store: Store, layers: int, count: int) -> dict[str, object]:
    await store.commit([AddLayer(Layer(f"l{i}", "color", ColorContent(Color(i, 0, 0, 255))))
                        for i in range(layers)])

    async def step(i: int) -> None:
        await store.commit([UpdateLayer(f"l{i % layers}", {"name": f"n{i}",
                                                           "transform": {"x": i % 1000}})])

    row = await timed(label, count, step)
    await store.close()
    return row


async def baselines(url: str, layers: int, count: int) -> list[dict[str, object]]:
    store = EmbeddedStore()
    await store.commit([AddLayer(Layer(f"l{i}", "color", ColorContent(Color(i, 0, 0, 255))))
                        for i in range(layers)])
    scene_json = scene_to_text(await store.read())
    record = '{"version":1,"ops":[{"op":"update","id":"l0","patch":{"name":"x"}}],"at_unix":1}'
    client = aioredis.from_url(url)
    rows = [
        await timed("redis-py PING (floor)", count, lambda i: client.ping()),
        await timed(f"redis-py SET scene JSON ({len(scene_json)} B)", count,
                    lambda i: client.set("bench:scene", scene_json)),
        await timed("redis-py XADD record MAXLEN~1000", count,
                    lambda i: client.xadd("bench:stream", {"r": record}, maxlen=1000)),
    ]
    await client.aclose()
    return rows


async def main(commits: int, layers: int) -> list[dict[str, object]]:
    with tempfile.TemporaryDirectory() as tmp, RedisServer(Path(tmp) / "redis") as server:
        rows = await baselines(server.url, layers, commits)
        rows.append(await store_row("RedisStore commit (appendfsync everysec)",
                                    RedisStore.from_url(server.url, channel="bench"), layers,
                                    commits))
    with tempfile.TemporaryDirectory() as tmp, RedisServer(
            Path(tmp) / "redis", extra_args=("--appendfsync", "always")) as server:
        # Zero loss on a Redis crash: every write is fsynced before Redis answers.
        rows.append(await store_row("RedisStore commit (appendfsync always)",
                                    RedisStore.from_url(server.url, channel="bench"), layers,
                                    commits))
    with tempfile.TemporaryDirectory() as tmp:
        rows.append(await store_row("EmbeddedStore commit (data dir, fsync)", EmbeddedStore(
            Path(tmp) / "data"), layers, commits))
        rows.append(await store_row("EmbeddedStore commit (no data dir)", EmbeddedStore(),
                                    layers, commits))
    return rows


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--commits", type=int, default=3000)
    parser.add_argument("--layers", type=int, default=10)
    args = parser.parse_args()
    result = asyncio.run(main(args.commits, args.layers))
    print_table(f"store: single-layer commits, {args.layers}-layer scene, one writer", result)
    write_json("store", result, commits=args.commits, layers=args.layers,
               target="RedisStore >= 2000 commits/s, p99 < 5 ms")
