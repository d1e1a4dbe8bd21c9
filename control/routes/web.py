"""The operator's web page: ``GET /`` and the static files under ``/web/``.

The page (``control/web/``) is plain HTML, CSS and ES modules: no build step, nothing generated.
It talks to the server only through the public API (``/api/v1`` and the WebSocket), so these
routes need no store and no token: the page itself holds no data, and the API asks for the token.

Every response carries ``Cache-Control: no-cache``: browsers keep the files but revalidate them
(a cheap 304 thanks to ETag/Last-Modified), so an upgraded server never runs with stale modules,
which matters because ES modules import each other and a mix of versions would break the page.
"""

from __future__ import annotations

import os
from pathlib import Path

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

__all__ = ["WEB_PACKAGE", "WebFiles", "web_routes"]

WEB_PACKAGE = ("control", "web")
"""(package, folder) that holds the page's files, found through the import system."""

_CACHE_CONTROL = "no-cache"


class WebFiles(StaticFiles):
    """Starlette's static files, with ``Cache-Control: no-cache`` on every answer."""

    def file_response(
        self,
        full_path: str | os.PathLike[str],
        stat_result: os.stat_result,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        response.headers["Cache-Control"] = _CACHE_CONTROL
        return response


def web_routes() -> list[BaseRoute]:
    """``GET /`` (the page's index.html) and ``/web/...`` (its scripts, styles and images)."""
    files = WebFiles(packages=[WEB_PACKAGE])
    index_dir = Path(files.all_directories[0])

    async def index(request: Request) -> Response:
        # Served through WebFiles so "/" gets the same ETag, 304 and cache headers as the rest.
        return await files.get_response("index.html", request.scope)

    if not (index_dir / "index.html").is_file():
        raise RuntimeError(f"the web page is missing: no index.html in {index_dir}")
    return [
        Route("/", index, methods=["GET", "HEAD"], name="web_index"),
        Mount("/web", app=files, name="web"),
    ]
