"""Assets in Redis, shared by every channel and process that uses the same Redis.

``compositor:assets:<sha256>`` holds the bytes, ``compositor:assets:<sha256>:info`` a hash of the
:class:`AssetInfo` fields (each value JSON-encoded) and ``compositor:assets:index`` a sorted set
of ids by creation time, for listing without ``SCAN``. The three are written in one MULTI/EXEC.

Clips are kept in 4 MiB chunk keys ``compositor:assets:<sha256>:chunk:<n>`` instead of one value
(``asset_files.py``), written before the info hash, which records their number in its ``chunks``
field: present metadata means complete bytes. Readers get a local file through
:meth:`RedisAssets.file` (a verified cache file, see :class:`AssetFileCache`).
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from control.errors import AssetNotFoundError, CorruptDataError
from control.store.assetdir import normalize_info
from control.store.base import AssetInfo
from control.store.records import asset_from_json, asset_to_json, dump_json, is_asset_id
from control.store.redis.asset_files import AssetFileCache, delete_chunks, write_chunks
from control.store.redis.link import RedisLink

__all__ = ["RedisAssets"]

log = logging.getLogger(__name__)


class RedisAssets:
    def __init__(self, link: RedisLink, prefix: str = "compositor:assets",
                 cache_dir: Path | None = None) -> None:
        self._link = link
        self._prefix = prefix
        self._index = f"{prefix}:index"
        self.files = AssetFileCache(link, cache_dir)

    def _chunk_key(self, asset_id: str) -> Callable[[int], str]:
        return lambda n: f"{self._prefix}:{asset_id}:chunk:{n}"

    def _data_key(self, asset_id: str) -> str:
        return f"{self._prefix}:{asset_id}"

    def _info_key(self, asset_id: str) -> str:
        return f"{self._prefix}:{asset_id}:info"

    async def put(self, data: bytes, info: AssetInfo) -> AssetInfo:
        info = normalize_info(data, info, time.time())
        try:
            return await self.info(info.id)  # the same bytes: the existing asset
        except AssetNotFoundError:
            pass
        await self._put_info(info, data=data)
        return info

    async def _put_info(self, info: AssetInfo, *, data: bytes | None = None,
                        chunks: int | None = None) -> None:
        fields = {name: dump_json(value) for name, value in asset_to_json(info).items()}
        if chunks is not None:
            fields["chunks"] = dump_json(chunks)
        async with self._link.guard(self._data_key(info.id)):
            async with self._link.client.pipeline(transaction=True) as pipe:
                if data is not None:
                    pipe.set(self._data_key(info.id), data)
                pipe.hset(self._info_key(info.id), mapping=fields)  # type: ignore[arg-type]
                pipe.zadd(self._index, {info.id: info.created_unix})
                await pipe.execute()

    async def put_file(self, path: Path, info: AssetInfo) -> AssetInfo:
        """Store the file (consumed) as chunk keys, then its info; see ``Store``."""
        try:
            info = replace(info, id=info.sha256, created_unix=info.created_unix or time.time())
            try:
                return await self.info(info.id)
            except AssetNotFoundError:
                pass
            chunk_key = self._chunk_key(info.id)
            count = await write_chunks(self._link, path, chunk_key, info.sha256, info.bytes)
            try:
                await self._put_info(info, chunks=count)
            except BaseException:
                await delete_chunks(self._link, chunk_key, count)
                raise
            return info
        finally:
            path.unlink(missing_ok=True)

    async def _chunks(self, asset_id: str) -> int | None:
        key = self._info_key(asset_id)
        async with self._link.guard(key):
            raw = await self._link.client.hget(key, "chunks")
        try:
            return None if raw is None else int(json.loads(raw))
        except (ValueError, TypeError) as exc:
            raise CorruptDataError(f"Redis key {key}: a bad chunk count") from exc

    async def file(self, asset_id: str) -> Path:
        """A local file of the asset's bytes (a verified cache file)."""
        info = await self.info(asset_id)
        chunks = await self._chunks(asset_id)
        chunk_key = self._chunk_key(asset_id)

        async def read(n: int) -> bytes | None:
            key = self._data_key(asset_id) if chunks is None else chunk_key(n)
            async with self._link.guard(key, 60.0):
                data = await self._link.client.get(key)
            return data if isinstance(data, bytes) or data is None else data.encode()

        return await self.files.file(asset_id, info.bytes, read, chunks or 1)

    async def get(self, asset_id: str) -> bytes:
        if not is_asset_id(asset_id):
            raise AssetNotFoundError(asset_id)
        if await self._chunks(asset_id) is not None:  # a clip: read through the file
            path = await self.file(asset_id)
            return path.read_bytes()
        key = self._data_key(asset_id)
        async with self._link.guard(key):
            data = await self._link.client.get(key)
        if data is None:
            raise AssetNotFoundError(asset_id)
        if not isinstance(data, bytes) or hashlib.sha256(data).hexdigest() != asset_id:
            log.error("Redis key %s does not hold the bytes of its sha256", key)
            raise CorruptDataError(f"Redis key {key}: the bytes do not match their sha256")
        return data

    async def info(self, asset_id: str) -> AssetInfo:
        if not is_asset_id(asset_id):
            raise AssetNotFoundError(asset_id)
        key = self._info_key(asset_id)
        async with self._link.guard(key):
            raw = await self._link.client.hgetall(key)
        if not raw:
            raise AssetNotFoundError(asset_id)
        return self._decode(key, asset_id, raw)

    def _decode(self, key: str, asset_id: str, raw: dict[Any, Any]) -> AssetInfo:
        try:
            fields = {k.decode(): json.loads(v) for k, v in raw.items()}
            fields.pop("chunks", None)  # how the bytes are kept, not about the asset
        except (ValueError, UnicodeDecodeError, AttributeError) as exc:
            raise CorruptDataError(f"Redis key {key}: asset metadata is not JSON") from exc
        info = asset_from_json(fields, f"Redis key {key}")
        if info.id != asset_id:
            raise CorruptDataError(f"Redis key {key}: metadata names another asset")
        return info

    async def list(self) -> list[AssetInfo]:
        """Every readable asset, oldest first; damaged metadata is logged and skipped."""
        async with self._link.guard(self._index):
            members: Any = await self._link.client.zrange(self._index, 0, -1)
            async with self._link.client.pipeline(transaction=False) as pipe:
                ids = [m.decode(errors="replace") for m in members]
                for asset_id in ids:
                    pipe.hgetall(self._info_key(asset_id))
                raws = await pipe.execute(raise_on_error=False)
        infos = []
        for asset_id, raw in zip(ids, raws):
            try:
                if isinstance(raw, Exception):
                    raise CorruptDataError(f"Redis key {self._info_key(asset_id)}: {raw}")
                if raw and is_asset_id(asset_id):
                    infos.append(self._decode(self._info_key(asset_id), asset_id, raw))
            except CorruptDataError as exc:
                log.error("skipping asset %s: %s", asset_id, exc)
        return sorted(infos, key=lambda info: (info.created_unix, info.id))

    async def delete(self, asset_id: str) -> None:
        await self.info(asset_id)
        chunks = await self._chunks(asset_id)
        async with self._link.guard(self._data_key(asset_id)):
            async with self._link.client.pipeline(transaction=True) as pipe:
                pipe.delete(self._info_key(asset_id), self._data_key(asset_id))
                pipe.zrem(self._index, asset_id)
                await pipe.execute()
        # Metadata first (gone: the asset does not exist), then the chunks.
        await delete_chunks(self._link, self._chunk_key(asset_id), chunks or 0)
        self.files.forget(asset_id)

    async def forget_file(self, asset_id: str) -> bool:
        """Remove the local cache file of an asset deleted (by any process); True when there
        was one. An asset that still exists keeps its file."""
        try:
            await self.info(asset_id)
        except AssetNotFoundError:
            return self.files.forget(asset_id)
        return False
