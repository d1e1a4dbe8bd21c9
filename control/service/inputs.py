"""Live inputs in the service: readers that follow the store, answering the API.

:class:`ServiceInputs` is the service's :class:`~control.inputs.InputControl`. In a process that
renders it owns the :class:`~compositor.inputs.InputHub` (one reader thread per input) and gives
the pipeline its media source (:meth:`ServiceInputs.media`: clips and inputs behind one
:class:`~compositor.inputs.MediaRouter`). It follows the store: :meth:`run` lists the stored
inputs every ``poll_s`` seconds and starts and stops readers to match, so an input created or
deleted through any replica sharing the store is read here within about a second (at once when
it was this process: the routes call :meth:`changed`). Every state change of a reader is sent to
the app's WebSocket clients (``input.state``) and its metrics are on the registry. A process
that does not render (``--no-render``) reads nothing: the API answers from the definitions.

:func:`offline_media` is the same for ``compositor render``: no reader connects, every input
layer shows its fallback, and the hub says so once per input.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from prometheus_client import CollectorRegistry
from starlette.applications import Starlette

from compositor.inputs import (
    InputHub,
    InputMetrics,
    InputSpec,
    InputStatus,
    MediaRouter,
    MediaSource,
    ReaderTiming,
    thumbnail_jpeg,
)
from compositor.scene import Scene, VideoContent
from control.errors import ControlError
from control.inputs import NOT_READ_HERE, broadcast_input_state, install_inputs
from control.program import ProgramControl
from control.store.base import Store

__all__ = ["ServiceInputs", "input_ids", "offline_media"]

log = logging.getLogger(__name__)


def input_ids(scene: Scene) -> frozenset[str]:
    """The inputs ``scene``'s layers show (exiting ones included)."""
    return frozenset(layer.content.input for layer in (*scene.layers, *scene.exiting)
                     if isinstance(layer.content, VideoContent)
                     and layer.content.input is not None)


class ServiceInputs:
    """The inputs of one serving process (see the module docstring)."""

    def __init__(self, store: Store, registry: CollectorRegistry | None, *, live: bool,
                 poll_s: float = 1.0, timing: ReaderTiming | None = None) -> None:
        self.store = store
        self.poll_s = poll_s
        self.hub = InputHub(timing=timing) if live else None
        self._metrics: InputMetrics | None = None
        if self.hub is not None and registry is not None:
            self._metrics = InputMetrics(registry)
            self._metrics.register(self.hub.statuses)

    def media(self, clips: MediaSource | None) -> MediaRouter:
        """The pipeline's media source: ``clips`` and this process's inputs."""
        return MediaRouter(clips, self.hub)

    def program(self, program: ProgramControl) -> ProgramControl:
        """``program`` whose problems (``/readyz``) also list the inputs not live, as
        ``{"input <id>": "lost: <last error>"}`` (the API stays ready: inputs are not the
        service's health)."""
        return program if self.hub is None else _WithInputs(program, self.hub)

    # --- InputControl ------------------------------------------------------------------------

    def status(self, spec: InputSpec) -> dict[str, Any]:
        if self.hub is None:
            return InputStatus.waiting(spec, NOT_READ_HERE).to_json()
        found = self.hub.status(spec.id)
        return (found if found is not None else InputStatus.waiting(spec)).to_json()

    def thumbnail_jpeg(self, input_id: str, width: int) -> bytes | None:
        reader = None if self.hub is None else self.hub.reader(input_id)
        picture = None if reader is None else reader.queue.last
        return None if picture is None else thumbnail_jpeg(picture, width)

    async def changed(self) -> None:
        await self.sync()

    # --- following the store -----------------------------------------------------------------

    async def sync(self) -> None:
        """Start and stop readers to match the store (raises the store's errors)."""
        if self.hub is None:
            return
        specs = await self.store.list_inputs()
        self.hub.sync(specs)

    async def run(self) -> None:
        """Until cancelled: :meth:`sync` every ``poll_s``; a store that fails is retried (the
        readers keep running as they are meanwhile)."""
        failing = False
        while True:
            try:
                await self.sync()
                if failing:
                    log.info("inputs: the store answers again")
                failing = False
            except ControlError as exc:
                if not failing:
                    log.warning("inputs: cannot list the stored inputs: %s", exc)
                failing = True
            await asyncio.sleep(self.poll_s)

    def install(self, app: Starlette) -> None:
        """Answer ``app``'s input routes and send every state change to its WebSocket clients
        (call on the event loop that serves ``app``)."""
        install_inputs(app, self)
        if self.hub is None:
            return
        loop = asyncio.get_running_loop()

        def relay(status: InputStatus) -> None:  # a reader or monitor thread
            if not loop.is_closed():
                loop.call_soon_threadsafe(broadcast_input_state, app, status.to_json())

        self.hub.listen(relay)

    def close(self) -> None:
        """Stop every reader (blocking up to a few seconds: call off the loop or at exit)."""
        if self._metrics is not None:
            self._metrics.unregister()
            self._metrics = None
        if self.hub is not None:
            self.hub.close()


class _WithInputs:
    """A :class:`ProgramControl` whose problems include the inputs'."""

    def __init__(self, program: ProgramControl, hub: InputHub) -> None:
        self._program = program
        self._hub = hub

    def status(self) -> dict[str, Any]:
        return self._program.status()

    async def start_output(self, url: str | None) -> dict[str, Any]:
        return await self._program.start_output(url)

    async def stop_output(self) -> dict[str, Any]:
        return await self._program.stop_output()

    def preview_jpeg(self, width: int | None) -> bytes | None:
        return self._program.preview_jpeg(width)

    async def preview_scene(self, scene: Scene, frame: int, width: int | None) -> bytes:
        return await self._program.preview_scene(scene, frame, width)

    def problems(self) -> dict[str, str]:
        return {**self._program.problems(), **self._hub.problems()}


async def _stored_inputs(store: Store) -> list[InputSpec]:
    try:
        return await store.list_inputs()
    finally:
        await store.close()


def offline_media(open_store: Callable[[], Store], scene: Scene, clips: MediaSource,
                  say: Callable[[str], None]) -> MediaSource:
    """``compositor render``'s media source: ``clips`` alone when ``scene`` shows no input;
    else with an offline hub of the stored inputs (a store from ``open_store`` is read once,
    then closed; when that fails the inputs are unknown and show nothing), and ``say`` is told
    once what their layers show. Blocking (runs its own event loop)."""
    if not input_ids(scene):
        return clips
    specs: list[InputSpec] = []
    try:
        specs = asyncio.run(_stored_inputs(open_store()))
    except ControlError as exc:
        log.warning("offline render: cannot read the stored inputs: %s", exc)
    hub = InputHub(live=False)
    hub.sync(specs)
    say(hub.offline_note(input_ids(scene)))  # once, before the first frame
    return MediaRouter(clips, hub)
