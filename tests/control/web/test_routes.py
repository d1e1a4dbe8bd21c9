"""The routes that serve the page (``control.routes.web``), without a browser."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry
from starlette.applications import Starlette

from compositor.scene import Scene
from control.app import create_app
from control.program import NullProgram
from control.routes.web import web_routes
from control.service.settings import Settings
from control.store.embedded import EmbeddedStore
from tests.control.api.helpers import TestClient  # imported there without Starlette's warning

WEB_DIR = Path(__file__).resolve().parents[3] / "control" / "web"


@pytest.fixture
def client() -> Iterator[TestClient]:
    with TestClient(Starlette(routes=web_routes())) as test_client:
        yield test_client


def test_root_serves_the_page_and_revalidates(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["cache-control"] == "no-cache"
    assert '<script type="module" src="/web/js/app.js">' in response.text
    again = client.get("/", headers={"If-None-Match": response.headers["etag"]})
    assert again.status_code == 304


def test_every_module_the_page_imports_is_served(client: TestClient) -> None:
    # Follow the import graph from the page's module scripts (app.js, cues.js): a missing or
    # misnamed module would break the page.
    seen: set[str] = set()
    todo = re.findall(r'<script type="module" src="(/web/js/[\w.]+)">', client.get("/").text)
    assert "/web/js/app.js" in todo
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        response = client.get(path)
        assert response.status_code == 200, path
        assert "javascript" in response.headers["content-type"], path
        assert response.headers["cache-control"] == "no-cache"
        for name in re.findall(r'^import .* from "\./([\w.]+)";$', response.text, re.M):
            todo.append(f"/web/js/{name}")
    on_disk = {f"/web/js/{p.name}" for p in (WEB_DIR / "js").glob("*.js")}
    assert seen == on_disk
    assert client.get("/web/style.css").headers["content-type"].startswith("text/css")


def test_nothing_outside_the_web_folder_is_served(client: TestClient) -> None:
    assert client.get("/web/../routes/web.py").status_code == 404
    assert client.get("/web/%2e%2e/settings.py").status_code == 404
    assert client.get("/web/missing.js").status_code == 404


def test_page_is_public_while_the_api_needs_the_token(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, api_token="t0ken", allowed_hosts=("testserver",))
    app = create_app(settings.control_config(), EmbeddedStore(None), NullProgram(),
                     registry=CollectorRegistry(),
                     initial_scene=Scene(width=320, height=180), owns_store=True)
    with TestClient(app) as client:
        assert client.get("/").status_code == 200
        assert client.get("/web/js/api.js").status_code == 200
        assert client.get("/api/v1/scene").status_code == 401
        authorised = client.get("/api/v1/scene", headers={"Authorization": "Bearer t0ken"})
        assert authorised.status_code == 200
