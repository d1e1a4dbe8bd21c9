"""Content-addressed asset files for the embedded store.

``<root>/<sha256>`` holds the bytes and ``<root>/<sha256>.json`` the :class:`AssetInfo`. Both are
written atomically, bytes first, so metadata present means the bytes are complete. Nothing here
holds a lock: content addressing makes concurrent writers of the same id write the same bytes,
so every process that uses the folder (``compositor serve``, ``compositor asset add``,
``compositor render``) may read and write it at the same time. With ``root=None`` the assets live
in a dict (a store without a data directory).

Clips arrive as files: an upload is written into ``<root>/.incoming/`` (the same file system) and
:meth:`AssetDir.put_file` renames it into place, so a 2 GiB clip is never copied nor held in
memory; :meth:`AssetDir.file` is the stored file itself. Files left in ``.incoming`` by a crash
are removed when a store opens the folder a day later.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import shutil
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from control.errors import AssetNotFoundError, CorruptDataError
from control.store.base import AssetInfo
from control.store.files import atomic_write, fsync_dir
from control.store.records import asset_from_json, asset_to_json, dump_json, is_asset_id, load_json

__all__ = ["AssetDir", "normalize_info"]

log = logging.getLogger(__name__)

STALE_UPLOAD_S = 24 * 3600.0
"""An unfinished upload file older than this is left over from a crash (removed on open)."""


def normalize_info(data: bytes, info: AssetInfo, now_unix: float) -> AssetInfo:
    """``info`` with the id, sha256 and size taken from the bytes themselves (the caller's values
    are not trusted) and a creation time when it has none."""
    digest = hashlib.sha256(data).hexdigest()
    return replace(info, id=digest, sha256=digest, bytes=len(data),
                   created_unix=info.created_unix or now_unix)


class AssetDir:
    def __init__(self, root: Path | None) -> None:
        self.root = root
        self._memory: dict[str, tuple[bytes, AssetInfo]] = {}
        self._scratch: Path | None = None  # without a root: uploads and files for readers
        if root is not None:
            root.mkdir(parents=True, exist_ok=True)
            self._remove_stale_uploads()

    def upload_dir(self) -> Path:
        """Where uploads are written before :meth:`put_file` (created on demand)."""
        if self.root is None:
            if self._scratch is None:
                self._scratch = Path(tempfile.mkdtemp(prefix="compositor-assets-"))
            return self._scratch
        folder = self.root / ".incoming"
        folder.mkdir(exist_ok=True)
        return folder

    def _remove_stale_uploads(self) -> None:
        assert self.root is not None
        cutoff = time.time() - STALE_UPLOAD_S
        for path in (self.root / ".incoming").glob("*"):
            with contextlib.suppress(OSError):
                if path.stat().st_mtime < cutoff:
                    path.unlink()

    def put_file(self, path: Path, info: AssetInfo) -> AssetInfo:
        """Keep the file at ``path`` (consumed) whose sha256 and size ``info`` gives."""
        try:
            if path.stat().st_size != info.bytes:
                raise CorruptDataError(f"{path}: {path.stat().st_size} bytes, not {info.bytes}")
            info = replace(info, id=info.sha256, created_unix=info.created_unix or time.time())
            try:
                return self.info(info.id)  # same bytes: the existing asset
            except AssetNotFoundError:
                pass
            if self.root is None:
                return self.put(path.read_bytes(), info)
            target = self.root / info.id
            if path.parent.resolve() != self.upload_dir().resolve():  # maybe another device
                staged = self.upload_dir() / f"{info.id}.{os.getpid()}.copy"
                shutil.copyfile(path, staged)
                path.unlink()
                path = staged
            with open(path, "rb+") as handle:
                os.fsync(handle.fileno())
            os.replace(path, target)
            fsync_dir(self.root)
            atomic_write(self.root / f"{info.id}.json", dump_json(asset_to_json(info)).encode())
            return info
        finally:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()

    def file(self, asset_id: str) -> Path:
        """A readable file of the asset's bytes (the stored file; without a root, a copy)."""
        info = self.info(asset_id)
        if self.root is None:
            path = self.upload_dir() / f"{asset_id}.asset"
            if not path.exists():
                atomic_write(path, self._memory[asset_id][0])
            return path
        path = self.root / asset_id
        try:
            size = path.stat().st_size
        except FileNotFoundError:
            raise CorruptDataError(f"{path}: metadata exists but the bytes are missing") from None
        if size != info.bytes:
            raise CorruptDataError(f"{path}: {size} bytes, the metadata says {info.bytes}")
        return path

    def put(self, data: bytes, info: AssetInfo) -> AssetInfo:
        info = normalize_info(data, info, time.time())
        try:
            return self.info(info.id)  # same bytes: the existing asset
        except AssetNotFoundError:
            pass
        if self.root is None:
            self._memory[info.id] = (bytes(data), info)
            return info
        atomic_write(self.root / info.id, data)
        atomic_write(self.root / f"{info.id}.json", dump_json(asset_to_json(info)).encode())
        return info

    def get(self, asset_id: str) -> bytes:
        self.info(asset_id)
        if self.root is None:
            return self._memory[asset_id][0]
        path = self.root / asset_id
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise CorruptDataError(f"{path}: metadata exists but the bytes are missing") from None
        if hashlib.sha256(data).hexdigest() != asset_id:
            log.error("asset file %s does not match its sha256", path)
            raise CorruptDataError(f"{path}: the bytes do not match their sha256")
        return data

    def info(self, asset_id: str) -> AssetInfo:
        if not is_asset_id(asset_id):
            raise AssetNotFoundError(asset_id)
        if self.root is None:
            if asset_id not in self._memory:
                raise AssetNotFoundError(asset_id)
            return self._memory[asset_id][1]
        path = self.root / f"{asset_id}.json"
        try:
            text = path.read_bytes()
        except FileNotFoundError:
            raise AssetNotFoundError(asset_id) from None
        info = asset_from_json(load_json(text, str(path)), str(path))
        if info.id != asset_id:
            raise CorruptDataError(f"{path}: metadata names another asset")
        return info

    def list(self) -> list[AssetInfo]:
        """Every readable asset, oldest first; damaged metadata is logged and skipped."""
        if self.root is None:
            infos = [info for _, info in self._memory.values()]
        else:
            infos = []
            for path in self.root.glob("*.json"):
                try:
                    infos.append(self.info(path.stem))
                except (CorruptDataError, AssetNotFoundError) as exc:
                    log.error("skipping asset %s: %s", path, exc)
        return sorted(infos, key=lambda info: (info.created_unix, info.id))

    def delete(self, asset_id: str) -> None:
        self.info(asset_id)
        if self.root is None:
            del self._memory[asset_id]
            if self._scratch is not None:
                (self._scratch / f"{asset_id}.asset").unlink(missing_ok=True)
            return
        # Metadata first: without it the asset does not exist, even if unlinking the bytes fails.
        (self.root / f"{asset_id}.json").unlink(missing_ok=True)
        with contextlib.suppress(FileNotFoundError):
            (self.root / asset_id).unlink()

    def close(self) -> None:
        """Remove the scratch folder of a store without a data directory."""
        if self._scratch is not None:
            shutil.rmtree(self._scratch, ignore_errors=True)
            self._scratch = None
