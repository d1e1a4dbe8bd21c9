"""The events: what changed on the store's change feed (so changes made over HTTP, the WebSocket
API, cues, schedules or other replicas produce them too), and the stream's state.

From each change the feed delivers (a commit, or a snapshot after a gap), comparing the scene
before and after:

=============================== ====================== ==========================================
event                           subscription           when
=============================== ====================== ==========================================
CurrentProgramSceneChanged      Scenes (1 << 2)        a commit took a cue (any client)
SceneItemCreated / Removed      SceneItems (1 << 7)    a layer was added / removed
SceneItemEnableStateChanged     SceneItems (1 << 7)    a layer's ``visible`` changed
InputSettingsChanged            Inputs (1 << 3)        a layer's ``content`` changed
SceneItemTransformChanged       SceneItemTransform-    a layer's ``transform`` or ``crop``
                                Changed (1 << 19)      changed (high volume: asked for alone)
StreamStateChanged              Outputs (1 << 6)       the program output's state changed
                                                       (polled every ``poll_s``)
SceneListChanged                Scenes (1 << 2)        a cue was created, renamed or deleted
                                                       (polled every ``cue_poll_s``)
=============================== ====================== ==========================================

Scene item events name the program scene (the cue taken last).
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from compositor.scene import AudioContent, Layer, Scene, VideoContent, draw_order
from control.errors import ControlError
from control.obsws.endpoint import Cue, Endpoint, EventSink
from control.obsws.items import input_settings, transform_json, volume_db
from control.obsws.names import (
    PROGRAM_SCENE,
    input_uuid,
    item_ids,
    scene_list,
    scene_uuid,
    source_name,
)
from control.obsws.protocol import Subscription
from control.obsws.requests.stream import is_active
from control.store.base import Change
from control.store.feed import follow

__all__ = ["EventFeed", "stream_state"]

_log = logging.getLogger(__name__)

Event = tuple[int, str, dict[str, Any]]


def stream_state(status: dict[str, Any], before: str | None) -> str:
    """The ``outputState`` of the program's status (``before``: the last one reported)."""
    if not is_active(status):
        return "OBS_WEBSOCKET_OUTPUT_STOPPED"
    state = status.get("state")
    if state == "connecting":
        return "OBS_WEBSOCKET_OUTPUT_STARTING"
    if state == "live":
        return "OBS_WEBSOCKET_OUTPUT_RECONNECTED" if before in (
            "OBS_WEBSOCKET_OUTPUT_RECONNECTING", "OBS_WEBSOCKET_OUTPUT_RECONNECTED") \
            else "OBS_WEBSOCKET_OUTPUT_STARTED"
    return "OBS_WEBSOCKET_OUTPUT_RECONNECTING"  # reconnecting, or failing and retrying


class EventFeed:
    """Follows the store and the program for one endpoint and hands events to ``sink``."""

    def __init__(self, ep: Endpoint, sink: EventSink, *, poll_s: float = 0.25,
                 cue_poll_s: float = 1.0, retry_s: float = 0.5) -> None:
        self.ep = ep
        self.sink = sink
        self.poll_s = poll_s
        self.cue_poll_s = cue_poll_s
        self.retry_s = retry_s
        self.scene: Scene | None = None
        self.stream: str | None = None
        self.cues: list[Cue] | None = None

    async def start(self) -> None:
        """Read the scene and find the cue taken last (from the journal it still holds)."""
        store = self.ep.ctx.store
        self.scene = await store.read()
        since = max(0, self.scene.version - store.journal_max)
        for record in await store.journal(since, store.journal_max):
            cue = self.ep.cues.taken(record)
            if cue is not None:
                self.ep.on_air_cue = cue
        self.cues = await self.ep.cues.list()
        status = self.ep.ctx.program.status()
        self.stream = stream_state(status, None)
        self.ep.stream_since = time.monotonic() if is_active(status) else None

    async def follow_scene(self) -> None:
        """Until cancelled: the change feed, from the version :meth:`start` read."""
        def subscribe() -> Any:
            return self.ep.ctx.store.subscribe(self.scene.version if self.scene else None)

        await follow(subscribe, self._apply, retry_s=self.retry_s, log=_log,
                     feed="obs-websocket change feed")

    async def follow_stream(self) -> None:
        """Until cancelled: poll the program's state; report each change."""
        while True:
            status = self.ep.ctx.program.status()
            state = stream_state(status, self.stream)
            if state != self.stream:
                active = is_active(status)
                if active and self.ep.stream_since is None:
                    self.ep.stream_since = time.monotonic()
                elif not active:
                    self.ep.stream_since = None
                self.stream = state
                self.sink.broadcast(Subscription.OUTPUTS, "StreamStateChanged",
                                    {"outputActive": active, "outputState": state})
            await asyncio.sleep(self.poll_s)

    async def follow_cues(self) -> None:
        """Until cancelled: poll the cue list (cues are kept in the store, shared by every
        replica, and have no feed of their own); report each change of names or order."""
        while True:
            try:
                cues = await self.ep.cues.list()
            except ControlError as exc:  # the store is down: try again at the next poll
                _log.debug("cannot list the cues: %s", exc)
            else:
                if self.cues is not None and cues != self.cues:
                    self.sink.broadcast(Subscription.SCENES, "SceneListChanged",
                                        {"scenes": scene_list(cues)})
                self.cues = cues
            await asyncio.sleep(self.cue_poll_s)

    async def _program_scene(self) -> tuple[str, str]:
        """The program scene's name and uuid, from the cue list as last polled (listed again
        when the cue on air is newer than that)."""
        cue_id = self.ep.on_air_cue
        if cue_id is not None and (self.cues is None
                                   or all(cue.id != cue_id for cue in self.cues)):
            self.cues = await self.ep.cues.list()
        for cue in self.cues or ():
            if cue.id == cue_id:
                return cue.name, scene_uuid(cue.id)
        return PROGRAM_SCENE, scene_uuid(None)

    async def _apply(self, change: Change) -> None:
        before = self.scene
        if before is not None and change.kind == "commit" and change.version <= before.version:
            return  # already seen (a resubscription replays)
        cue = self.ep.cues.taken(change.commit) if change.commit is not None else None
        if cue is not None:
            self.ep.on_air_cue = cue
        name, uuid = await self._program_scene()
        events = [] if before is None else await self._diff(before, change.scene, name, uuid)
        # Only now: a store error above resumes the feed from ``before`` (nothing is lost).
        self.scene = change.scene
        if cue is not None:
            self.sink.broadcast(Subscription.SCENES, "CurrentProgramSceneChanged",
                                {"sceneName": name, "sceneUuid": uuid})
        for event in events:
            self.sink.broadcast(*event)

    async def _diff(self, before: Scene, after: Scene, name: str, uuid: str) -> list[Event]:
        scene = {"sceneName": name, "sceneUuid": uuid}
        old = {layer.id: layer for layer in before.layers}
        new_ids, old_ids = item_ids(after), item_ids(before)
        events: list[Event] = []
        for index, layer in enumerate(draw_order(after)):
            item = {**scene, "sceneItemId": new_ids[layer.id]}
            previous = old.pop(layer.id, None)
            if previous is None:
                events.append((Subscription.SCENE_ITEMS, "SceneItemCreated", {
                    **item, "sourceName": source_name(layer), "sourceUuid": input_uuid(layer.id),
                    "sceneItemIndex": index}))
                continue
            events.extend(await self._changes(previous, layer, item))
        for layer in old.values():
            events.append((Subscription.SCENE_ITEMS, "SceneItemRemoved", {
                **scene, "sceneItemId": old_ids[layer.id], "sourceName": source_name(layer),
                "sourceUuid": input_uuid(layer.id)}))
        return events

    async def _changes(self, before: Layer, after: Layer, item: dict[str, Any]) -> list[Event]:
        events: list[Event] = []
        if before.visible != after.visible:
            events.append((Subscription.SCENE_ITEMS, "SceneItemEnableStateChanged",
                           {**item, "sceneItemEnabled": after.visible}))
        if before.transform != after.transform or before.crop != after.crop:
            transform = transform_json(after, await self.ep.source_size(after))
            events.append((Subscription.SCENE_ITEM_TRANSFORM_CHANGED,
                           "SceneItemTransformChanged", {**item, "sceneItemTransform": transform}))
        if before.content != after.content:
            source = {"inputName": source_name(after), "inputUuid": input_uuid(after.id)}
            events.append((Subscription.INPUTS, "InputSettingsChanged",
                           {**source, "inputSettings": input_settings(after)}))
            events.extend(_sound_changes(before, after, source))
        return events


def _sound_changes(before: Layer, after: Layer, source: dict[str, Any]) -> list[Event]:
    """``InputMuteStateChanged`` and ``InputVolumeChanged`` of a layer with sound."""
    old, new = before.content, after.content
    if not (isinstance(old, VideoContent | AudioContent)
            and isinstance(new, VideoContent | AudioContent)):
        return []
    events: list[Event] = []
    if old.muted != new.muted:
        events.append((Subscription.INPUTS, "InputMuteStateChanged",
                       {**source, "inputMuted": new.muted}))
    if old.volume != new.volume:
        events.append((Subscription.INPUTS, "InputVolumeChanged", {
            **source, "inputVolumeMul": new.volume, "inputVolumeDb": volume_db(new.volume)}))
    return events
