"""Liveness, readiness and Prometheus metrics; open even when an API token is set.

- ``GET /healthz``: 200 ``{"status": "ok"}`` while the process serves requests.
- ``GET /readyz``: 200 ``{"status": "ready", "version", "problems": {}}`` when the store answers
  within 2 s; 503 ``{"status": "not_ready", "problems": {...}}`` otherwise, and while this
  process re-syncs after the store was found gone back in time (``Store.last_rollback``). The
  render side's problems (an output reconnecting, say) are listed but do not make the API
  unready.
- ``GET /metrics``: the injected registry in Prometheus text format.
"""

from __future__ import annotations

import asyncio

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from control.context import context_of

__all__ = ["routes"]

READY_TIMEOUT_S = 2.0


async def healthz(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> Response:
    ctx = context_of(request)
    problems = dict(ctx.program.problems())
    tasks = ctx.background.problems()
    version = None
    try:
        version = (await asyncio.wait_for(ctx.store.read(), READY_TIMEOUT_S)).version
    except Exception as exc:  # any failure to read the store means not ready; say which
        problems["store"] = f"{type(exc).__name__}: {exc}"
        return JSONResponse({"status": "not_ready", "version": None, "problems": problems},
                            status_code=503)
    if tasks:
        problems.update(tasks)
        return JSONResponse({"status": "not_ready", "version": version, "problems": problems},
                            status_code=503)
    rollback = ctx.store.last_rollback
    if rollback is not None and ctx.hub.version < rollback.rebased_version:
        problems["store"] = (
            f"the store went back in time: it held version {rollback.found_version} after "
            f"{rollback.seen_version} had been seen (those commits are lost); re-syncing to "
            f"version {rollback.rebased_version}")
        return JSONResponse({"status": "not_ready", "version": version, "problems": problems},
                            status_code=503)
    return JSONResponse({"status": "ready", "version": version, "problems": problems})


async def metrics(request: Request) -> Response:
    body = generate_latest(context_of(request).metrics.registry)
    return Response(body, media_type=CONTENT_TYPE_LATEST)


def routes() -> list[BaseRoute]:
    return [
        Route("/healthz", healthz, methods=["GET"], name="healthz"),
        Route("/readyz", readyz, methods=["GET"], name="readyz"),
        Route("/metrics", metrics, methods=["GET"], name="metrics"),
    ]
