"""The store interface: the single source of truth for the scene and the assets.

Two implementations share this contract (and one parametrised test suite): the embedded store
(``memory.py``: in process, persisted under a data directory) and the Redis store (``redis.py``).

Contract:

- :meth:`Store.read` returns the current scene; its ``version`` is the number of commits so far.
- :meth:`Store.commit` applies ops all or nothing (``compositor.ops.apply_ops``) and returns the
  :class:`CommitRecord`. With ``if_version`` and a stale scene it raises ``VersionConflictError``
  carrying the current version; scene errors (``SceneError``) pass through unchanged and change
  nothing. Without ``if_version`` it retries internally on a race with another writer.
- :meth:`Store.subscribe` yields :class:`Change` items in version order with nothing skipped:
  from ``since`` (exclusive) it first replays the journal when it still holds every missed
  version, else yields one snapshot; then live changes. The iterator ends only when closed.
- The journal is bounded (``journal_max`` newest commits kept).
- Assets are content-addressed: ``id`` is the hex sha256 of the bytes, so a second upload of the
  same bytes returns the existing asset. The store keeps bytes and metadata; validating uploads
  is ``control.assets``' job.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from compositor.scene import Op, Scene

__all__ = ["AssetInfo", "Change", "CommitRecord", "Store"]


@dataclass(frozen=True, slots=True)
class CommitRecord:
    """One accepted commit, as kept in the journal.

    ``ops`` is the JSON form of the ops as applied (``compositor.codec.encode_op``; ids assigned),
    so it can be sent to WebSocket clients as is. ``at_unix`` is the wall-clock acceptance time.
    ``meta`` carries optional extras (e.g. a schedule), JSON data.
    """

    version: int
    ops: tuple[dict[str, Any], ...]
    at_unix: float
    author: str | None = None
    meta: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class Change:
    """An item of the change feed: a commit, or a full snapshot when the journal has a gap."""

    kind: Literal["commit", "snapshot"]
    version: int
    scene: Scene
    commit: CommitRecord | None = None


@dataclass(frozen=True, slots=True)
class AssetInfo:
    id: str  # hex sha256 of the bytes
    kind: Literal["image", "font"]
    content_type: str
    width: int | None  # images only
    height: int | None
    bytes: int
    sha256: str
    name: str | None = None  # the uploaded file name, if any
    created_unix: float = 0.0


class Store(Protocol):
    journal_max: int

    async def initialize(self, scene: Scene) -> Scene:
        """Write ``scene`` when the store holds none yet (first start); return the stored scene."""
        ...

    async def read(self) -> Scene: ...

    async def commit(
        self, ops: Sequence[Op], *, if_version: int | None = None, author: str | None = None,
        meta: dict[str, Any] | None = None,
    ) -> CommitRecord: ...

    def subscribe(self, since: int | None = None) -> AsyncGenerator[Change, None]:
        """The change feed; ``aclose()`` it (or leave ``async for``) to unsubscribe."""
        ...

    async def journal(self, since: int = 0, limit: int = 1000) -> list[CommitRecord]: ...

    async def put_asset(self, data: bytes, info: AssetInfo) -> AssetInfo: ...

    async def get_asset(self, asset_id: str) -> bytes: ...

    async def asset_info(self, asset_id: str) -> AssetInfo: ...

    async def list_assets(self) -> list[AssetInfo]: ...

    async def delete_asset(self, asset_id: str) -> None: ...

    async def close(self) -> None: ...
