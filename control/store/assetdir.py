"""Content-addressed asset files for the embedded store.

``<root>/<sha256>`` holds the bytes and ``<root>/<sha256>.json`` the :class:`AssetInfo`. Both are
written atomically, bytes first, so metadata present means the bytes are complete. Nothing here
holds a lock: content addressing makes concurrent writers of the same id write the same bytes,
so every process that uses the folder (``compositor serve``, ``compositor asset add``,
``compositor render``) may read and write it at the same time. With ``root=None`` the assets live
in a dict (a store without a data directory).
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import time
from dataclasses import replace
from pathlib import Path

from control.errors import AssetNotFoundError, CorruptDataError
from control.store.base import AssetInfo
from control.store.files import atomic_write
from control.store.records import asset_from_json, asset_to_json, dump_json, is_asset_id, load_json

__all__ = ["AssetDir", "normalize_info"]

log = logging.getLogger(__name__)


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
        if root is not None:
            root.mkdir(parents=True, exist_ok=True)

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
            return
        # Metadata first: without it the asset does not exist, even if unlinking the bytes fails.
        (self.root / f"{asset_id}.json").unlink(missing_ok=True)
        with contextlib.suppress(FileNotFoundError):
            (self.root / asset_id).unlink()
