"""HTTP and WebSocket routes of the control API, one module per resource.

Each module exposes ``routes() -> list[BaseRoute]``; :func:`all_routes` collects them in the
order ``create_app`` mounts them.
"""

from __future__ import annotations

from starlette.routing import BaseRoute

from control.routes import (
    as_run,
    assets,
    commits,
    cues,
    health,
    layers,
    limits,
    openapi,
    output,
    preview,
    scene,
    schedule,
    websocket,
)

__all__ = ["API_PREFIX", "all_routes"]

API_PREFIX = "/api/v1"


def all_routes() -> list[BaseRoute]:
    return [
        *scene.routes(),
        *layers.routes(),
        *commits.routes(),
        *schedule.routes(),
        *cues.routes(),
        *as_run.routes(),
        *preview.routes(),
        *assets.routes(),
        *limits.routes(),
        *output.routes(),
        *websocket.routes(),
        *health.routes(),
        *openapi.routes(),
    ]
