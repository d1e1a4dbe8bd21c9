"""What the obs-websocket requests act on: :class:`Endpoint`, one per server.

It holds the control plane's :class:`~control.context.ControlContext` (every change goes
through its committer, so a change made here is an ordinary commit, counted with source
``controller``), the cues (:class:`CueDeck`), which cue is on air, the stream's service settings
and the sessions that events are sent to.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from compositor.scene import Layer, Op, Scene
from control.context import ControlContext
from control.errors import ControlError
from control.obsws.errors import ObsRequestError
from control.obsws.names import PROGRAM_SCENE, item_ids, layer_by_item, scene_uuid
from control.obsws.protocol import Status
from control.store.base import CommitRecord

__all__ = ["SOURCE", "Cue", "CueDeck", "Endpoint", "EventSink"]

SOURCE = "controller"
"""The commit source of every change made over obs-websocket."""

_SEEN_TIMEOUT_S = 2.0  # how long a request waits to read its own commit back
_ASSET_SIZES_MAX = 4096  # asset sizes remembered


@dataclass(frozen=True, slots=True)
class Cue:
    """A cue as a scene: its id and name."""

    id: str
    name: str


class CueDeck(Protocol):
    """The cues the endpoint shows as scenes (``control.obsws.cues`` implements it)."""

    async def list(self) -> list[Cue]:
        """Every cue, in the order the cue list keeps them."""
        ...

    async def take(self, cue_id: str) -> int:
        """Take the cue (one commit, source ``controller``); the version committed."""
        ...

    def taken(self, record: CommitRecord) -> str | None:
        """The id of the cue a journal record took (None: not a cue take)."""
        ...


class EventSink(Protocol):
    def broadcast(self, intent: int, event_type: str, data: dict[str, Any]) -> None: ...


class Endpoint:
    """The state the requests share (one per server)."""

    def __init__(self, ctx: ControlContext, cues: CueDeck, *, data_dir: str | None = None
                 ) -> None:
        self.ctx = ctx
        self.cues = cues
        self.data_dir = data_dir
        self.on_air_cue: str | None = None  # the id of the cue taken last (any client)
        self.studio_mode = False  # this endpoint's studio mode (as OBS's is its window's)
        self.preview_cue: str | None = None  # the preview scene in studio mode (None: Program)
        self.stream_url: str | None = None  # set by SetStreamServiceSettings (rtmp_custom)
        self.stream_since: float | None = None  # monotonic time the stream went active
        self.sink: EventSink | None = None
        self.started = time.monotonic()
        # Asset id (the sha256 of its bytes: never changes) -> its size in px, oldest first.
        self._asset_sizes: dict[str, tuple[float, float]] = {}

    @property
    def scene(self) -> Scene:
        """The newest scene this process has seen (the change feed's)."""
        return self.ctx.hub.scene

    async def commit(self, ops: Sequence[Op]) -> CommitRecord:
        """Commit through the committer (source ``controller``), then wait (bounded) until the
        feed has it, so the session's next request reads its own change."""
        record = await self.ctx.committer.commit(ops, if_version=None, source=SOURCE,
                                                 author="obs-websocket")
        await self.ctx.hub.wait_for(record.version, _SEEN_TIMEOUT_S)
        return record

    async def program_scene(self) -> tuple[str, str]:
        """(name, uuid) of the program scene: the cue taken last, else :data:`PROGRAM_SCENE`."""
        return await self.scene_of(self.on_air_cue)

    async def scene_of(self, cue_id: str | None) -> tuple[str, str]:
        """(name, uuid) of the scene of cue ``cue_id``; :data:`PROGRAM_SCENE` for None or a
        cue that no longer exists."""
        if cue_id is not None:
            for cue in await self.cues.list():
                if cue.id == cue_id:
                    return cue.name, scene_uuid(cue.id)
        return PROGRAM_SCENE, scene_uuid(None)

    def broadcast(self, intent: int, event_type: str, data: dict[str, Any]) -> None:
        """An event to the sessions subscribed to ``intent`` (none before the server starts)."""
        if self.sink is not None:
            self.sink.broadcast(intent, event_type, data)

    async def find_cue(self, name: str | None, uuid: str | None) -> Cue | None:
        """The cue a ``sceneName``/``sceneUuid`` names (a cue named like the program scene
        wins); None for the program scene itself; ``ResourceNotFound`` for neither."""
        for cue in await self.cues.list():
            if cue.name == name or (uuid is not None and scene_uuid(cue.id) == uuid):
                return cue
        if name == PROGRAM_SCENE or uuid == scene_uuid(None):
            return None
        raise ObsRequestError(Status.RESOURCE_NOT_FOUND,
                              f"No scene was found by the name of `{name or uuid}`.")

    def item(self, item_id: int) -> Layer:
        """The layer of a ``sceneItemId`` (``ResourceNotFound`` when none)."""
        layer = layer_by_item(self.scene, item_id)
        if layer is None:
            raise ObsRequestError(Status.RESOURCE_NOT_FOUND,
                                  f"No scene items were found with the id {item_id}.")
        return layer

    def item_id(self, layer: Layer) -> int:
        return item_ids(self.scene)[layer.id]

    async def source_size(self, layer: Layer) -> tuple[float, float]:
        """The size OBS calls the source's: the layer box, else the natural size where known
        (a colour fills the canvas; an image or clip has its asset's size), else 0."""
        t = layer.transform
        natural = (0.0, 0.0)
        if t.width_px is None or t.height_px is None:
            natural = await self._natural(layer)
        return (natural[0] if t.width_px is None else t.width_px,
                natural[1] if t.height_px is None else t.height_px)

    async def _natural(self, layer: Layer) -> tuple[float, float]:
        if layer.kind == "color":
            return float(self.scene.width), float(self.scene.height)
        asset = getattr(layer.content, "asset", None)
        if not isinstance(asset, str):
            return 0.0, 0.0
        size = self._asset_sizes.get(asset)
        if size is None:
            try:
                info = await self.ctx.store.asset_info(asset)
            except ControlError:  # a missing asset or a store outage: the size is not known
                return 0.0, 0.0
            size = float(info.width or 0), float(info.height or 0)
            if len(self._asset_sizes) >= _ASSET_SIZES_MAX:
                self._asset_sizes.pop(next(iter(self._asset_sizes)))
            self._asset_sizes[asset] = size
        return size
