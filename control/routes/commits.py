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

from compositor.scene.codec import ID_PATTERN
from control.commit_request import parse_commit_request
from control.context import context_of
from control.errors import ResourceNotFoundError
from control.landing import landing_of
from control.receipts import applied_json
from control.routes.body import decimal, if_match, if_match_failures, json_response, read_json
from control.store.base import ScheduledCommit

__all__ = ["routes", "scheduled_json"]


def scheduled_json(entry: ScheduledCommit) -> dict[str, object]:
    return {"id": entry.id, "at_frame": entry.at_frame, "ops": list(entry.ops),
            "author": entry.author, "created_unix": entry.created_unix}


async def post_commit(request: Request) -> Response:
    ctx = context_of(request)
    body = await read_json(request, ctx.json_max_bytes)
    commit = parse_commit_request(body, ctx.committer, if_match=if_match(request))
    author = request.headers.get("x-author")
    author = author if author and ID_PATTERN.fullmatch(author) else None
    with if_match_failures(commit.if_match):
        if commit.scheduled:
            entry = await ctx.committer.schedule(commit.ops, commit.at,
                                                 if_version=commit.if_version, author=author)
            ctx.scheduler.wake()
            return json_response({"scheduled": scheduled_json(entry)}, status=202)
        record = await ctx.committer.commit(commit.ops, if_version=commit.if_version,
                                            source="http", author=author)
    return json_response({"version": record.version}, version=record.version)


async def get_commit(request: Request) -> Response:
    ctx = context_of(request)
    text = request.path_params["version"]
    version = decimal(text)
    if version is None:
        raise ResourceNotFoundError(f"no commit {text!r}", "version")
    receipt = await ctx.store.get_receipt(version)
    records = await ctx.store.journal(version - 1, limit=1) if version >= 1 else []
    record = records[0] if records and records[0].version == version else None
    if record is None and receipt is None:
        raise ResourceNotFoundError(f"version {version} is not in the journal", "version")
    landing = landing_of(record)
    return json_response({
        "version": version,
        "frame": landing.frame,
        "at_frame": landing.requested_frame,
        "applied": applied_json(receipt) if receipt is not None else None,
    })


def routes() -> list[BaseRoute]:
    return [Route("/api/v1/commits", post_commit, methods=["POST"], name="post_commit"),
            Route("/api/v1/commits/{version}", get_commit, methods=["GET"], name="get_commit")]
