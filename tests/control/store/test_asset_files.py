"""Clip files in the store: ``put_asset_file`` / ``asset_file``, run against both backends.

Redis keeps a clip in 4 MiB chunk keys and gives readers a verified local cache file; the
embedded store renames the upload into its assets folder. The bytes here are random (the store
does not look inside files); 9 MiB make three chunks.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
from pathlib import Path

import pytest
import redis.asyncio as aioredis

from control.errors import AssetNotFoundError, CorruptDataError
from control.store.base import AssetInfo, Store
from control.store.embedded import EmbeddedStore
from control.store.records import asset_from_json
from control.store.redis import RedisStore
from tests.servers import RedisServer

pytestmark = pytest.mark.anyio

SIZE = 9 * 1024 * 1024 + 5


def clip_info(data: bytes) -> AssetInfo:
    digest = hashlib.sha256(data).hexdigest()
    return AssetInfo(id=digest, kind="video", content_type="video/mp4", width=64, height=36,
                     bytes=len(data), sha256=digest, name="c.mp4", duration_s=2.0,
                     fps=29.97003, has_audio=True, video_codec="h264", audio_codec="aac")


def upload(store: Store, data: bytes, name: str = "up") -> Path:
    path = store.upload_dir() / name
    path.write_bytes(data)
    return path


async def test_a_clip_file_goes_in_and_comes_back_out(store: Store) -> None:
    data = os.urandom(SIZE)
    info = clip_info(data)
    source = upload(store, data)
    stored = await store.put_asset_file(source, info)
    assert not source.exists(), "the upload file is consumed"
    assert stored.id == info.sha256 and stored.created_unix > 0
    assert (await store.asset_info(info.id)) == stored  # clip fields round-trip
    path = await store.asset_file(info.id)
    assert path.read_bytes() == data
    assert await store.asset_file(info.id) == path  # the same file again
    assert info.id in [a.id for a in await store.list_assets()]  # Redis: shared by the tests
    # The same bytes again: the existing asset, the second upload file removed.
    again = upload(store, data, "again")
    assert (await store.put_asset_file(again, info)) == stored and not again.exists()
    await store.delete_asset(info.id)
    with pytest.raises(AssetNotFoundError):
        await store.asset_file(info.id)
    assert info.id not in [a.id for a in await store.list_assets()]


async def test_images_are_files_too(store: Store) -> None:
    data = b"\x89PNG" + os.urandom(100)
    digest = hashlib.sha256(data).hexdigest()
    info = AssetInfo(id=digest, kind="image", content_type="image/png", width=1, height=1,
                     bytes=len(data), sha256=digest)
    await store.put_asset(data, info)
    assert (await store.asset_file(digest)).read_bytes() == data
    await store.delete_asset(digest)  # Redis is shared by the session's tests


async def test_a_file_that_is_not_what_its_info_says_is_refused(store: Store) -> None:
    data = os.urandom(1000)
    wrong_size = upload(store, data[:999], "short")
    with pytest.raises(CorruptDataError):
        await store.put_asset_file(wrong_size, clip_info(data))
    assert not wrong_size.exists()
    with pytest.raises(AssetNotFoundError):
        await store.asset_info(clip_info(data).id)


async def test_redis_checks_the_sha256_while_storing(redis_server: RedisServer,
                                                     tmp_path: Path) -> None:
    store = RedisStore.from_url(redis_server.url, cache_dir=tmp_path)
    data = os.urandom(5 * 1024 * 1024)
    lie, claimed = upload(store, data), clip_info(os.urandom(len(data)))
    with pytest.raises(CorruptDataError):
        await store.put_asset_file(lie, claimed)
    assert not lie.exists()
    with pytest.raises(AssetNotFoundError):
        await store.asset_info(claimed.id)
    await store.close()


async def test_old_asset_records_still_load() -> None:
    digest = hashlib.sha256(b"x").hexdigest()
    old = {"id": digest, "kind": "image", "content_type": "image/png", "width": 1, "height": 1,
           "bytes": 1, "sha256": digest, "name": None, "created_unix": 1.0}
    info = asset_from_json(json.loads(json.dumps(old)), "test")
    assert info.duration_s is None and info.fps is None and not info.is_clip
    with pytest.raises(CorruptDataError):
        asset_from_json({**old, "kind": "video", "fps": "30"}, "test")


async def test_embedded_keeps_clips_in_the_assets_folder(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "data")
    try:
        data = os.urandom(4096)
        info = clip_info(data)
        await store.put_asset_file(upload(store, data), info)
        path = await store.asset_file(info.id)
        assert path == tmp_path / "data" / "assets" / info.id
        assert list(store.upload_dir().iterdir()) == []
        reopened = EmbeddedStore(tmp_path / "data")  # another process on the same folder
        assert (await reopened.asset_file(info.id)).read_bytes() == data
        assert not await reopened.forget_asset_file(info.id)  # the stored file is the only one
        await store.delete_asset(info.id)
        assert not await reopened.forget_asset_file(info.id) and not path.exists()
        await reopened.close()
    finally:
        await store.close()


async def test_redis_clips_are_chunks_fetched_once_per_host(
        redis_server: RedisServer, tmp_path: Path) -> None:
    """Two stores with their own cache folders stand for two hosts: each fetches and verifies
    its own copy; concurrent readers of one share one download; damaged chunks are refused."""
    uploader = RedisStore.from_url(redis_server.url, channel="files-a",
                                   cache_dir=tmp_path / "host-a")
    player = RedisStore.from_url(redis_server.url, channel="files-b",
                                 cache_dir=tmp_path / "host-b")
    raw = aioredis.from_url(redis_server.url)
    try:
        data = os.urandom(SIZE)
        info = clip_info(data)
        await uploader.put_asset_file(upload(uploader, data), info)
        keys = [str(k) for k in await raw.keys(f"compositor:assets:{info.id}:*")]
        assert len([k for k in keys if ":chunk:" in k]) == 3
        count = await raw.hget(f"compositor:assets:{info.id}:info", "chunks")
        assert count is not None and json.loads(count) == 3
        paths = await asyncio.gather(*(player.asset_file(info.id) for _ in range(4)))
        assert set(paths) == {tmp_path / "host-b" / info.id}
        assert paths[0].read_bytes() == data
        assert sorted(p.name for p in (tmp_path / "host-b").iterdir()) == [info.id]  # no part file
        # A damaged chunk: a host without the file refuses it and keeps nothing.
        await raw.set(f"compositor:assets:{info.id}:chunk:1", os.urandom(4 * 1024 * 1024))
        third = RedisStore.from_url(redis_server.url, cache_dir=tmp_path / "host-c")
        with pytest.raises(CorruptDataError):
            await third.asset_file(info.id)
        assert not (tmp_path / "host-c" / info.id).exists()
        await third.close()
        # The other host keeps its copy while the asset exists, and forgets it once deleted.
        assert not await player.forget_asset_file(info.id)
        assert (tmp_path / "host-b" / info.id).exists()
        await uploader.delete_asset(info.id)
        assert await raw.keys(f"compositor:assets:{info.id}*") == []
        assert (tmp_path / "host-b" / info.id).exists()
        assert await player.forget_asset_file(info.id)
        assert not (tmp_path / "host-b" / info.id).exists()
        assert not await player.forget_asset_file(info.id)  # nothing left to remove
    finally:
        await raw.aclose()
        await uploader.close()
        await player.close()
