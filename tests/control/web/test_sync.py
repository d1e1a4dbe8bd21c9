"""Two operators stay in sync through the WebSocket; a lost connection shows "offline", comes back
and resumes from the last version; a conflicting edit shows the other version instead of
overwriting it."""

from __future__ import annotations

import time
from typing import Any

import pytest
from playwright.sync_api import Page, WebSocketRoute, expect

from tests.control.web.conftest import (
    Pages,
    ServeProcess,
    add_layer,
    page_version,
    set_field,
    settle,
    wait_online_state,
)

pytestmark = pytest.mark.browser


def test_two_pages_see_each_others_changes(server: ServeProcess, pages: Pages) -> None:
    alice = pages.open(server.url)
    bob = pages.open(server.url)

    layer_id = add_layer(alice, "#add-text")
    started = time.monotonic()
    bob_row = bob.locator(f'.layer-item[data-id="{layer_id}"]')
    expect(bob_row).to_have_count(1)
    print(f"a new layer reached the other page in {time.monotonic() - started:.3f} s")

    bob_row.locator(".layer-name").click()
    set_field(bob, "transform.x", "123")
    expect(alice.locator("#prop-transform-x")).to_have_value("123")
    settle(bob)
    # Both pages reach the server's version (the demo clock keeps moving it on).
    version = server.get("/scene")["version"]
    for page in (alice, bob):
        page.wait_for_function("(v) => window.compositor.state.version >= v", arg=version)

    # A change from outside the browsers (another tool, the API) shows up too.
    server.commit([{"op": "update", "id": layer_id, "patch": {"name": "From the API"}}])
    expect(alice.locator(f'.layer-item[data-id="{layer_id}"]')).to_contain_text("From the API")
    expect(bob.locator(f'.layer-item[data-id="{layer_id}"]')).to_contain_text("From the API")


def test_offline_then_reconnects_and_resumes_from_its_version(
    own_server: ServeProcess, pages: Pages
) -> None:
    page = pages.open(own_server.url)
    sockets: list[str] = []
    page.on("websocket", lambda ws: sockets.append(ws.url))
    layer_id = add_layer(page, "#add-color")
    settle(page)

    own_server.stop()
    pill = page.locator("#sync-pill")
    expect(pill).to_have_attribute("data-state", "offline")
    expect(pill).to_contain_text("Offline")
    version = page_version(page)  # nothing changes while the server is down

    own_server.start()
    # Changed while the page was away: it must come back through the resume.
    own_server.commit([{"op": "update", "id": layer_id, "patch": {"transform": {"x": 77}}}])
    wait_online_state(page, timeout_ms=20_000)
    expect(page.locator("#prop-transform-x")).to_have_value("77")
    current = own_server.get("/scene")["version"]
    page.wait_for_function("(v) => window.compositor.state.version >= v", arg=current)
    # It asked to resume from where it was, not for the whole scene.
    assert any(f"since={version}" in url for url in sockets[1:]), sockets


def _hold_scene_changes(page: Page) -> list[bool]:
    """Route the page's WebSocket through the test; while ``hold[0]`` is true, scene.changed
    messages from the server are kept back (a slow network), so the page edits a stale scene."""
    hold = [False]
    held: list[str | bytes] = []

    def route(ws: WebSocketRoute) -> None:
        upstream = ws.connect_to_server()

        def from_server(message: str | bytes) -> None:
            if hold[0] and isinstance(message, str) and '"scene.changed"' in message:
                held.append(message)
                return
            ws.send(message)

        upstream.on_message(from_server)

    page.route_web_socket("**/api/v1/ws*", route)
    return hold


def test_conflicting_edit_shows_the_other_version(server: ServeProcess, pages: Pages) -> None:
    page = pages.open(None)
    hold = _hold_scene_changes(page)
    page.goto(server.url)
    wait_online_state(page)
    layer_id = add_layer(page, "#add-color")
    settle(page)

    hold[0] = True
    server.commit([{"op": "update", "id": layer_id, "patch": {"transform": {"x": 200}}}])
    set_field(page, "transform.x", "5")  # made against the version before the one above

    notice = page.locator(".toast-warning")
    expect(notice).to_contain_text("changed by someone else")
    expect(page.locator("#prop-transform-x")).to_have_value("200")
    layer: dict[str, Any] = server.layer(layer_id)
    assert layer["transform"]["x"] == 200


def test_edit_goes_through_when_only_other_layers_changed(
    server: ServeProcess, pages: Pages
) -> None:
    page = pages.open(None)
    hold = _hold_scene_changes(page)
    page.goto(server.url)
    wait_online_state(page)
    other = add_layer(page, "#add-color")
    mine = add_layer(page, "#add-color")
    settle(page)

    hold[0] = True
    server.commit([{"op": "update", "id": other, "patch": {"name": "Moved on"}}])
    set_field(page, "transform.x", "9")  # stale version, but nobody touched this layer
    settle(page)
    assert server.layer(mine)["transform"]["x"] == 9
    expect(page.locator(f'.layer-item[data-id="{other}"]')).to_contain_text("Moved on")
    expect(page.locator(".toast-warning")).to_have_count(0)
