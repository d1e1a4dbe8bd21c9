"""The WebSocket hub: one store subscription per app, fanned out to bounded client queues.

The hub follows the store's change feed (so it sees every commit, whichever replica or client
made it, in version order) and keeps the latest scene. Each change is encoded to JSON once and
offered to every client's queue without waiting; a client whose queue is full (it cannot keep
up) is marked *overflowed* and its connection is closed with code 1013, so one slow client never
slows the others or the hub.

Registration is synchronous (no ``await`` between reading the hub's scene and adding the queue),
so a new client's hello at version V is followed by exactly the changes after V.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Callable

from compositor.scene import Scene
from compositor.scene.codec import encode_scene
from control.landing import Landings, landing_of, source_of
from control.metrics import ControlMetrics
from control.store.base import Change, Store
from control.store.feed import follow

__all__ = ["Client", "Hub", "hello_message"]

_log = logging.getLogger(__name__)

DEFAULT_QUEUE_MAX = 256


def hello_message(scene: Scene) -> str:
    return json.dumps({"type": "hello", "version": scene.version, "scene": encode_scene(scene)},
                      separators=(",", ":"))


class Client:
    """One connected client's outgoing queue (JSON text messages)."""

    def __init__(self, queue_max: int, on_overflow: Callable[[], None]) -> None:
        self.queue: asyncio.Queue[str] = asyncio.Queue(queue_max)
        self.overflowed = asyncio.Event()
        self._on_overflow = on_overflow

    def discard(self) -> None:
        """Drop everything queued (the client is being closed)."""
        while not self.queue.empty():
            self.queue.get_nowait()

    def offer(self, message: str) -> bool:
        """Queue ``message``; False (and the client is marked overflowed) when full."""
        if self.overflowed.is_set():
            return False
        try:
            self.queue.put_nowait(message)
        except asyncio.QueueFull:
            self.overflowed.set()
            self._on_overflow()
            return False
        return True


class Hub:
    """Follows ``store.subscribe`` and fans changes out to :class:`Client` queues.

    Every commit's landing is reported to ``landings`` (in version order), so a scheduled commit
    in the store holds the commits accepted after it (``control.landing``).
    """

    def __init__(self, store: Store, metrics: ControlMetrics, landings: Landings, *,
                 queue_max: int = DEFAULT_QUEUE_MAX, retry_s: float = 0.5,
                 max_clients: int = 1000) -> None:
        self.store = store
        self.landings = landings
        self.metrics = metrics
        self.queue_max = queue_max
        self.max_clients = max_clients
        self.retry_s = retry_s
        self.scene = Scene()
        self.clients: set[Client] = set()
        self._task: asyncio.Task[None] | None = None
        self._changed = asyncio.Condition()
        self._hello: tuple[Scene, str] | None = None  # the last scene's hello, encoded
        self._hello_lock = asyncio.Lock()
        self.hello_encodings = 0  # how many times a hello was encoded (once per scene)
        self.closing = asyncio.Event()

    @property
    def version(self) -> int:
        return self.scene.version

    async def start(self) -> None:
        """Read the scene and start following the change feed from its version."""
        self._set_scene(await self.store.read())
        self._task = asyncio.create_task(self._follow(), name="ws-hub")

    async def stop(self) -> None:
        """Stop following; connected clients are told to close (1001)."""
        self.closing.set()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def hello(self, scene: Scene) -> str:
        """The hello message of ``scene``, encoded once per scene however many clients connect
        (a large scene took seconds to encode for each WebSocket client, on the event loop).
        The encoding runs in a worker thread so the loop keeps serving meanwhile."""
        cached = self._hello
        if cached is not None and cached[0] is scene:
            return cached[1]
        async with self._hello_lock:
            cached = self._hello
            if cached is not None and cached[0] is scene:
                return cached[1]
            message = await asyncio.to_thread(hello_message, scene)
            self._hello = (scene, message)
            self.hello_encodings += 1
            return message

    @property
    def full(self) -> bool:
        """Whether ``max_clients`` are connected (a new one is refused)."""
        return len(self.clients) >= self.max_clients

    def register(self) -> tuple[Client, Scene]:
        """A new client and the scene its stream starts after (no await in between)."""
        client = Client(self.queue_max, self.metrics.ws_slow_disconnects.inc)
        self.clients.add(client)
        self.metrics.ws_clients.set(len(self.clients))
        return client, self.scene

    def unregister(self, client: Client) -> None:
        self.clients.discard(client)
        self.metrics.ws_clients.set(len(self.clients))

    async def wait_for(self, version: int, timeout_s: float) -> bool:
        """Wait until the hub has seen ``version``; False on timeout."""
        async with self._changed:
            try:
                await asyncio.wait_for(
                    self._changed.wait_for(lambda: self.version >= version), timeout_s)
            except TimeoutError:
                return False
        return True

    def _set_scene(self, scene: Scene) -> None:
        self.scene = scene
        self.metrics.scene_version.set(scene.version)
        self.metrics.layers.set(len(scene.layers))

    async def _follow(self) -> None:
        # A broken feed (e.g. Redis went away) resumes after the version the hub has.
        await follow(lambda: self.store.subscribe(self.version), self._apply,
                     retry_s=self.retry_s, log=_log, feed="change feed")

    async def _apply(self, change: Change) -> None:
        if change.version <= self.version and change.kind == "commit":
            return  # already seen (a resubscription may replay one)
        if change.kind == "commit" and change.commit is not None:
            message = json.dumps(
                {"type": "scene.changed", "version": change.version,
                 "ops": list(change.commit.ops)}, separators=(",", ":"))
        else:
            # A gap in the journal: clients get the whole scene again, as on connect.
            message = await self.hello(change.scene)
        self._set_scene(change.scene)
        if change.commit is not None:
            self.landings.seen(landing_of(change.commit))
        messages = [message, *_taken(change)]
        for client in list(self.clients):
            for text in messages:
                client.offer(text)
        async with self._changed:
            self._changed.notify_all()
        # Let the client senders run between changes so a burst does not overflow fast clients.
        await asyncio.sleep(0)


def _taken(change: Change) -> list[str]:
    """``cue.taken`` after the ``scene.changed`` of a commit that took a cue (whichever replica
    or controller took it: the journal names the cue)."""
    cue = source_of(change.commit)[1] if change.commit is not None else None
    if cue is None:
        return []
    return [json.dumps({"type": "cue.taken", "cue": cue, "version": change.version},
                       separators=(",", ":"))]
