"""Assets in Redis, shared by every channel and process that uses the same Redis.

``compositor:assets:<sha256>`` holds the bytes, ``compositor:assets:<sha256>:info`` a hash of the
:class:`AssetInfo` fields (each value JSON-encoded) and ``compositor:assets:index`` a sorted set
of ids by creation time, for listing without ``SCAN``. The three are written in one MULTI/EXEC.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from typing import Any

from control.errors import AssetNotFoundError, CorruptDataError
from control.store.assetdir import normalize_info
from control.store.base import AssetInfo
from control.store.records import asset_from_json, asset_to_json, dump_json, is_asset_id
from control.store.redis.link import RedisLink

__all__ = ["RedisAssets"]

log = logging.getLogger(__name__)


class RedisAssets:
    def __init__(self, link: RedisLink, prefix: str = "compositor:assets") -> None:
        self._link = link
        self._prefix = prefix
        self._index = f"{prefix}:index"

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
        fields = {name: dump_json(value) for name, value in asset_to_json(info).items()}
        async with self._link.guard(self._data_key(info.id)):
            async with self._link.client.pipeline(transaction=True) as pipe:
                pipe.set(self._data_key(info.id), data)
                pipe.hset(self._info_key(info.id), mapping=fields)  # type: ignore[arg-type]
                pipe.zadd(self._index, {info.id: info.created_unix})
                await pipe.execute()
        return info

    async def get(self, asset_id: str) -> bytes:
        if not is_asset_id(asset_id):
            raise AssetNotFoundError(asset_id)
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
        async with self._link.guard(self._data_key(asset_id)):
            async with self._link.client.pipeline(transaction=True) as pipe:
                pipe.delete(self._info_key(asset_id), self._data_key(asset_id))
                pipe.zrem(self._index, asset_id)
                await pipe.execute()
