"""``/api/v1/ws``: the WebSocket of CONTRACT.md.

Server → client (JSON text):

- ``{"type": "hello", "version": N, "scene": {...}}`` on connect (and again after a gap in the
  journal, when a client must start over from the whole scene).
- With ``?since=N``: ``{"type": "resumed", "since": N, "version": V}`` then the missed
  ``scene.changed`` messages N+1..V, when the journal still has them and they are fewer than
  half the client's queue; otherwise a hello (the whole scene is then the shorter way back).
- ``{"type": "scene.changed", "version": N, "ops": [...]}`` for every commit, in version order.
- ``{"type": "result", "id": ..., "ok": true, "version": N}`` or ``{..., "ok": false,
  "error": {"code", "message", "path"}}`` answering a request.

- ``{"type": "commit.applied", "version": V, "frame": F, "pts": P, "late_frames": L}`` when a
  version's first frame has been encoded (after that version's ``scene.changed``).

Client → server: ``{"type": "commit", "id": "r1", "if_version": 12?, "ops": [...], "at": {...}?}``
(with ``at`` the reply is ``{..., "ok": true, "scheduled": {"id", "at_frame", ...}}``) and
``{"type": "ping", "id": "p1"}``. A message that is not a JSON object gets
``{"type": "result", "id": null, "ok": false, "error": ...}``; the connection stays open.

A client whose queue (256 messages) fills up is closed with 1013 ("try again later"): what it
has not been sent is dropped, and the close frame waits up to ``CLOSE_TIMEOUT_S`` behind what the
network already holds for it (a client that paused reading still learns why), then the
connection is dropped. One whose request is too large (1 MiB) is closed with 1009.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from typing import Any

import anyio
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route, WebSocketRoute
from starlette.websockets import WebSocket

from compositor.errors import SceneValidationError
from compositor.scene import Scene
from control.commit_request import parse_commit_request
from control.context import ControlContext, context_of
from control.http import error_for
from control.json_text import check_unicode, parse_json
from control.routes.body import decimal
from control.routes.commits import scheduled_json
from control.ws import Client

__all__ = ["routes"]

_log = logging.getLogger(__name__)

CLOSE_TRY_AGAIN_LATER = 1013
CLOSE_GOING_AWAY = 1001
CLOSE_TOO_BIG = 1009
CLOSE_TIMEOUT_S = 30.0  # how long a close frame may wait for a stalled client to read


def _dump(payload: dict[str, Any]) -> str:
    return json.dumps(payload, separators=(",", ":"))


def _since(websocket: WebSocket) -> int | None:
    return decimal(websocket.query_params.get("since"))


async def _greet(ctx: ControlContext, client: Client, scene: Scene, since: int | None) -> None:
    """Put the hello (or the resume) at the head of the client's stream."""
    missed = scene.version - since if since is not None else 0
    if since is not None and 0 <= missed < ctx.hub.queue_max // 2:
        try:
            records = await ctx.store.journal(since, limit=max(missed, 1)) if missed else []
        except Exception as exc:  # the journal is unreachable: start the client over instead
            _log.warning("cannot read the journal to resume a client: %r", exc)
            records = None
        if records is None:
            await _prepend(client, [await ctx.hub.hello(scene)])
            return
        records = [r for r in records if r.version <= scene.version]
        if [r.version for r in records] == list(range(since + 1, scene.version + 1)):
            messages = [_dump({"type": "resumed", "since": since, "version": scene.version})]
            messages += [_dump({"type": "scene.changed", "version": r.version,
                                "ops": list(r.ops)}) for r in records]
            await _prepend(client, messages)
            return
    await _prepend(client, [await ctx.hub.hello(scene)])


async def _prepend(client: Client, messages: list[str]) -> None:
    # Live changes may already wait in the queue (they are newer): put ours before them.
    waiting: list[str] = []
    while not client.queue.empty():
        waiting.append(client.queue.get_nowait())
    for message in [*messages, *waiting]:
        if not client.offer(message):
            return


async def _sender(websocket: WebSocket, client: Client, ctx: ControlContext) -> None:
    sent = ctx.metrics.ws_messages.labels("out")  # resolved once: this runs per message
    while True:
        message = await client.queue.get()
        await websocket.send_text(message)
        sent.inc()


async def _answer(ctx: ControlContext, request: Any, author: str) -> dict[str, Any]:
    if not isinstance(request, dict):
        raise SceneValidationError("", "a request must be a JSON object with a type")
    kind = request.get("type")
    if kind == "ping":
        return {"ok": True, "version": ctx.hub.version}
    if kind != "commit":
        raise SceneValidationError("type", "must be commit or ping")
    commit = parse_commit_request(request, ctx.committer, extra_fields=("type", "id"))
    if commit.scheduled:
        entry = await ctx.committer.schedule(commit.ops, commit.at, if_version=commit.if_version,
                                             author=author)
        ctx.scheduler.wake()
        return {"ok": True, "scheduled": scheduled_json(entry)}
    record = await ctx.committer.commit(commit.ops, if_version=commit.if_version, source="ws",
                                        author=author)
    return {"ok": True, "version": record.version}


async def _receiver(websocket: WebSocket, client: Client, ctx: ControlContext) -> None:
    """Answer requests until the client disconnects (then return)."""
    author = f"ws:{websocket.scope.get('state', {}).get('request_id', '')}"[:64]
    while True:
        message = await websocket.receive()
        if message["type"] == "websocket.disconnect":
            return
        ctx.metrics.ws_messages.labels("in").inc()
        text = message.get("text")
        if text is not None and len(text) > ctx.json_max_bytes:
            await websocket.close(CLOSE_TOO_BIG, "message too large")
            return
        client.offer(_dump({"type": "result", **await _reply(ctx, text, author)}))


async def _reply(ctx: ControlContext, text: str | None, author: str) -> dict[str, Any]:
    request_id: Any = None
    try:
        if text is None:
            raise SceneValidationError("", "send JSON in text frames, not binary")
        request = parse_json(text, "the message", unicode=False)
        if isinstance(request, dict):
            request_id = request.get("id")
        check_unicode(request, text)
        reply = await _answer(ctx, request, author)
    except Exception as exc:  # mapped exactly as over HTTP
        error = error_for(exc)
        if error.status >= 500 and error.status != 503:
            _log.error("ws request failed", exc_info=exc)
        reply = {"ok": False, **error.body()}
    if not isinstance(request_id, str | int) or isinstance(request_id, bool):
        request_id = None
    return {"id": request_id, **reply}


async def _cancel_when(event: asyncio.Event, scope: anyio.CancelScope) -> None:
    await event.wait()
    scope.cancel()


async def ws_endpoint(websocket: WebSocket) -> None:
    ctx = context_of(websocket)
    if ctx.hub.full:  # refused before the handshake completes: no queue, no hello
        ctx.metrics.ws_refused.inc()
        await websocket.close(CLOSE_TRY_AGAIN_LATER, "too many clients")
        return
    await websocket.accept()
    client, scene = ctx.hub.register()
    try:
        await _greet(ctx, client, scene, _since(websocket))
        # anyio (not bare asyncio tasks) so that cancellation nests with the server's own scopes.
        async with anyio.create_task_group() as group:
            group.start_soon(_sender, websocket, client, ctx)
            group.start_soon(_cancel_when, client.overflowed, group.cancel_scope)
            group.start_soon(_cancel_when, ctx.hub.closing, group.cancel_scope)
            await _receiver(websocket, client, ctx)
            group.cancel_scope.cancel()
        if client.overflowed.is_set():
            _log.warning("closing a WebSocket client that cannot keep up (1013)")
            client.discard()  # it will never be sent: the client starts over with a hello
            await _close(websocket, CLOSE_TRY_AGAIN_LATER, "too slow: queue full")
        elif ctx.hub.closing.is_set():
            await _close(websocket, CLOSE_GOING_AWAY, "server shutting down")
    finally:
        ctx.hub.unregister(client)


async def _close(websocket: WebSocket, code: int, reason: str) -> None:
    # The close frame itself may not get through a full socket; never wait for it for long.
    with anyio.move_on_after(CLOSE_TIMEOUT_S), contextlib.suppress(Exception):
        await websocket.close(code, reason)


async def ws_over_http(request: Request) -> Response:
    """A plain HTTP request for the WebSocket's path: 426, naming the protocol to upgrade to
    (and, being a route, it makes other methods a 405 with ``Allow`` rather than a 404)."""
    raise HTTPException(426, "this is a WebSocket: upgrade the connection",
                        headers={"Upgrade": "websocket"})


def routes() -> list[BaseRoute]:
    return [WebSocketRoute("/api/v1/ws", ws_endpoint, name="ws"),
            Route("/api/v1/ws", ws_over_http, methods=["GET"], name="ws_over_http")]
