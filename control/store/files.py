"""Crash-safe file primitives for the embedded store.

- :func:`atomic_write`: write a temporary file in the same folder, fsync it, ``os.replace`` it
  over the target, fsync the folder. A crash at any moment leaves either the old or the new
  content, never a mix.
- :class:`AppendLog`: JSON lines appended and fsynced one write at a time; a torn last line
  (a crash mid-append) is cut off when the log is opened.
- :class:`DirLock`: an exclusive ``fcntl.flock`` on a lock file, so that a second process (or a
  second store in this one) using the same folder fails at once with a clear message.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path

from control.errors import StoreUnavailableError

__all__ = ["AppendLog", "DirLock", "atomic_write", "fsync_dir"]


def fsync_dir(folder: Path) -> None:
    """Make a rename or a new file in ``folder`` durable."""
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    fsync_dir(path.parent)


class AppendLog:
    """An append-only file of lines; :meth:`append` returns once the line is on disk."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    def read_lines(self) -> list[bytes]:
        """Every complete line; an incomplete last line (torn write) is truncated away."""
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return []
        end = data.rfind(b"\n") + 1
        if end != len(data):
            with open(self.path, "r+b") as handle:
                handle.truncate(end)
                os.fsync(handle.fileno())
        return [line for line in data[:end].split(b"\n") if line]

    def append(self, line: bytes) -> None:
        if self._fd is None:
            new = not self.path.exists()
            self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            if new:
                fsync_dir(self.path.parent)
        start = os.lseek(self._fd, 0, os.SEEK_END)
        try:
            os.write(self._fd, line + b"\n")
            os.fsync(self._fd)
        except OSError:
            # Leave no torn line behind for the next append to follow (disk full, I/O error).
            with contextlib.suppress(OSError):
                os.ftruncate(self._fd, start)
            raise

    def replace(self, lines: list[bytes]) -> None:
        """Rewrite the whole log atomically (compaction)."""
        self.close()
        atomic_write(self.path, b"".join(line + b"\n" for line in lines))

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


class DirLock:
    """Holds ``folder/lock`` exclusively until :meth:`release`; the file names the holder's pid."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / "lock"
        self._fd: int | None = None

    def acquire(self) -> None:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "?"
            os.close(fd)
            raise StoreUnavailableError(
                f"{self.path.parent} is in use by another store (pid {holder}); the embedded "
                "store is single-process: stop the other one or use --redis-url"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the descriptor drops the flock
            self._fd = None
