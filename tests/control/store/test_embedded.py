"""What only the embedded store does: files, the folder lock, crash recovery, slow subscribers."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from compositor.scene import Scene
from control.errors import CorruptDataError, StoreUnavailableError
from control.store.embedded import EmbeddedStore
from tests.control.store.helpers import add, next_changes, rename
from tests.control.store.test_contract import image_info

pytestmark = pytest.mark.anyio


def channel_dir(data: Path, channel: str = "main") -> Path:
    return data / "channels" / channel


async def test_a_second_store_on_the_same_folder_fails_clearly(tmp_path: Path) -> None:
    first = EmbeddedStore(tmp_path)
    await first.commit([add("a")])
    second = EmbeddedStore(tmp_path)
    held = f"in use by another store \\(pid {os.getpid()}\\)"
    with pytest.raises(StoreUnavailableError, match=held):
        await second.read()
    # Assets need no lock: `compositor asset add` works beside a running service.
    data = b"beside"
    info = await second.put_asset(data, image_info(data))
    assert await first.get_asset(info.id) == data
    await first.close()
    assert (await second.read()).version == 1  # free once the first one closed
    await second.close()


async def test_a_torn_last_journal_line_is_cut_off(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path)
    await store.commit([add("a")])
    await store.commit([rename("a", "two")])
    await store.close()
    journal = channel_dir(tmp_path) / "journal.jsonl"
    with open(journal, "ab") as handle:
        handle.write(b'{"version":3,"ops":[{"op":"remo')  # a crash mid-append
    store = EmbeddedStore(tmp_path)
    scene = await store.read()
    assert scene.version == 2 and scene.layers[0].name == "two"
    assert (await store.commit([rename("a", "three")])).version == 3
    await store.close()
    assert (await EmbeddedStore(tmp_path).read()).layers[0].name == "three"


@pytest.mark.parametrize(("name", "content", "message"), [
    ("scene.json", b"{not json", "not JSON"),
    ("scene.json", b'{"width": 3}', "not a valid scene"),
    ("journal.jsonl", b'{"version": 5, "ops": [], "at_unix": 1}\n', "gap"),
    ("journal.jsonl", b'["foreign"]\n', "must be an object"),
    ("journal.jsonl", b'{"version":1,"ops":[{"op":"remove","id":"x"}],"at_unix":1}\n',
     "cannot replay"),
])
async def test_damaged_files_are_reported_with_their_path(
    tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    folder = channel_dir(tmp_path)
    folder.mkdir(parents=True)
    (folder / name).write_bytes(content)
    store = EmbeddedStore(tmp_path)
    with pytest.raises(CorruptDataError, match=message) as caught:
        await store.read()
    assert str(folder / name) in str(caught.value)
    await store.close()
    # The failed open released the folder: a repaired store opens.
    (folder / name).unlink()
    repaired = EmbeddedStore(tmp_path)
    assert (await repaired.read()).version == 0
    await repaired.close()


async def test_damaged_asset_files_are_reported(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path)
    data = b"pixels"
    info = await store.put_asset(data, image_info(data))
    (tmp_path / "assets" / info.id).write_bytes(b"bitrot")
    with pytest.raises(CorruptDataError, match="sha256"):
        await store.get_asset(info.id)
    (tmp_path / "assets" / f"{'0' * 64}.json").write_text("[]")
    assert [i.id for i in await store.list_assets()] == [info.id]  # the foreign one is skipped
    await store.close()


async def test_the_journal_file_is_compacted_and_still_replays(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path, journal_max=10)
    await store.commit([add("counter")])
    for i in range(2, 56):
        await store.commit([rename("counter", str(i))])
    before = await store.read()
    await store.close()
    lines = (channel_dir(tmp_path) / "journal.jsonl").read_bytes().splitlines()
    assert 10 <= len(lines) <= 21
    reopened = EmbeddedStore(tmp_path, journal_max=10)
    assert await reopened.read() == before
    assert [r.version for r in await reopened.journal()] == list(range(46, 56))
    feed = reopened.subscribe(since=45)
    changes = await next_changes(feed, 10)
    assert changes[-1].scene == before and changes[0].scene.layers[0].name == "46"
    await feed.aclose()
    await reopened.close()


async def test_a_slow_subscriber_gets_a_snapshot_instead_of_blocking(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path, queue_max=4)
    await store.commit([add("a")])
    feed = store.subscribe(since=1)
    first = asyncio.ensure_future(anext(feed))  # registers the subscriber, then waits
    await store.commit([rename("a", "2")])
    assert (await asyncio.wait_for(first, 10)).version == 2
    for i in range(3, 40):  # the subscriber reads nothing meanwhile
        await store.commit([rename("a", str(i))])
    [change] = await next_changes(feed, 1)
    assert (change.kind, change.version) == ("snapshot", 39)
    await store.commit([rename("a", "40")])
    [change] = await next_changes(feed, 1)
    assert (change.kind, change.version) == ("commit", 40)
    await feed.aclose()
    await store.close()


async def test_commits_from_another_thread_reach_subscribers_in_order() -> None:
    store = EmbeddedStore()  # no data dir: memory only
    await store.commit([add("a")])
    feed = store.subscribe(since=1)
    waiting = asyncio.ensure_future(anext(feed))
    await asyncio.sleep(0)

    def writer() -> None:
        async def run() -> None:
            for i in range(2, 52):
                await store.commit([rename("a", str(i))])
        asyncio.run(run())

    thread = threading.Thread(target=writer)
    thread.start()
    first = await asyncio.wait_for(waiting, 10)
    rest = await next_changes(feed, 49)
    thread.join()
    assert [c.version for c in [first, *rest]] == list(range(2, 52))
    await feed.aclose()
    await store.close()


_WRITER = """
import asyncio, sys
from pathlib import Path
from compositor.scene import AddLayer, Color, ColorContent, Layer, UpdateLayer
from control.store.embedded import EmbeddedStore

async def main() -> None:
    store = EmbeddedStore(Path(sys.argv[1]))
    scene = await store.read()
    if not scene.layers:
        await store.commit([AddLayer(Layer("n", "color", ColorContent(Color(1, 2, 3, 255))))])
    while True:
        version = (await store.read()).version
        await store.commit([UpdateLayer("n", {"name": str(version + 1)})], if_version=version)
        print(version + 1, flush=True)

asyncio.run(main())
"""


def test_sigkill_mid_commit_leaves_the_last_acknowledged_commit(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[3]
    acked = 0
    for _ in range(3):  # kill, reopen, kill again: recovery must also survive a recovered store
        proc = subprocess.Popen([sys.executable, "-c", _WRITER, str(tmp_path)], cwd=root,
                                stdout=subprocess.PIPE, text=True)
        assert proc.stdout is not None
        deadline = time.monotonic() + 30
        start = acked
        while acked < start + 40 and time.monotonic() < deadline:
            line = proc.stdout.readline()
            assert line, "the writer exited early"
            acked = int(line)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        proc.stdout.close()
        assert acked >= start + 40

        async def check(acked: int) -> int:
            store = EmbeddedStore(tmp_path)
            scene = await store.read()
            records = await store.journal(limit=10_000)
            await store.close()
            assert scene.version >= acked  # nothing acknowledged was lost
            assert scene.layers[0].name == str(scene.version)
            assert [r.version for r in records] == list(range(records[0].version,
                                                             scene.version + 1))
            return scene.version

        acked = asyncio.run(check(acked))


async def test_initialize_persists_and_notifies(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path, initial=Scene(width=320, height=180))
    feed = store.subscribe()
    [first] = await next_changes(feed, 1)
    assert first.scene.width == 320
    await store.initialize(Scene(width=640, height=360))
    [second] = await next_changes(feed, 1)
    assert second.kind == "snapshot" and second.scene.width == 640
    await feed.aclose()
    await store.close()
    reopened = EmbeddedStore(tmp_path)
    assert (await reopened.read()).width == 640
    await reopened.close()
