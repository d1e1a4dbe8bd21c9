"""A :class:`~control.store.base.Store` that measures another one.

Every operation's latency goes to ``compositor_store_operation_seconds{operation}``; a
``StoreUnavailableError`` sets ``compositor_store_connected{backend}`` to 0 and counts in
``compositor_store_errors_total``; the next success sets it back to 1. The change feed is passed
through unmeasured (it is a long-lived stream, not an operation). Each new
:attr:`~control.store.base.Store.last_rollback` counts in ``compositor_store_rollbacks_total``.
"""

from __future__ import annotations

import time
from collections.abc import AsyncGenerator, Awaitable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from compositor.inputs.spec import InputSpec
from compositor.scene import Op, Scene
from control.errors import StoreUnavailableError
from control.metrics import ControlMetrics
from control.store.base import (
    AssetInfo,
    CancelResult,
    Change,
    CommitRecord,
    Cue,
    Receipt,
    Rollback,
    ScheduledCommit,
    Store,
    TakeClaim,
)

__all__ = ["MeteredStore"]

T = TypeVar("T")


class MeteredStore:
    """Wraps ``inner``; ``backend`` labels the connection gauge (``redis`` or ``memory``)."""

    def __init__(self, inner: Store, metrics: ControlMetrics, backend: str) -> None:
        self.inner = inner
        self.metrics = metrics
        self.backend = backend
        self.journal_max = inner.journal_max
        self._rollback_counted = inner.last_rollback
        metrics.store_connected.labels(backend).set(1)

    @property
    def last_rollback(self) -> Rollback | None:
        rollback = self.inner.last_rollback
        if rollback is not self._rollback_counted:
            self._rollback_counted = rollback
            self.metrics.store_rollbacks.labels(self.backend).inc()
        return rollback

    async def _timed(self, operation: str, call: Awaitable[T]) -> T:
        started = time.perf_counter()
        try:
            result = await call
        except StoreUnavailableError:
            self.metrics.store_errors.labels(operation).inc()
            self.metrics.store_connected.labels(self.backend).set(0)
            raise
        finally:
            self.metrics.store_seconds.labels(operation).observe(time.perf_counter() - started)
            _ = self.last_rollback  # counts a rollback the operation found
        self.metrics.store_connected.labels(self.backend).set(1)
        return result

    async def initialize(self, scene: Scene) -> Scene:
        return await self._timed("initialize", self.inner.initialize(scene))

    async def read(self) -> Scene:
        return await self._timed("read", self.inner.read())

    async def commit(
        self, ops: Sequence[Op], *, if_version: int | None = None, author: str | None = None,
        meta: dict[str, Any] | None = None, frame: int | None = None,
    ) -> CommitRecord:
        return await self._timed("commit", self.inner.commit(
            ops, if_version=if_version, author=author, meta=meta, frame=frame))

    async def subscribe(self, since: int | None = None) -> AsyncGenerator[Change, None]:
        async for change in self.inner.subscribe(since):
            _ = self.last_rollback  # counts a rollback the feed found
            yield change

    async def journal(self, since: int = 0, limit: int = 1000) -> list[CommitRecord]:
        return await self._timed("journal", self.inner.journal(since, limit))

    async def schedule_put(self, entry: ScheduledCommit) -> None:
        await self._timed("schedule_put", self.inner.schedule_put(entry))

    async def schedule_list(self) -> list[ScheduledCommit]:
        return await self._timed("schedule_list", self.inner.schedule_list())

    async def schedule_cancel(self, entry_id: str) -> CancelResult:
        return await self._timed("schedule_cancel", self.inner.schedule_cancel(entry_id))

    async def schedule_take_due(self, until_frame: int) -> list[ScheduledCommit]:
        return await self._timed("schedule_take_due", self.inner.schedule_take_due(until_frame))

    async def put_receipt(self, receipt: Receipt) -> bool:
        return await self._timed("put_receipt", self.inner.put_receipt(receipt))

    async def get_receipt(self, version: int) -> Receipt | None:
        return await self._timed("get_receipt", self.inner.get_receipt(version))

    def subscribe_receipts(self) -> AsyncGenerator[Receipt, None]:
        return self.inner.subscribe_receipts()

    async def put_cue(self, cue: Cue) -> Cue:
        return await self._timed("put_cue", self.inner.put_cue(cue))

    async def get_cue(self, cue_id: str) -> Cue:
        return await self._timed("get_cue", self.inner.get_cue(cue_id))

    async def list_cues(self) -> list[Cue]:
        return await self._timed("list_cues", self.inner.list_cues())

    async def delete_cue(self, cue_id: str) -> None:
        await self._timed("delete_cue", self.inner.delete_cue(cue_id))

    async def claim_take(self, key: str) -> TakeClaim:
        return await self._timed("claim_take", self.inner.claim_take(key))

    async def settle_take(self, key: str, version: int | None) -> None:
        await self._timed("settle_take", self.inner.settle_take(key, version))

    async def put_asset(self, data: bytes, info: AssetInfo) -> AssetInfo:
        return await self._timed("put_asset", self.inner.put_asset(data, info))

    def upload_dir(self) -> Path:
        return self.inner.upload_dir()

    async def put_asset_file(self, path: Path, info: AssetInfo) -> AssetInfo:
        return await self._timed("put_asset_file", self.inner.put_asset_file(path, info))

    async def asset_file(self, asset_id: str) -> Path:
        return await self._timed("asset_file", self.inner.asset_file(asset_id))

    async def get_asset(self, asset_id: str) -> bytes:
        return await self._timed("get_asset", self.inner.get_asset(asset_id))

    async def asset_info(self, asset_id: str) -> AssetInfo:
        return await self._timed("asset_info", self.inner.asset_info(asset_id))

    async def list_assets(self) -> list[AssetInfo]:
        return await self._timed("list_assets", self.inner.list_assets())

    async def delete_asset(self, asset_id: str) -> None:
        await self._timed("delete_asset", self.inner.delete_asset(asset_id))

    async def forget_asset_file(self, asset_id: str) -> bool:
        return await self._timed("forget_asset_file", self.inner.forget_asset_file(asset_id))

    async def put_input(self, spec: InputSpec) -> None:
        await self._timed("put_input", self.inner.put_input(spec))

    async def get_input(self, input_id: str) -> InputSpec | None:
        return await self._timed("get_input", self.inner.get_input(input_id))

    async def list_inputs(self) -> list[InputSpec]:
        return await self._timed("list_inputs", self.inner.list_inputs())

    async def delete_input(self, input_id: str) -> bool:
        return await self._timed("delete_input", self.inner.delete_input(input_id))

    async def close(self) -> None:
        await self.inner.close()
