"""Many writers at once: optimistic concurrency with if_version loses no update."""

from __future__ import annotations

import asyncio
import os
import random

import pytest

from compositor.scene import find_layer
from control.errors import VersionConflictError
from control.store.base import Store
from tests.control.store.conftest import StoreFactory
from tests.control.store.helpers import add, rename

pytestmark = pytest.mark.anyio

# The figure is 20 writers x 200 commits (COMPOSITOR_STORE_STRESS=1; about 10 s on the
# embedded store and 90 s on Redis on the 2-core dev machine, where every writer is a task of this
# one Python process and contention wastes most attempts). The default run keeps 20 writers and
# makes 25 commits each, to stay within the suite's time budget.
WRITERS = 20
COMMITS = 200 if os.environ.get("COMPOSITOR_STORE_STRESS") == "1" else 25


async def write(store: Store, writer: int, commits: int) -> int:
    """``commits`` read-modify-write commits: bump the shared counter and this writer's own."""
    conflicts = streak = 0
    done = 0
    while done < commits:
        scene = await store.read()
        shared = find_layer(scene, "shared")
        mine = find_layer(scene, f"w{writer}")
        assert shared is not None and mine is not None
        ops = [rename("shared", str(int(shared.name or "0") + 1)),
               rename(f"w{writer}", str(int(mine.name or "0") + 1))]
        try:
            await store.commit(ops, if_version=scene.version, author=f"w{writer}")
        except VersionConflictError:
            # Jittered backoff, as a well-behaved client does: without it 20 writers in lock
            # step waste 19 attempts per commit.
            conflicts += 1
            streak += 1
            await asyncio.sleep(random.uniform(0, 0.0005 * min(streak, 20)))
            continue
        streak = 0
        done += 1
    return conflicts


async def test_concurrent_writers_lose_no_update(make_store: StoreFactory) -> None:
    setup = make_store(journal_max=WRITERS * COMMITS + 10)
    await setup.commit([add("shared"), *(add(f"w{i}") for i in range(WRITERS))])
    # Redis: one store (one connection pool) per writer, as separate processes would have. The
    # embedded store is single-process: its writers share it, as a service's requests do.
    stores = [setup] * WRITERS if make_store.backend == "embedded" else [setup] + [
        make_store(journal_max=WRITERS * COMMITS + 10) for _ in range(WRITERS - 1)]
    conflicts = await asyncio.gather(*(write(stores[i], i, COMMITS) for i in range(WRITERS)))
    scene = await setup.read()
    total = WRITERS * COMMITS
    assert scene.version == 1 + total
    shared = find_layer(scene, "shared")
    assert shared is not None and shared.name == str(total)
    for i in range(WRITERS):
        mine = find_layer(scene, f"w{i}")
        assert mine is not None and mine.name == str(COMMITS)
    journal = await setup.journal(limit=total + 10)
    assert [r.version for r in journal] == list(range(1, total + 2))
    counts = [int(r.ops[0]["patch"]["name"]) for r in journal[1:]]
    assert counts == list(range(1, total + 1))  # every increment, in order
    assert sum(1 for r in journal if r.author == "w0") == COMMITS
    print(f"{total} commits, {sum(conflicts)} conflicts")
