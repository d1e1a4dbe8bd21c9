"""The store contract (control/store/base.py), run against both backends."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from fractions import Fraction

import msgspec
import pytest

from compositor.errors import LayerNotFoundError, SceneValidationError
from compositor.scene import AddLayer, RemoveLayer, Scene, UpdateLayer
from compositor.scene.codec import Limits
from control.errors import AssetNotFoundError, VersionConflictError
from control.store.base import AssetInfo, Store
from tests.control.store.conftest import StoreFactory
from tests.control.store.helpers import add, color_layer, next_changes, rename

pytestmark = pytest.mark.anyio

INITIAL = Scene(width=640, height=360, fps=Fraction(30))


def image_info(data: bytes, name: str | None = None) -> AssetInfo:
    digest = hashlib.sha256(data).hexdigest()
    return AssetInfo(id=digest, kind="image", content_type="image/png", width=2, height=1,
                     bytes=len(data), sha256=digest, name=name)


async def test_empty_store_reads_the_initial_scene_until_initialized(
    make_store: StoreFactory,
) -> None:
    store = make_store(initial=INITIAL)
    assert await store.read() == INITIAL
    other = Scene(width=320, height=180)
    assert await store.initialize(other) == other
    assert await store.read() == other
    # Once something is stored, initialize leaves it alone.
    assert await store.initialize(INITIAL) == other


async def test_commit_applies_ops_and_bumps_the_version(store: Store) -> None:
    first = await store.commit([add("a"), add("b")], author="alice", meta={"why": "test"})
    assert first.version == 1
    assert first.author == "alice" and first.meta == {"why": "test"}
    assert [op["op"] for op in first.ops] == ["add", "add"]
    assert first.ops[0]["layer"]["id"] == "a"
    second = await store.commit([rename("a", "A"), RemoveLayer("b")])
    assert second.version == 2 and second.at_unix >= first.at_unix
    scene = await store.read()
    assert scene.version == 2
    assert [(layer.id, layer.name) for layer in scene.layers] == [("a", "A")]


async def test_if_version_must_match(store: Store) -> None:
    await store.commit([add("a")], if_version=0)
    with pytest.raises(VersionConflictError) as caught:
        await store.commit([rename("a", "late")], if_version=0)
    assert (caught.value.expected, caught.value.current) == (0, 1)
    assert (await store.read()).layers[0].name is None
    assert (await store.commit([rename("a", "ok")], if_version=1)).version == 2


async def test_scene_errors_propagate_and_change_nothing(store: Store) -> None:
    await store.commit([add("a")])
    with pytest.raises(LayerNotFoundError) as caught:
        await store.commit([add("b"), rename("missing", "x")])
    assert caught.value.path == "ops[1].id"
    with pytest.raises(SceneValidationError):
        await store.commit([UpdateLayer("a", {"opacity": 7})])
    scene = await store.read()
    assert scene.version == 1 and [layer.id for layer in scene.layers] == ["a"]
    assert [record.version for record in await store.journal()] == [1]


async def test_commit_enforces_the_layer_limit(make_store: StoreFactory) -> None:
    store = make_store(limits=Limits(max_layers=2))
    await store.commit([add("a"), add("b")])
    with pytest.raises(SceneValidationError):
        await store.commit([add("c")])


async def test_journal_is_ordered_filtered_and_bounded(make_store: StoreFactory) -> None:
    store = make_store(journal_max=5)
    for i in range(8):
        await store.commit([add(f"l{i}")], author=f"w{i}")
    records = await store.journal()
    assert [r.version for r in records] == [4, 5, 6, 7, 8]
    assert [r.author for r in records] == ["w3", "w4", "w5", "w6", "w7"]
    assert [r.version for r in await store.journal(since=6)] == [7, 8]
    assert [r.version for r in await store.journal(since=4, limit=2)] == [5, 6]
    assert await store.journal(since=8) == []


async def test_subscribe_starts_with_a_snapshot_then_follows_commits(store: Store) -> None:
    await store.commit([add("a")])
    feed = store.subscribe()
    try:
        [snapshot] = await next_changes(feed, 1)
        assert snapshot.kind == "snapshot" and snapshot.version == 1
        assert snapshot.scene == await store.read()
        await store.commit([add("b")])
        await store.commit([rename("b", "B")], author="bob")
        changes = await next_changes(feed, 2)
        assert [(c.kind, c.version) for c in changes] == [("commit", 2), ("commit", 3)]
        assert changes[1].commit is not None and changes[1].commit.author == "bob"
        assert changes[1].scene == await store.read()
        assert changes[0].scene.layers[1].name is None
    finally:
        await feed.aclose()


async def test_subscribe_since_replays_missed_commits_with_their_scenes(store: Store) -> None:
    scenes = []
    for i in range(5):
        await store.commit([add(f"l{i}")])
        scenes.append(await store.read())
    feed = store.subscribe(since=2)
    try:
        changes = await next_changes(feed, 3)
        assert [(c.kind, c.version) for c in changes] == [("commit", 3), ("commit", 4),
                                                           ("commit", 5)]
        assert [c.scene for c in changes] == scenes[2:]
        await store.commit([rename("l0", "x")])
        [live] = await next_changes(feed, 1)
        assert live.version == 6 and live.kind == "commit"
    finally:
        await feed.aclose()


async def test_subscribe_at_the_current_version_gets_only_new_commits(store: Store) -> None:
    await store.commit([add("a")])
    feed = store.subscribe(since=1)
    try:
        await store.commit([add("b")])
        [change] = await next_changes(feed, 1)
        assert (change.kind, change.version) == ("commit", 2)
    finally:
        await feed.aclose()


async def test_subscribe_past_the_journal_gets_a_snapshot(make_store: StoreFactory) -> None:
    store = make_store(journal_max=3)
    for i in range(10):
        await store.commit([add(f"l{i}")])
    for since in (1, 42):  # trimmed away; from the future
        current = (await store.read()).version
        feed = store.subscribe(since=since)
        try:
            [change] = await next_changes(feed, 1)
            assert (change.kind, change.version) == ("snapshot", current)
            assert change.scene == await store.read()
            await store.commit([rename("l0", f"after {since}")])
            [change] = await next_changes(feed, 1)
            assert change.kind == "commit" and change.version == change.scene.version
        finally:
            await feed.aclose()


async def test_several_subscribers_see_the_same_order(store: Store) -> None:
    feeds = [store.subscribe(since=0) for _ in range(3)]
    try:
        for i in range(20):
            await store.commit([add(f"l{i}")])
        for feed in feeds:
            changes = await next_changes(feed, 20)
            assert [c.version for c in changes] == list(range(1, 21))
    finally:
        for feed in feeds:
            await feed.aclose()


async def test_reopening_restores_scene_version_and_journal(make_store: StoreFactory) -> None:
    store = make_store(initial=INITIAL)
    await store.initialize(INITIAL)
    await store.commit([add("a", "first")])
    changed = msgspec.structs.replace(color_layer("b"), opacity=0.5)
    await store.commit([AddLayer(changed), rename("a", "second")])
    before = await store.read()
    journal = await store.journal()
    await store.close()
    reopened = make_store(initial=Scene())
    assert await reopened.read() == before
    assert await reopened.journal() == journal
    assert (await reopened.commit([RemoveLayer("b")], if_version=2)).version == 3


async def test_assets_are_content_addressed(store: Store) -> None:
    data = b"\x89PNG fake image bytes"
    info = await store.put_asset(data, image_info(data, "logo.png"))
    assert info.id == hashlib.sha256(data).hexdigest() and info.bytes == len(data)
    assert info.created_unix > 0
    assert await store.get_asset(info.id) == data
    assert await store.asset_info(info.id) == info
    again = await store.put_asset(data, image_info(data, "other-name.png"))
    assert again == info  # the same bytes are the same asset
    other = b"other bytes"
    font = replace(image_info(other), kind="font", content_type="font/ttf", width=None,
                   height=None)
    font_info = await store.put_asset(other, font)
    assert {i.id for i in await store.list_assets()} == {info.id, font_info.id}
    await store.delete_asset(info.id)
    assert [i.id for i in await store.list_assets()] == [font_info.id]
    with pytest.raises(AssetNotFoundError):
        await store.get_asset(info.id)
    with pytest.raises(AssetNotFoundError):
        await store.delete_asset(info.id)


async def test_asset_ids_are_checked_before_use(store: Store) -> None:
    for bad in ("../../etc/passwd", "A" * 64, "", "0" * 63):
        with pytest.raises(AssetNotFoundError):
            await store.asset_info(bad)
        with pytest.raises(AssetNotFoundError):
            await store.get_asset(bad)


async def test_the_store_fixes_wrong_ids_in_asset_metadata(store: Store) -> None:
    data = b"some bytes"
    info = await store.put_asset(data, replace(image_info(b"else"), bytes=1))
    assert info.id == info.sha256 == hashlib.sha256(data).hexdigest()
    assert info.bytes == len(data)


async def test_assets_are_shared_across_channels(make_store: StoreFactory) -> None:
    data = b"shared"
    info = await make_store(channel=f"{make_store.channel}a").put_asset(data, image_info(data))
    other = make_store(channel=f"{make_store.channel}b")
    assert await other.get_asset(info.id) == data


async def test_channels_are_separate(make_store: StoreFactory) -> None:
    one = make_store(channel=f"{make_store.channel}x")
    two = make_store(channel=f"{make_store.channel}y")
    await one.commit([add("a")])
    assert (await two.read()).version == 0
    assert await two.journal() == []


async def test_close_ends_subscriptions(make_store: StoreFactory) -> None:
    store = make_store()
    feed = store.subscribe()
    await next_changes(feed, 1)
    await store.close()
    with pytest.raises(StopAsyncIteration):
        await next_changes(feed, 1)
