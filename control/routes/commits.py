"""``POST /api/v1/commits``: several ops, all or nothing, optionally against a version, now or
on a frame; ``GET /api/v1/commits/{version}``: whether (and on which frame) it went on air.

Body ``{"if_version": 12?, "ops": [...], "at": {...}?}`` → 200 ``{"version": 13}`` (its landing
frame: ``GET /api/v1/commits/13``). A stale ``if_version`` is 409 with the current
version in the body; a stale ``If-Match`` header is 412. When both are given they must agree
(400 otherwise). With ``"at"`` (``{"frame": N}``, ``{"utc": "..."}`` or ``{"in_frames": N}``)
the commit is scheduled instead: 202 ``{"scheduled": {"id", "at_frame", ...}}``, with the ops
checked now (422 with paths) and ``if_version`` checked against the scene now.

``GET /api/v1/commits/{version}`` → ``{"version", "frame", "at_frame", "applied": null |
{"frame", "pts", "late_frames", "encoded_unix"}}``; 404 for a version neither in the journal nor
with a receipt.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from compositor.errors import SceneValidationError
from compositor.scene.codec import ID_PATTERN
from control.context import context_of
from control.errors import BadRequestError, ResourceNotFoundError
from control.receipts import applied_json
from control.routes.body import if_match, if_match_failures, json_response, read_json
from control.store.base import ScheduledCommit

__all__ = ["routes", "scheduled_json"]

_FIELDS = frozenset({"if_version", "ops", "at"})


def scheduled_json(entry: ScheduledCommit) -> dict[str, object]:
    return {"id": entry.id, "at_frame": entry.at_frame, "ops": list(entry.ops),
            "author": entry.author, "created_unix": entry.created_unix}


def _if_version(body: dict[str, object]) -> int | None:
    value = body.get("if_version")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 2**53:
        raise SceneValidationError("if_version", "must be a non-negative integer")
    return value


async def post_commit(request: Request) -> Response:
    ctx = context_of(request)
    body = await read_json(request, ctx.json_max_bytes)
    if not isinstance(body, dict):
        raise SceneValidationError("", "the body must be an object {\"ops\": [...]}")
    for key in body:
        if key not in _FIELDS:
            raise SceneValidationError(str(key), "unknown field")
    if "ops" not in body:
        raise SceneValidationError("ops", "is required")
    body_version, header_version = _if_version(body), if_match(request)
    if body_version is not None and header_version is not None and \
            body_version != header_version:
        raise BadRequestError("If-Match and if_version disagree", "if_version")
    ops = ctx.committer.decode(body["ops"])
    author = request.headers.get("x-author")
    author = author if author and ID_PATTERN.fullmatch(author) else None
    expected = body_version if body_version is not None else header_version
    with if_match_failures(body_version is None and header_version is not None):
        if "at" in body:
            entry = await ctx.committer.schedule(ops, body["at"], if_version=expected,
                                                 author=author)
            ctx.scheduler.wake()
            return json_response({"scheduled": scheduled_json(entry)}, status=202)
        record = await ctx.committer.commit(ops, if_version=expected, source="http",
                                            author=author)
    return json_response({"version": record.version}, version=record.version)


async def get_commit(request: Request) -> Response:
    ctx = context_of(request)
    text = request.path_params["version"]
    if not text.isdigit() or len(text) > 16:
        raise ResourceNotFoundError(f"no commit {text!r}", "version")
    version = int(text)
    receipt = await ctx.store.get_receipt(version)
    records = await ctx.store.journal(version - 1, limit=1) if version >= 1 else []
    record = records[0] if records and records[0].version == version else None
    if record is None and receipt is None:
        raise ResourceNotFoundError(f"version {version} is not in the journal", "version")
    meta = record.meta if record is not None and record.meta is not None else {}
    return json_response({
        "version": version,
        "frame": record.frame if record is not None else None,
        "at_frame": meta.get("at_frame"),
        "applied": applied_json(receipt) if receipt is not None else None,
    })


def routes() -> list[BaseRoute]:
    return [Route("/api/v1/commits", post_commit, methods=["POST"], name="post_commit"),
            Route("/api/v1/commits/{version}", get_commit, methods=["GET"], name="get_commit")]
