"""A Redis that comes back with older data (restarted from an older append-only file, or a
failover to a lagging replica) is noticed: version numbers never repeat, every process and
follower re-syncs to what Redis holds, and the rollback is reported."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from control.errors import VersionConflictError
from control.store.base import Change
from control.store.redis import RedisStore
from tests.control.store.helpers import add, rename
from tests.control.store.test_redis import commit_until_accepted
from tests.servers import RedisServer

pytestmark = pytest.mark.anyio


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[RedisServer]:
    with RedisServer(tmp_path / "redis") as server:
        yield server


def _swap_data(server: RedisServer, backup: Path) -> None:
    """Stop Redis, put the older append-only files back in place, start it again."""
    server.stop()
    shutil.rmtree(server.folder / "appendonlydir")
    shutil.copytree(backup, server.folder / "appendonlydir")
    server.start()


async def test_redis_gone_back_in_time_is_rebased_past_every_version_seen(
    own_redis: RedisServer, tmp_path: Path
) -> None:
    writer = RedisStore.from_url(own_redis.url, channel="tv", op_timeout_s=1.0)
    replica = RedisStore.from_url(own_redis.url, channel="tv", op_timeout_s=1.0)
    await writer.commit([add("a")])
    for name in "2345":
        await writer.commit([rename("a", name)])
    own_redis.stop()  # an older copy of the data: version 5
    shutil.copytree(own_redis.folder / "appendonlydir", tmp_path / "old-aof")
    own_redis.start()

    seen: list[Change] = []

    async def follow() -> None:
        async for change in replica.subscribe(since=5):
            seen.append(change)
            if change.kind == "commit" and change.scene.layers[0].name == "after":
                return

    follower = asyncio.create_task(follow())
    for name in ("6", "7", "8", "9", "10"):
        await commit_until_accepted(writer, name)
    while not seen or seen[-1].version < 10:
        await asyncio.sleep(0.02)

    _swap_data(own_redis, tmp_path / "old-aof")  # Redis now holds version 5 again

    with pytest.raises(VersionConflictError) as conflict:
        await writer.commit([rename("a", "x")], if_version=10)
    assert conflict.value.current == 11  # re-based past every version seen, not 5
    assert writer.last_rollback is not None
    assert (writer.last_rollback.found_version, writer.last_rollback.seen_version,
            writer.last_rollback.rebased_version) == (5, 10, 11)
    assert (await writer.read()).layers[0].name == "5"  # what Redis holds is the truth
    record = await commit_until_accepted(writer, "after")
    assert record == 12
    await asyncio.wait_for(follower, 30)

    versions = [change.version for change in seen]
    assert versions == sorted(set(versions)), f"a version repeated or went back: {versions}"
    resync = next(change for change in seen if change.version == 11)
    assert resync.kind == "snapshot" and resync.scene.layers[0].name == "5"
    assert seen[-1].version == 12 and seen[-1].kind == "commit"
    await writer.close()
    await replica.close()


async def test_a_redis_emptied_by_a_failover_is_rebased_too(own_redis: RedisServer) -> None:
    store = RedisStore.from_url(own_redis.url, channel="tv", op_timeout_s=1.0)
    await store.commit([add("a")])
    await store.commit([rename("a", "b")])
    own_redis.stop()
    shutil.rmtree(own_redis.folder / "appendonlydir")  # a replica that had nothing yet
    own_redis.start()
    scene = await store.read()
    assert scene.version == 3 and scene.layers == ()  # the initial scene, version past 2
    assert store.last_rollback is not None and store.last_rollback.found_version == 0
    await store.close()
