"""The Redis store's on-air receipts, shared by every replica of a channel.

- ``compositor:<channel>:receipts``: a hash, version -> the :class:`Receipt` JSON; the first
  receipt of a version wins (``HSETNX``), and the one ``keep`` versions older is dropped as each
  new one arrives, which bounds the hash like the journal.
- ``compositor:<channel>:receipts:feed``: a stream (``MAXLEN ~ keep``) on which each new receipt
  is relayed, so the WebSocket clients of a ``--no-render`` replica hear ``commit.applied`` too.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncGenerator, Callable
from typing import Any

from control.errors import CorruptDataError, StoreUnavailableError
from control.store.base import Receipt
from control.store.records import dump_json, load_json, receipt_from_json, receipt_to_json
from control.store.redis.link import RedisLink

__all__ = ["RedisReceipts"]

# KEYS: hash, stream. ARGV: version, receipt JSON, keep.
_PUT = """
if redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2]) == 0 then return 0 end
redis.call('HDEL', KEYS[1], tostring(tonumber(ARGV[1]) - tonumber(ARGV[3])))
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[3], '*', 'r', ARGV[2])
return 1
"""


class RedisReceipts:
    def __init__(self, link: RedisLink, channel: str, keep: int) -> None:
        self._link = link
        self._keep = keep
        self._hash = f"compositor:{channel}:receipts"
        self._stream = f"{self._hash}:feed"
        self._put = link.script(_PUT)

    async def put(self, receipt: Receipt) -> bool:
        async with self._link.guard(self._hash):
            added = await self._put(keys=[self._hash, self._stream], args=[
                receipt.version, dump_json(receipt_to_json(receipt)), self._keep])
        return bool(added)

    async def get(self, version: int) -> Receipt | None:
        async with self._link.guard(self._hash):
            raw = await self._link.client.hget(self._hash, str(version))
        return None if raw is None else self._decode(raw, self._hash)

    def _decode(self, raw: Any, key: str) -> Receipt:
        where = f"Redis key {key}"
        return receipt_from_json(load_json(raw, where), where)

    def subscribe(self, closed: Callable[[], bool]) -> AsyncGenerator[Receipt, None]:
        """Receipts put from this call on, until ``closed()``; an outage is waited out
        (receipts put meanwhile are still delivered when the stream holds them)."""
        # Stream ids are Redis's milliseconds: starting from ours now (not "$" at the first
        # read) makes the subscription start at this call. Clock skew against the Redis host
        # shifts that start by as much.
        return self._follow(f"{int(time.time() * 1000)}-0", closed)

    async def _follow(self, last: str,
                      closed: Callable[[], bool]) -> AsyncGenerator[Receipt, None]:
        while not closed():
            try:
                timeout = self._link.block_s + self._link.op_timeout_s
                async with self._link.guard(self._stream, timeout):
                    reply: Any = await self._link.client.xread(
                        {self._stream: last}, count=256, block=int(self._link.block_s * 1000))
            except StoreUnavailableError:
                if closed():
                    return
                await asyncio.sleep(0.2)
                continue
            for raw_id, fields in reply[0][1] if reply else ():
                last = bytes(raw_id).decode()
                try:
                    yield self._decode(dict(fields)[b"r"], self._stream)
                except (CorruptDataError, KeyError):
                    continue
