"""Cues: named, stored commits that an operator takes to air with one request.

A cue is ``{"id", "name", "ops": [...], "if_version"?}``: the ops are commit ops (``animate``
and transitions allowed), checked by the scene codec when the cue is stored (paths
``ops[0].layer...``) and decoded again at each take (a layer without an id gets a new one each
time). The store keeps cues (:meth:`Store.put_cue`...), so every replica sees the same ones.

:func:`take_cue` is the one way a cue goes to air (HTTP ``POST /api/v1/cues/{id}/take``, the
obs-websocket ``SetCurrentProgramScene``): one commit through the
:class:`~control.committer.Committer`, whose journal entry carries ``source`` (``"cue"``, or
``"controller"`` for obs-websocket) and ``{"cue": id, "cue_name": name}``. With ``at`` it lands
on that frame (at most :data:`MAX_TAKE_LEAD_S` ahead: the pipeline holds it, and commits made
meanwhile wait behind it; schedule further ahead with ``POST /api/v1/commits`` and ``at``).
With a ``request_id`` a repeated take (a controller resending after a timeout) takes once and
answers the first take's version.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import time
from typing import Any

from compositor.errors import SceneValidationError
from compositor.scene.codec import ID_PATTERN
from compositor.scene.schedule import resolve_at
from control.commit_request import MAX_VERSION
from control.committer import Committer
from control.context import ControlContext
from control.errors import RequestConflictError
from control.store.base import Cue
from control.ws import Hub

__all__ = ["MAX_NAME_CHARS", "MAX_TAKE_LEAD_S", "Cue", "announce", "cue_json", "decode_cue",
           "new_cue_id", "take_cue"]

MAX_NAME_CHARS = 200
MAX_TAKE_LEAD_S = 10
"""How far ahead (seconds) a take's ``at`` may be."""
TAKE_WAIT_S = 5.0
"""How long a repeated take waits for the first one (same request id) to finish."""
_FIELDS = ("id", "name", "ops", "if_version")


def new_cue_id() -> str:
    """A server-assigned cue id: ``cue-`` and 8 random URL-safe characters."""
    return "cue-" + secrets.token_urlsafe(6)


def cue_json(cue: Cue) -> dict[str, Any]:
    """The API's form of a cue."""
    return {"id": cue.id, "name": cue.name, "ops": list(cue.ops), "if_version": cue.if_version,
            "created_unix": cue.created_unix, "updated_unix": cue.updated_unix}


def _field_id(body: dict[str, Any], cue_id: str | None) -> str:
    if cue_id is not None and not ID_PATTERN.fullmatch(cue_id):
        raise SceneValidationError("id", "a cue id matches [A-Za-z0-9_-]{1,64}")
    value = body.get("id")
    if value is None:
        return cue_id or new_cue_id()
    if not isinstance(value, str) or not ID_PATTERN.fullmatch(value):
        raise SceneValidationError("id", "must match [A-Za-z0-9_-]{1,64}")
    if cue_id is not None and value != cue_id:
        raise SceneValidationError("id", f"must be the id in the URL ({cue_id!r}) or absent")
    return value


def _name(body: dict[str, Any]) -> str:
    name = body.get("name")
    if not isinstance(name, str) or not 1 <= len(name) <= MAX_NAME_CHARS:
        raise SceneValidationError("name", f"must be text of 1 to {MAX_NAME_CHARS} characters")
    return name


def _if_version(body: dict[str, Any]) -> int | None:
    value = body.get("if_version")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < MAX_VERSION:
        raise SceneValidationError("if_version", "must be a non-negative integer or null")
    return value


def decode_cue(body: Any, committer: Committer, *, cue_id: str | None = None,
               previous: Cue | None = None, now: float | None = None) -> Cue:
    """A cue from a request body; ``cue_id`` is the URL's (PUT), ``previous`` the cue it
    replaces (its creation time is kept). Raises ``SceneValidationError`` with the path."""
    if not isinstance(body, dict):
        raise SceneValidationError("", 'the body must be an object {"name": ..., "ops": [...]}')
    for key in body:
        if key not in _FIELDS:
            raise SceneValidationError(str(key), "unknown field")
    if "ops" not in body:
        raise SceneValidationError("ops", "is required")
    committer.decode(body["ops"])  # SceneValidationError with the path of the bad op
    stamp = time.time() if now is None else now
    return Cue(_field_id(body, cue_id), _name(body), tuple(json.loads(json.dumps(body["ops"]))),
               _if_version(body), previous.created_unix if previous else stamp, stamp)


def announce(hub: Hub, message: dict[str, Any]) -> None:
    """Offer ``message`` to every WebSocket client of this process (``cue.changed``...)."""
    text = json.dumps(message, separators=(",", ":"))
    for client in list(hub.clients):
        client.offer(text)


def _at_frame(ctx: ControlContext, at: Any) -> int | None:
    if at is None:
        return None
    landings = ctx.committer.landings
    now = landings.now_frame()
    frame = resolve_at(at, now, landings.fps())
    if frame > now + MAX_TAKE_LEAD_S * landings.fps():
        raise SceneValidationError("at", f"a cue is taken at most {MAX_TAKE_LEAD_S} s ahead; "
                                         "schedule later changes with POST /api/v1/commits")
    return frame


async def _take(ctx: ControlContext, cue_id: str, at: Any, source: str) -> int:
    cue = await ctx.store.get_cue(cue_id)
    at_frame = _at_frame(ctx, at)
    ops = ctx.committer.decode(list(cue.ops))
    record = await ctx.committer.commit(ops, if_version=cue.if_version, source=source,
                                        at_frame=at_frame,
                                        meta={"cue": cue.id, "cue_name": cue.name})
    # Clients hear of the change before they hear which cue made it.
    await ctx.hub.wait_for(record.version, 1.0)
    announce(ctx.hub, {"type": "cue.taken", "cue": cue.id, "version": record.version})
    return record.version


async def take_cue(ctx: ControlContext, cue_id: str, *, at: Any = None,
                   request_id: str | None = None, source: str = "cue") -> int:
    """Take cue ``cue_id`` to air; the version committed (see the module docstring).

    ``at`` is a commit's ``at`` (``{"frame": N}``, ``{"utc": ...}``, ``{"in_frames": N}``).
    Raises ``CueNotFoundError`` (404), ``SceneError`` (422, e.g. a layer the cue updates is
    gone), ``VersionConflictError`` (409, the cue's ``if_version`` is stale) or
    ``RequestConflictError`` (409) when a take with the same request id is still under way
    after :data:`TAKE_WAIT_S`.
    """
    if request_id is None:
        return await _take(ctx, cue_id, at, source)
    if not isinstance(request_id, str) or not ID_PATTERN.fullmatch(request_id):
        raise SceneValidationError("request_id", "must match [A-Za-z0-9_-]{1,64}")
    key = f"{cue_id}/{request_id}"
    deadline = time.monotonic() + TAKE_WAIT_S
    while (claim := await ctx.store.claim_take(key)) == "pending":
        if time.monotonic() > deadline:
            raise RequestConflictError(f"a take with request id {request_id!r} is still "
                                       "under way", "request_id")
        await asyncio.sleep(0.05)
    if isinstance(claim, int):
        return claim
    version: int | None = None
    try:
        version = await _take(ctx, cue_id, at, source)
        return version
    finally:
        await asyncio.shield(ctx.store.settle_take(key, version))
