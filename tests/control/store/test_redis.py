"""What only the Redis store does: outages, restarts, foreign data, URLs, key layout."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
import redis.asyncio as aioredis

from control.errors import CorruptDataError, StoreUnavailableError
from control.service.settings import Settings
from control.service.stores import open_store
from control.store.base import Change
from control.store.redis import RedisStore
from tests.control.store.helpers import add, rename
from tests.control.store.test_contract import image_info
from tests.servers import RedisServer, free_port

pytestmark = pytest.mark.anyio


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[RedisServer]:
    """A server of this test's own, free to be stopped and restarted."""
    with RedisServer(tmp_path / "redis") as server:
        yield server


@pytest.fixture
async def raw(redis_server: RedisServer) -> AsyncIterator[aioredis.Redis]:
    client = aioredis.from_url(redis_server.url)
    yield client
    await client.aclose()


def connected(store: RedisStore) -> bool:
    return store.connected  # a function: mypy would narrow the property across the outage


async def commit_until_accepted(store: RedisStore, name: str, deadline_s: float = 15) -> int:
    """Commit, retrying while Redis is still coming back; the version it got."""
    deadline = time.monotonic() + deadline_s
    while True:
        try:
            return (await store.commit([rename("a", name)])).version
        except StoreUnavailableError:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.05)


async def test_a_subscriber_resumes_after_redis_restarts(
    own_redis: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    store = RedisStore.from_url(own_redis.url, channel="live", op_timeout_s=1.0)
    await store.commit([add("a")])
    seen: list[Change] = []

    async def follow() -> None:
        async for change in store.subscribe(since=1):
            seen.append(change)
            if change.version >= 21:
                return

    follower = asyncio.create_task(follow())
    for i in range(2, 12):
        await commit_until_accepted(store, str(i))
    await asyncio.sleep(0.2)  # let the subscriber sit in a blocking read when Redis goes away
    own_redis.stop()
    await asyncio.sleep(1.5)  # longer than a blocking read and the client's own quick retry
    own_redis.start()
    for i in range(12, 22):
        await commit_until_accepted(store, str(i))
    await asyncio.wait_for(follower, 30)
    assert [(c.kind, c.version) for c in seen] == [("commit", v) for v in range(2, 22)]
    assert [c.scene.layers[0].name for c in seen] == [str(v) for v in range(2, 22)]
    assert "change feed interrupted" in caplog.text  # it did lose Redis, and came back
    await store.close()


async def test_scene_and_journal_survive_a_redis_restart(own_redis: RedisServer) -> None:
    store = RedisStore.from_url(own_redis.url, channel="durable")
    await store.commit([add("a")])
    await store.commit([rename("a", "kept")], author="op")
    before, journal = await store.read(), await store.journal()
    await store.close()
    own_redis.restart()  # SIGTERM: redis-server writes its append-only file
    reopened = RedisStore.from_url(own_redis.url, channel="durable")
    assert await reopened.read() == before
    assert await reopened.journal() == journal
    assert (await reopened.commit([rename("a", "3")], if_version=2)).version == 3
    await reopened.close()


_WRITER = """
import asyncio, sys
from compositor.scene import AddLayer, Color, ColorContent, Layer, UpdateLayer
from control.store.redis import RedisStore

async def main() -> None:
    store = RedisStore.from_url(sys.argv[1], channel="killed")
    await store.commit([AddLayer(Layer("n", "color", ColorContent(Color(1, 2, 3, 255))))])
    while True:
        version = (await store.read()).version
        await store.commit([UpdateLayer("n", {"name": str(version + 1)})], if_version=version)
        print(version + 1, flush=True)

asyncio.run(main())
"""


async def test_a_killed_writer_process_leaves_the_last_commit(redis_server: RedisServer) -> None:
    root = Path(__file__).resolve().parents[3]
    proc = subprocess.Popen([sys.executable, "-c", _WRITER, redis_server.url], cwd=root,
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    acked = 0
    deadline = time.monotonic() + 30
    while acked < 50 and time.monotonic() < deadline:
        line = await asyncio.to_thread(proc.stdout.readline)
        assert line, "the writer exited early"
        acked = int(line)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    proc.stdout.close()
    store = RedisStore.from_url(redis_server.url, channel="killed")
    scene = await store.read()
    assert scene.version >= acked >= 50
    assert scene.layers[0].name == str(scene.version)
    assert [r.version for r in await store.journal()] == list(range(1, scene.version + 1))
    await store.close()


async def test_operations_fail_clearly_while_redis_is_down(own_redis: RedisServer) -> None:
    store = RedisStore.from_url(own_redis.url, channel="down", op_timeout_s=1.0)
    await store.commit([add("a")])
    assert connected(store)
    own_redis.stop()
    for attempt in (store.read(), store.commit([rename("a", "x")]), store.journal(),
                    store.list_assets()):
        started = time.monotonic()
        with pytest.raises(StoreUnavailableError, match=r"127\.0\.0\.1"):
            await attempt
        assert time.monotonic() - started < 5
    assert not connected(store)
    own_redis.start()
    assert await commit_until_accepted(store, "back") == 2
    assert connected(store)
    await store.close()


async def test_nothing_listening_is_unavailable_not_a_hang() -> None:
    store = RedisStore.from_url(f"redis://127.0.0.1:{free_port()}/0", op_timeout_s=1.0)
    with pytest.raises(StoreUnavailableError):
        await store.read()
    await store.close()


async def test_foreign_data_under_our_keys_is_reported(
    redis_server: RedisServer, raw: aioredis.Redis, caplog: pytest.LogCaptureFixture
) -> None:
    store = RedisStore.from_url(redis_server.url, channel="foreign")
    await raw.set("compositor:foreign:scene", "a plain string")
    with pytest.raises(CorruptDataError, match="compositor:foreign:scene"):
        await store.read()
    with pytest.raises(CorruptDataError, match="compositor:foreign:scene"):
        await store.commit([add("a")])
    assert "compositor:foreign:scene" in caplog.text
    await raw.delete("compositor:foreign:scene")
    await raw.hset("compositor:foreign:scene", mapping={"version": "3", "scene": "{oops"})
    with pytest.raises(CorruptDataError, match="not JSON"):
        await store.read()
    await raw.hset("compositor:foreign:scene", "scene", '{"width": 3}')
    with pytest.raises(CorruptDataError, match="not a valid scene"):
        await store.read()
    await store.close()


async def test_a_damaged_journal_entry_is_reported_and_the_feed_goes_on(
    redis_server: RedisServer, raw: aioredis.Redis
) -> None:
    store = RedisStore.from_url(redis_server.url, channel="damaged")
    await store.commit([add("a")])
    feed = store.subscribe(since=1)
    first = asyncio.ensure_future(anext(feed))
    await asyncio.sleep(0.1)
    # A foreign entry at version 2, then the scene moves on as if it were a commit.
    await raw.xadd("compositor:damaged:journal", {"r": "not json"}, id="2-1")
    await raw.hset("compositor:damaged:scene", "version", "2")
    with pytest.raises(CorruptDataError, match="compositor:damaged:journal"):
        await store.journal()
    change = await asyncio.wait_for(first, 10)
    assert change.kind == "snapshot"  # the feed resynchronised instead of dying
    await feed.aclose()
    await store.close()


async def test_damaged_asset_data_is_reported(redis_server: RedisServer,
                                              raw: aioredis.Redis) -> None:
    store = RedisStore.from_url(redis_server.url, channel="assets")
    data = b"asset bytes"
    info = await store.put_asset(data, image_info(data))
    await raw.set(f"compositor:assets:{info.id}", b"bitrot")
    with pytest.raises(CorruptDataError, match="sha256"):
        await store.get_asset(info.id)
    await raw.zadd("compositor:assets:index", {"f" * 64: 0})
    await raw.hset(f"compositor:assets:{'f' * 64}:info", "kind", "{bad")
    assert info.id in [i.id for i in await store.list_assets()]
    assert "f" * 64 not in [i.id for i in await store.list_assets()]
    await store.delete_asset(info.id)
    await store.close()


async def test_keys_live_under_the_channel_prefix(redis_server: RedisServer,
                                                  raw: aioredis.Redis) -> None:
    store = RedisStore.from_url(redis_server.url, channel="layout")
    await store.commit([add("a")])
    found: Any = await raw.keys("compositor:layout:*")
    keys = sorted(k.decode() for k in found)
    assert keys == ["compositor:layout:journal", "compositor:layout:scene"]
    assert await raw.type("compositor:layout:journal") == b"stream"
    entries: Any = await raw.xrange("compositor:layout:journal", "1-0", "+")
    assert [entry_id for entry_id, _ in entries] == [b"1-1"]  # the entry id carries the version
    await store.close()


async def test_password_and_database_come_from_the_url(tmp_path: Path) -> None:
    with RedisServer(tmp_path / "auth", password="s3cret") as server:
        url = server.url.replace("/0", "/3")
        store = open_store(Settings(redis_url=url, channel="authed"))
        assert isinstance(store, RedisStore)
        await store.commit([add("a")])
        client = aioredis.from_url(url)
        assert await client.exists("compositor:authed:scene") == 1
        await client.aclose()
        await store.close()
        wrong = RedisStore.from_url(url.replace("s3cret", "wrong"), op_timeout_s=1.0)
        with pytest.raises(StoreUnavailableError) as caught:
            await wrong.read()
        assert ":***@127.0.0.1" in str(caught.value)  # the password is redacted
        assert "s3cret" not in str(caught.value)
        await wrong.close()
