"""An upload on its way to a file: written as it arrives, hashed and counted, never held whole.

:class:`Spool` takes the bytes of one upload in any pieces, buffers at most :data:`BUFFER_BYTES`,
and hands each full buffer to a worker thread that hashes (sha256) and writes it, so neither the
event loop nor memory grows with the upload. What may be uploaded is decided as early as
possible: ``classify(head)`` is asked once the first :data:`HEAD_BYTES` bytes are in (or at the
end of a shorter body) and returns the byte limit for that kind of file, or raises (415); the
moment the count passes the limit, :class:`~control.errors.AssetTooLargeError` (413) is raised
and the caller stops reading. :meth:`Spool.discard` removes the file; a spool left unfinished
removes it too (use it as a context manager). A file that cannot be written (a full disk) is
:class:`~control.errors.StoreUnavailableError` (503): the upload is not the client's fault.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from control.errors import AssetTooLargeError, AssetUndecodableError, StoreUnavailableError

__all__ = ["BUFFER_BYTES", "HEAD_BYTES", "Spool", "Spooled"]

BUFFER_BYTES = 1024 * 1024
HEAD_BYTES = 64


@dataclass(frozen=True, slots=True)
class Spooled:
    """A complete upload: the file, its sha256 (hex), its size in bytes and its first bytes."""

    path: Path
    sha256: str
    size: int
    head: bytes


class Spool:
    """Writes one upload into a new file in ``folder`` (see the module docstring)."""

    def __init__(self, folder: Path, classify: Callable[[bytes], int]) -> None:
        self.path = folder / f"upload-{os.getpid()}-{secrets.token_hex(8)}"
        self._classify = classify
        self._limit: int | None = None
        self._hash = hashlib.sha256()
        self._size = 0
        self._head = b""
        self._buffer = bytearray()
        try:
            self._file = open(self.path, "xb")  # noqa: SIM115 - closed by finish/discard
        except OSError as exc:
            raise StoreUnavailableError(f"cannot store the upload: {exc.strerror}") from exc

    @property
    def size(self) -> int:
        """Bytes received so far."""
        return self._size

    def _check(self, final: bool) -> None:
        if self._limit is None and (len(self._head) >= HEAD_BYTES or final):
            self._limit = self._classify(self._head)
        if self._limit is not None and self._size > self._limit:
            raise AssetTooLargeError(f"the upload is larger than the limit of {self._limit} "
                                     "bytes for its kind")

    async def write(self, data: bytes) -> None:
        """Take the next piece; raises 413/415 as soon as that is known."""
        if not data:
            return
        if len(self._head) < HEAD_BYTES:
            self._head += data[:HEAD_BYTES - len(self._head)]
        self._size += len(data)
        self._check(final=False)
        self._buffer += data
        if len(self._buffer) >= BUFFER_BYTES:
            await self._flush()

    async def _flush(self) -> None:
        chunk, self._buffer = bytes(self._buffer), bytearray()
        await asyncio.to_thread(self._write, chunk)

    def _write(self, chunk: bytes) -> None:
        self._hash.update(chunk)
        try:
            self._file.write(chunk)
        except OSError as exc:
            raise StoreUnavailableError(f"cannot store the upload: {exc.strerror}") from exc

    async def finish(self) -> Spooled:
        """Everything was written: flush, fsync and describe the file (422 when empty)."""
        self._check(final=True)
        if self._size == 0:
            raise AssetUndecodableError("the body is empty")
        await self._flush()
        await asyncio.to_thread(self._close, True)
        return Spooled(self.path, self._hash.hexdigest(), self._size, self._head)

    def _close(self, sync: bool) -> None:
        if self._file.closed:
            return
        try:
            self._file.flush()
            if sync:
                os.fsync(self._file.fileno())
        except OSError as exc:
            raise StoreUnavailableError(f"cannot store the upload: {exc.strerror}") from exc
        finally:
            self._file.close()

    def discard(self) -> None:
        """Close and remove the file (idempotent)."""
        with contextlib.suppress(OSError, StoreUnavailableError):
            self._close(False)
        self.path.unlink(missing_ok=True)

    async def __aenter__(self) -> Spool:
        return self

    async def __aexit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        if exc is not None:
            self.discard()
