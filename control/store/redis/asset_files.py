"""Clip bytes in Redis as chunk keys, and the local files renderers read them from.

A clip (up to gigabytes) is never one Redis value: :func:`write_chunks` streams the file into
``<prefix>:<sha256>:chunk:<n>`` keys of :data:`CHUNK_BYTES` each (4 MiB), a few chunks per
pipeline so that at most ``BATCH`` chunks are in memory, hashing as it reads; the asset's info
record (written last, by the caller) holds the chunk count, so a reader never sees a clip whose
chunks are not all there.

A process that plays a clip needs a local file (decoders seek in it). :class:`AssetFileCache`
streams the chunks into ``<cache_dir>/<sha256>`` on first use: into a temporary file, checked
against the sha256, then renamed into place, so a cache file present is a complete, verified
one. Concurrent callers of one process share one download; processes on other hosts each fetch
their own copy. A cache file is trusted by its size when found from an earlier run (it was
verified when written). Without a ``cache_dir`` a temporary folder is used and removed on close.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import shutil
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import BinaryIO

from control.errors import CorruptDataError
from control.store.redis.link import RedisLink

__all__ = ["BATCH", "CHUNK_BYTES", "AssetFileCache", "write_chunks"]

CHUNK_BYTES = 4 * 1024 * 1024
BATCH = 4  # chunks per pipeline: at most 16 MiB in memory while storing
_TRANSFER_TIMEOUT_S = 60.0  # one batch of chunks, either way


def _read(handle: BinaryIO, hasher: hashlib._Hash) -> bytes:
    data = handle.read(CHUNK_BYTES)
    hasher.update(data)
    return data


async def write_chunks(link: RedisLink, path: Path, chunk_key: Callable[[int], str],
                       sha256: str, size: int) -> int:
    """Store the file's bytes as chunk keys; the number of chunks. ``CorruptDataError`` (and
    the chunks written are deleted) when the file is not ``size`` bytes of that sha256."""
    hasher = hashlib.sha256()
    count, total = 0, 0
    try:
        with open(path, "rb") as handle:
            while True:
                batch = []
                for _ in range(BATCH):
                    data = await asyncio.to_thread(_read, handle, hasher)
                    if not data:
                        break
                    batch.append(data)
                if not batch:
                    break
                async with link.guard(chunk_key(count), _TRANSFER_TIMEOUT_S):
                    async with link.client.pipeline(transaction=False) as pipe:
                        for data in batch:
                            pipe.set(chunk_key(count), data)
                            count += 1
                            total += len(data)
                        await pipe.execute()
        if total != size or hasher.hexdigest() != sha256:
            raise CorruptDataError(f"{path}: the file changed while it was stored")
    except BaseException:
        await delete_chunks(link, chunk_key, count)
        raise
    return count


async def delete_chunks(link: RedisLink, chunk_key: Callable[[int], str], count: int) -> None:
    """Delete chunk keys ``0 .. count - 1`` (best effort: a failure leaves garbage, no harm)."""
    if count <= 0:
        return
    with contextlib.suppress(Exception):
        async with link.guard(chunk_key(0), _TRANSFER_TIMEOUT_S):
            for start in range(0, count, 256):
                await link.client.delete(*(chunk_key(n) for n in range(start,
                                                                       min(count, start + 256))))


class AssetFileCache:
    """Local files of assets kept in Redis; one per process (see the module docstring)."""

    def __init__(self, link: RedisLink, cache_dir: Path | None) -> None:
        self._link = link
        self._dir = cache_dir
        self._temporary: Path | None = None
        self._pending: dict[str, asyncio.Future[Path]] = {}

    @property
    def folder(self) -> Path:
        """The cache folder (created on demand)."""
        if self._dir is None:
            if self._temporary is None:
                self._temporary = Path(tempfile.mkdtemp(prefix="compositor-asset-cache-"))
            return self._temporary
        self._dir.mkdir(parents=True, exist_ok=True)
        return self._dir

    def upload_dir(self) -> Path:
        folder = self.folder / ".incoming"
        folder.mkdir(exist_ok=True)
        return folder

    async def file(self, asset_id: str, size: int,
                   read: Callable[[int], Awaitable[bytes | None]], count: int) -> Path:
        """The cached file of ``asset_id`` (``size`` bytes, ``count`` chunks that ``read(n)``
        returns), downloading it once; concurrent callers wait for the same download."""
        path = self.folder / asset_id
        with contextlib.suppress(FileNotFoundError):
            if path.stat().st_size == size:
                return path
        pending = self._pending.get(asset_id)
        if pending is None:
            pending = asyncio.ensure_future(self._download(path, size, read, count))
            self._pending[asset_id] = pending
            pending.add_done_callback(lambda _: self._pending.pop(asset_id, None))
        return await asyncio.shield(pending)

    async def _download(self, path: Path, size: int,
                        read: Callable[[int], Awaitable[bytes | None]], count: int) -> Path:
        hasher = hashlib.sha256()
        tmp = path.with_name(f".{path.name}.{os.getpid()}.part")
        try:
            with open(tmp, "wb") as handle:
                for n in range(count):
                    data = await read(n)
                    if data is None:
                        raise CorruptDataError(f"asset {path.name}: chunk {n} of {count} is "
                                               "missing in Redis")
                    hasher.update(data)
                    await asyncio.to_thread(handle.write, data)
                await asyncio.to_thread(os.fsync, handle.fileno())
            if hasher.hexdigest() != path.name or tmp.stat().st_size != size:
                raise CorruptDataError(f"asset {path.name}: the bytes in Redis do not match "
                                       "their sha256")
            os.replace(tmp, path)
        finally:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
        return path

    def forget(self, asset_id: str) -> bool:
        """Remove the cached file of a deleted asset; True when there was one."""
        try:
            (self.folder / asset_id).unlink()
        except OSError:
            return False
        return True

    def close(self) -> None:
        for pending in self._pending.values():
            pending.cancel()
        if self._temporary is not None:
            shutil.rmtree(self._temporary, ignore_errors=True)
            self._temporary = None
