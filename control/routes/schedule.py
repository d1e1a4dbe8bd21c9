"""``GET /api/v1/schedule`` and ``DELETE /api/v1/schedule/{id}``: commits waiting for their frame.

Scheduled commits are made with ``POST /api/v1/commits`` (or the WebSocket ``commit``) carrying
``"at"``. The list is ``{"entries": [{"id", "at_frame", "ops", "author", "created_unix"}]}``,
earliest frame first. An entry leaves the list when the scheduler takes it to be committed (a
short lead before its frame); cancelling it after that is 409, an unknown id 404, else 204.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from control.context import context_of
from control.errors import RequestConflictError, ResourceNotFoundError
from control.routes.body import json_response
from control.routes.commits import scheduled_json

__all__ = ["routes"]


async def list_schedule(request: Request) -> Response:
    ctx = context_of(request)
    entries = await ctx.store.schedule_list()
    return json_response({"entries": [scheduled_json(entry) for entry in entries]})


async def cancel_scheduled(request: Request) -> Response:
    ctx = context_of(request)
    entry_id = request.path_params["id"]
    result = await ctx.store.schedule_cancel(entry_id)
    if result == "unknown":
        raise ResourceNotFoundError(f"no scheduled commit {entry_id!r}", "id")
    if result == "taken":
        raise RequestConflictError(f"scheduled commit {entry_id!r} was already "
                                   "committed (it is on air or about to be)", "id")
    return Response(status_code=204)


def routes() -> list[BaseRoute]:
    return [
        Route("/api/v1/schedule", list_schedule, methods=["GET"], name="list_schedule"),
        Route("/api/v1/schedule/{id}", cancel_scheduled, methods=["DELETE"],
              name="cancel_scheduled"),
    ]
