"""``GET /api/v1/as-run?from=&to=``: what went on air (``control.as_run``).

``from`` and ``to`` are UTC ISO 8601 times (with a zone) or ``frame:N``, both optional. The
answer is ``{"entries": [...]}`` (JSON), or CSV with a header row when the request's ``Accept``
names ``text/csv`` (or ``?format=csv``).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from compositor.errors import SceneValidationError
from control.as_run import as_run, as_run_csv, parse_bound
from control.context import context_of
from control.routes.body import json_response

__all__ = ["routes"]


async def get_as_run(request: Request) -> Response:
    ctx = context_of(request)
    fps = ctx.hub.scene.fps
    query = request.query_params
    for key in query:
        if key not in ("from", "to", "format"):
            raise SceneValidationError(key, "unknown query parameter: use from, to, format")
    first = parse_bound(query.get("from"), fps, "from")
    last = parse_bound(query.get("to"), fps, "to", end=True)
    form = query.get("format")
    if form not in (None, "json", "csv"):
        raise SceneValidationError("format", "must be json or csv")
    entries = await as_run(ctx.store, fps, first, last)
    if form == "csv" or (form is None and "text/csv" in request.headers.get("accept", "")):
        return Response(as_run_csv(entries), media_type="text/csv; charset=utf-8")
    return json_response({"entries": entries})


def routes() -> list[BaseRoute]:
    return [Route("/api/v1/as-run", get_as_run, methods=["GET"], name="get_as_run")]
