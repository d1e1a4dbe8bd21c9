"""ClipPreparer against a real embedded store and real clips: clips are prepared before their
scene is published, and a sweep releases the clips no scene has named for the idle time (their
PCM cache files removed) while it keeps those the pipeline still holds (on air, or scheduled)."""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry

from compositor.media import MediaLibrary, MediaMetrics
from compositor.scene import AudioContent, Layer, Scene
from control.clips import clip_info
from control.errors import StoreUnavailableError
from control.service.clips import ClipPreparer
from control.store.base import Store
from control.store.embedded import EmbeddedStore
from tests.media_factory import MediaCache

pytestmark = pytest.mark.anyio

IDLE_S = 60.0


class Clock:
    """Monotonic seconds that the test moves on."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now



@pytest.fixture
def library(tmp_path: Path) -> Iterator[MediaLibrary]:
    lib = MediaLibrary(tmp_path / "pcm", metrics=MediaMetrics(CollectorRegistry()))
    yield lib
    lib.close()


async def add_clip(store: Store, source: Path) -> str:
    data = source.read_bytes()
    staged = store.upload_dir() / f"up-{source.name}"
    shutil.copy(source, staged)
    info = clip_info(staged, sha256=hashlib.sha256(data).hexdigest(), size=len(data),
                     head=data[:64], declared="audio/wav", name=source.name, max_seconds=60)
    return (await store.put_asset_file(staged, info)).id


def sound_scene(*asset_ids: str) -> Scene:
    return Scene(layers=tuple(Layer(id=f"a{n}", kind="audio", content=AudioContent(asset=a))
                              for n, a in enumerate(asset_ids)))


def pcm_file(library: MediaLibrary, asset_id: str) -> Path:
    assert library.cache_dir is not None
    return library.cache_dir / f"{asset_id}.f32"


async def test_a_sweep_releases_only_clips_no_scene_has_named_for_the_idle_time(
        tmp_path: Path, media: MediaCache, library: MediaLibrary) -> None:
    store = EmbeddedStore(tmp_path / "data")
    first = await add_clip(store, media.audio(seconds=0.5, tone_hz=440))
    second = await add_clip(store, media.audio(seconds=0.5, tone_hz=880))
    clock = Clock()
    held: list[Scene] = []
    preparer = ClipPreparer(store, library, held=lambda: held, idle_s=IDLE_S, clock=clock)

    await preparer.ensure(sound_scene(first))
    await preparer.ensure(sound_scene(second))  # the next take: the first clip is off air
    assert set(library.prepared()) == {first, second}
    assert pcm_file(library, first).exists() and pcm_file(library, second).exists()

    clock.now += IDLE_S - 1
    assert await preparer.sweep() == []  # not idle long enough yet
    clock.now += 1
    assert await preparer.sweep() == [first]
    assert library.prepared() == [second] and library.info(first) is None
    assert not pcm_file(library, first).exists() and pcm_file(library, second).exists()

    # The latest scene keeps naming the second clip, however long it stays on air.
    clock.now += 10 * IDLE_S
    assert await preparer.sweep() == [] and library.prepared() == [second]

    # Named again: prepared again before its scene is published, with the same sound.
    await preparer.ensure(sound_scene(first, second))
    assert set(library.prepared()) == {first, second} and pcm_file(library, first).exists()
    assert preparer.problems() == {}
    metrics = library.metrics
    assert metrics is not None
    assert metrics.clips_prepared._value.get() == 2
    assert metrics.clips_released._value.get() == 1


async def test_clips_of_scenes_the_pipeline_holds_are_kept(
        tmp_path: Path, media: MediaCache, library: MediaLibrary) -> None:
    """A take scheduled for later names a clip that the latest scene fed here does not: the
    pipeline holds that scene (``held``), so its clip stays prepared until it has aired."""
    store = EmbeddedStore(tmp_path / "data")
    scheduled = await add_clip(store, media.audio(seconds=0.5, tone_hz=330))
    clock = Clock()
    held = [sound_scene(scheduled)]  # waiting in the pipeline for its frame
    preparer = ClipPreparer(store, library, held=lambda: held, idle_s=IDLE_S, clock=clock)
    await preparer.ensure(held[0])
    await preparer.ensure(sound_scene())  # a newer immediate change without the clip
    for _ in range(3):
        clock.now += IDLE_S
        assert await preparer.sweep() == []
    held.clear()  # aired and replaced
    clock.now += IDLE_S
    assert await preparer.sweep() == [scheduled]


class _StoreDown(EmbeddedStore):
    async def forget_asset_file(self, asset_id: str) -> bool:
        raise StoreUnavailableError("redis is down")


async def test_a_store_outage_does_not_stop_a_sweep_halfway(
        tmp_path: Path, media: MediaCache, library: MediaLibrary) -> None:
    store = _StoreDown(tmp_path / "data")
    clips = [await add_clip(store, media.audio(seconds=0.5, tone_hz=hz)) for hz in (220, 240)]
    clock = Clock()
    preparer = ClipPreparer(store, library, idle_s=IDLE_S, clock=clock)
    await preparer.ensure(sound_scene(*clips))
    await preparer.ensure(sound_scene())
    clock.now += IDLE_S
    assert sorted(await preparer.sweep()) == sorted(clips)
    assert library.prepared() == [] and not any(pcm_file(library, c).exists() for c in clips)
