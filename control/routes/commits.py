"""``POST /api/v1/commits``: several ops, all or nothing, optionally against a version.

Body ``{"if_version": 12?, "ops": [...]}`` → 200 ``{"version": 13}``. A stale ``if_version`` is
409 with the current version in the body; a stale ``If-Match`` header is 412. When both are given
they must agree (400 otherwise).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from compositor.codec import ID_PATTERN
from compositor.errors import SceneValidationError
from control.context import context_of
from control.errors import RequestError, VersionConflictError
from control.http import error_response
from control.routes.body import if_match, json_response, read_json

__all__ = ["routes"]

_FIELDS = frozenset({"if_version", "ops"})


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
        raise RequestError(400, "bad_request", "If-Match and if_version disagree", "if_version")
    ops = ctx.committer.decode(body["ops"])
    author = request.headers.get("x-author")
    try:
        record = await ctx.committer.commit(
            ops, if_version=body_version if body_version is not None else header_version,
            source="http",
            author=author if author and ID_PATTERN.fullmatch(author) else None)
    except VersionConflictError as exc:
        return error_response(exc, precondition=body_version is None)
    return json_response({"version": record.version}, version=record.version)


def routes() -> list[BaseRoute]:
    return [Route("/api/v1/commits", post_commit, methods=["POST"], name="post_commit")]
