"""Landing frames, the schedule and on-air receipts of the store contract, on both backends."""

from __future__ import annotations

import asyncio
import contextlib
from fractions import Fraction

import pytest

from compositor.scene import Animate, Scene, UpdateLayer
from control.store.base import Receipt, ScheduledCommit
from tests.control.store.conftest import StoreFactory
from tests.control.store.helpers import add, next_changes

pytestmark = pytest.mark.anyio

INITIAL = Scene(width=320, height=180, fps=Fraction(30))


def entry(entry_id: str, at_frame: int, created: float = 1.0) -> ScheduledCommit:
    return ScheduledCommit(entry_id, at_frame, ({"op": "remove", "id": "a"},), created, "me")


async def test_a_commit_lands_on_its_frame_and_replays_identically(
        make_store: StoreFactory) -> None:
    store = make_store(initial=INITIAL)
    await store.commit([add("a")], frame=1000)
    moved = UpdateLayer("a", {"transform": {"x": 100}}, Animate(30, "easeOutCubic"))
    record = await store.commit([moved], frame=1010)
    assert record.frame == 1010
    scene = await store.read()
    (tween,) = scene.layers[0].tweens
    assert (tween.start_frame, tween.from_value, tween.to_value) == (1010, 0.0, 100.0)
    # The journal keeps the frame: a replay (a new subscriber from 0, a reopened store) rebuilds
    # the same scene, tween included.
    async with contextlib.aclosing(store.subscribe(0)) as feed:
        changes = await next_changes(feed, 2)
    assert changes[-1].scene == scene
    assert (await store.journal(1))[0].frame == 1010
    await store.close()
    again = make_store(initial=INITIAL)
    assert await again.read() == scene


async def test_schedule_lists_cancels_and_takes_due_entries_once(
        make_store: StoreFactory) -> None:
    store = make_store(initial=INITIAL)
    for item in (entry("late", 300), entry("soon", 100), entry("next", 200)):
        await store.schedule_put(item)
    assert [e.id for e in await store.schedule_list()] == ["soon", "next", "late"]
    assert await store.schedule_list() == [entry("soon", 100), entry("next", 200),
                                           entry("late", 300)]
    assert await store.schedule_cancel("next") == "cancelled"
    assert await store.schedule_cancel("next") == "unknown"
    assert await store.schedule_take_due(99) == []
    # Two replicas racing for the due entries: exactly one gets each.
    other = make_store(initial=INITIAL) if make_store.backend == "redis" else store
    taken = await asyncio.gather(store.schedule_take_due(150), other.schedule_take_due(150))
    assert sorted(len(t) for t in taken) == [0, 1]
    assert [e.id for t in taken for e in t] == ["soon"]
    assert await store.schedule_cancel("soon") == "taken"
    assert [e.id for e in await store.schedule_list()] == ["late"]


async def test_the_schedule_survives_a_restart(make_store: StoreFactory) -> None:
    store = make_store(initial=INITIAL)
    await store.schedule_put(entry("kept", 500))
    await store.schedule_put(entry("gone", 100))
    await store.schedule_take_due(100)
    await store.close()
    again = make_store(initial=INITIAL)
    assert await again.schedule_list() == [entry("kept", 500)]
    assert await again.schedule_cancel("gone") == "taken"


async def test_receipts_first_wins_are_bounded_and_relayed(make_store: StoreFactory) -> None:
    store = make_store(initial=INITIAL, journal_max=3)
    feed = store.subscribe_receipts()
    first = Receipt(1, 1000, 0, 0, 12.5)
    assert await store.put_receipt(first)
    assert not await store.put_receipt(Receipt(1, 1001, 1, 0, 13.0))
    assert await store.get_receipt(1) == first
    assert await store.get_receipt(2) is None
    for version in (2, 3, 4):
        await store.put_receipt(Receipt(version, 1000 + version, version, 1, 14.0))
    assert await store.get_receipt(1) is None  # older than the newest journal_max
    assert await store.get_receipt(4) == Receipt(4, 1004, 4, 1, 14.0)
    try:
        relayed = [await asyncio.wait_for(anext(feed), 10) for _ in range(4)]
    finally:
        await feed.aclose()
    assert [r.version for r in relayed] == [1, 2, 3, 4]
    assert relayed[0] == first
