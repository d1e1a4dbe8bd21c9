"""The cues as the endpoint sees them (:class:`~control.obsws.endpoint.CueDeck`), over the
control plane's cue store and :func:`control.cues.take_cue`."""

from __future__ import annotations

from control.context import ControlContext
from control.cues import take_cue
from control.landing import source_of
from control.obsws.endpoint import SOURCE, Cue
from control.store.base import CommitRecord

__all__ = ["StoreCues"]


class StoreCues:
    """The cues kept in the store: listed by name, taken with source ``controller``."""

    def __init__(self, ctx: ControlContext) -> None:
        self.ctx = ctx

    async def list(self) -> list[Cue]:
        return [Cue(cue.id, cue.name) for cue in await self.ctx.store.list_cues()]

    async def take(self, cue_id: str) -> int:
        return await take_cue(self.ctx, cue_id, source=SOURCE)

    def taken(self, record: CommitRecord) -> str | None:
        return source_of(record)[1]
