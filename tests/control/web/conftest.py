"""Fixtures of the browser tests: a real ``compositor serve`` process and Debian's Chromium.

The server runs as a subprocess (``python -m control.service.cli serve --demo`` at 320×180, 30 fps,
rendering on llvmpipe) on a free loopback port with its own data directory, so a test can stop it
and start it again on the same port and data to see the page go offline and come back. Chromium is
Debian's ``/usr/bin/chromium`` driven by Playwright; no browser is ever downloaded.

Uncaught JavaScript errors fail the test that caused them (``pages`` checks at teardown).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Page,
    Playwright,
    Request,
    Response,
    sync_playwright,
)

from tests.servers import free_port, wait_for_port

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]
VIEWPORT = {"width": 1366, "height": 768}
REPO = Path(__file__).resolve().parents[3]
START_DEADLINE_S = 60.0  # a cold start imports numpy/moderngl/PyAV and opens an EGL context


class ServeProcess:
    """``compositor serve`` on 127.0.0.1:``port`` with its data in ``data_dir``."""

    def __init__(self, data_dir: Path, *, token: str | None = None, demo: bool = True) -> None:
        self.data_dir = data_dir
        self.port = free_port()
        self.token = token
        self.demo = demo
        self.proc: subprocess.Popen[bytes] | None = None
        self.log_path = data_dir.parent / f"serve-{self.port}.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        args = [sys.executable, "-m", "control.service.cli", "serve", "--host", "127.0.0.1",
                "--port", str(self.port), "--data-dir", str(self.data_dir),
                "--width", "320", "--height", "180", "--fps", "30", "--log-level", "warning"]
        if self.demo:
            args.append("--demo")
        if self.token:
            args += ["--api-token", self.token]
        return args

    def start(self) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("COMPOSITOR_")}
        with self.log_path.open("ab") as log:
            self.proc = subprocess.Popen(self.command(), cwd=REPO, env=env, stdout=log,
                                         stderr=subprocess.STDOUT)
        try:
            wait_for_port(self.port, START_DEADLINE_S, self.proc)
            self.wait_ready()
        except Exception:
            self.stop()
            raise RuntimeError(f"compositor serve did not start:\n{self.log()}") from None

    def wait_ready(self) -> None:
        """Until the scene is served and the first preview frame exists."""
        deadline = time.monotonic() + START_DEADLINE_S
        with self.client() as client:
            while time.monotonic() < deadline:
                try:
                    if client.get("/api/v1/preview.jpg").status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                time.sleep(0.1)
        raise TimeoutError("no preview frame")

    def stop(self) -> None:
        if self.proc is None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=5)
        self.proc = None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:] if self.log_path.exists() else ""

    def client(self) -> httpx.Client:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=10.0)

    # Direct API calls, to arrange a scene and to check what the page did.
    def get(self, path: str) -> Any:
        with self.client() as client:
            response = client.get(f"/api/v1{path}")
            response.raise_for_status()
            return response.json()

    def commit(self, ops: list[dict[str, Any]], if_version: int | None = None) -> int:
        body: dict[str, Any] = {"ops": ops}
        if if_version is not None:
            body["if_version"] = if_version
        with self.client() as client:
            response = client.post("/api/v1/commits", json=body)
            response.raise_for_status()
            version: int = response.json()["version"]
            return version

    def layer(self, layer_id: str) -> dict[str, Any]:
        layer: dict[str, Any] = self.get(f"/layers/{layer_id}")
        return layer


@dataclass
class Pages:
    """Opens pages in fresh browser contexts (separate storage: two operators)."""

    browser: Browser
    contexts: list[BrowserContext] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def open(self, url: str | None = None, *, wait_online: bool = True) -> Page:
        context = self.browser.new_context(viewport=VIEWPORT)  # type: ignore[arg-type]
        self.contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda exc: self.errors.append(f"{url}: {exc}"))
        if url is not None:
            page.goto(url)
            if wait_online:
                wait_online_state(page)
        return page

    def close(self) -> None:
        for context in self.contexts:
            context.close()


def wait_online_state(page: Page, timeout_ms: float = 15_000) -> None:
    page.wait_for_selector("#sync-pill[data-state=online]", timeout=timeout_ms)


def page_version(page: Page) -> int:
    version: int = page.evaluate("window.compositor.state.version")
    return version


def selected_id(page: Page) -> str | None:
    layer_id: str | None = page.evaluate("window.compositor.state.selectedId")
    return layer_id


def add_layer(page: Page, button: str) -> str:
    """Click an add button (#add-text, #add-color) and return the new, selected layer's id."""
    before = selected_id(page)
    page.click(button)
    page.wait_for_function("(before) => window.compositor.state.selectedId &&"
                           " window.compositor.state.selectedId !== before", arg=before)
    layer_id = selected_id(page)
    assert layer_id is not None
    return layer_id


def set_field(page: Page, path: str, value: str) -> None:
    """Type into the property field for ``path`` (e.g. transform.x) and commit it with Enter."""
    selector = "#prop-" + path.replace(".", "-")
    page.fill(selector, value)
    page.press(selector, "Enter")


def record_commits(page: Page) -> list[dict[str, Any]]:
    """The bodies of the page's POST /api/v1/commits from now on (the list fills as they go)."""
    bodies: list[dict[str, Any]] = []

    def on_request(request: Request) -> None:
        if request.method == "POST" and request.url.endswith("/api/v1/commits"):
            body = request.post_data_json
            assert isinstance(body, dict)
            bodies.append(body)

    page.on("request", on_request)
    return bodies


def record_commit_statuses(page: Page) -> list[int]:
    """The HTTP statuses of the answers to the page's POST /api/v1/commits from now on."""
    statuses: list[int] = []

    def on_response(response: Response) -> None:
        request = response.request
        if request.method == "POST" and request.url.endswith("/api/v1/commits"):
            statuses.append(response.status)

    page.on("response", on_response)
    return statuses


def settle(page: Page) -> None:
    """Until the page has no edit waiting or in flight."""
    page.evaluate("window.compositor.editor.settle()")


# Package scope, not session: Playwright's sync API keeps an asyncio loop marked as running in
# this thread until it stops, which would break every later test that calls asyncio.run().
@pytest.fixture(scope="package")
def playwright() -> Iterator[Playwright]:
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (scripts/bootstrap installs it)")
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="package")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def pages(browser: Browser) -> Iterator[Pages]:
    opened = Pages(browser)
    yield opened
    opened.close()
    assert not opened.errors, f"uncaught errors in the page: {opened.errors}"


@pytest.fixture(scope="package")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServeProcess]:
    """One shared server for the tests that do not stop it; each test makes its own layers."""
    process = ServeProcess(tmp_path_factory.mktemp("serve") / "data")
    process.start()
    yield process
    process.stop()



@pytest.fixture
def own_server(tmp_path: Path) -> Iterator[ServeProcess]:
    """A server this test may stop and restart (same port, same data)."""
    process = ServeProcess(tmp_path / "data")
    process.start()
    yield process
    process.stop()
