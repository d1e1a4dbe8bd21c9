"""The page edits the scene: add a text layer, move it, change its opacity, see a validation
error next to its field, nudge and delete with the keyboard, reorder by dragging in the list, drag
and scale on the preview. Every check reads the server's scene back through the API."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.control.web.conftest import (
    Pages,
    ServeProcess,
    add_layer,
    page_version,
    record_commit_statuses,
    record_commits,
    selected_id,
    set_field,
    settle,
)

pytestmark = pytest.mark.browser


def test_page_is_served_at_root_and_shows_the_scene(server: ServeProcess, pages: Pages) -> None:
    page = pages.open(server.url + "/")
    scene = server.get("/scene")
    expect(page).to_have_title("Compositor · Control")
    expect(page.locator("#scene-info")).to_contain_text(f"{scene['width']}×{scene['height']}")
    assert page_version(page) >= scene["version"]
    # One row per layer, the highest z first.
    expect(page.locator(".layer-item")).to_have_count(len(server.get("/scene")["layers"]))


def test_add_text_layer_then_edit_position_and_opacity(server: ServeProcess, pages: Pages) -> None:
    page = pages.open(server.url)
    layer_id = add_layer(page, "#add-text")
    layer = server.layer(layer_id)
    assert layer["kind"] == "text"
    assert layer["content"]["text"] == "New text"
    row = page.locator(f'.layer-item[data-id="{layer_id}"]')
    expect(row).to_have_class(re.compile(r"\bis-selected\b"))

    set_field(page, "transform.x", "40")
    set_field(page, "transform.y", "50")
    set_field(page, "opacity", "0.5")
    settle(page)
    layer = server.layer(layer_id)
    assert (layer["transform"]["x"], layer["transform"]["y"]) == (40, 50)
    assert layer["opacity"] == 0.5
    # The outline on the preview follows: its first corner is the anchor at (40, 50).
    points = page.get_attribute(f'#overlay polygon[data-id="{layer_id}"]', "points")
    assert points is not None and points.startswith("40,50 ")

    page.fill("#prop-content-text", "Hello, air")
    page.locator("#prop-content-text").blur()
    settle(page)
    assert server.layer(layer_id)["content"]["text"] == "Hello, air"


def test_invalid_value_shows_the_server_error_next_to_its_field(
    server: ServeProcess, pages: Pages
) -> None:
    page = pages.open(server.url)
    layer_id = add_layer(page, "#add-color")
    commits = record_commits(page)
    statuses = record_commit_statuses(page)

    set_field(page, "opacity", "2")
    error = page.locator("#prop-opacity-error")
    expect(error).to_contain_text("between 0 and 1")
    expect(page.locator("#prop-opacity")).to_have_attribute("aria-invalid", "true")
    assert server.layer(layer_id)["opacity"] == 1  # the refused commit changed nothing
    # Sent once; resent only when the demo's clock moved the scene on meanwhile (409, the page
    # reloads and retries), never after the 422.
    assert statuses and statuses[-1] == 422 and set(statuses[:-1]) <= {409}, statuses
    assert len(commits) == len(statuses)
    assert all(c["ops"][0]["patch"] == {"opacity": 2} for c in commits)

    set_field(page, "content.color", "#12345")
    expect(page.locator("#prop-content-color-error")).to_contain_text("colour")
    set_field(page, "opacity", "0.25")  # a good value clears its error
    expect(error).to_be_empty()
    settle(page)
    assert server.layer(layer_id)["opacity"] == 0.25


def test_keyboard_nudges_deselects_and_deletes(server: ServeProcess, pages: Pages) -> None:
    page = pages.open(server.url)
    layer_id = add_layer(page, "#add-color")
    start = server.layer(layer_id)["transform"]
    page.focus("#preview")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Shift+ArrowDown")
    settle(page)
    moved = server.layer(layer_id)["transform"]
    assert (moved["x"], moved["y"]) == (start["x"] + 2, start["y"] + 10)

    page.keyboard.press("Escape")
    assert selected_id(page) is None
    page.click(f'.layer-item[data-id="{layer_id}"] .layer-name')
    page.keyboard.press("Delete")
    dialog = page.locator("#confirm-dialog")
    expect(dialog).to_be_visible()
    page.keyboard.press("Escape")  # cancel keeps the layer
    expect(dialog).to_be_hidden()
    assert server.layer(layer_id)["id"] == layer_id
    page.keyboard.press("Delete")
    page.click("#confirm-ok")
    expect(page.locator(f'.layer-item[data-id="{layer_id}"]')).to_have_count(0)
    ids = [layer["id"] for layer in server.get("/scene")["layers"]]
    assert layer_id not in ids


def test_list_rename_hide_duplicate_and_reorder_by_drag(server: ServeProcess, pages: Pages) -> None:
    page = pages.open(server.url)
    low = add_layer(page, "#add-color")
    high = add_layer(page, "#add-text")
    row = page.locator(f'.layer-item[data-id="{low}"]')

    row.locator(".layer-name").dblclick()
    page.fill(".rename-input", "Backdrop")
    page.keyboard.press("Enter")
    expect(row.locator(".layer-name")).to_contain_text("Backdrop")
    row.locator('[data-role="visible"]').click()
    expect(row).to_have_class(re.compile(r"\bis-hidden\b"))

    # Drag the lower layer above the higher one: one commit gives both their new z. First let
    # the page hear the echoes of the edits above: each one redraws the list, and a row
    # replaced in the middle of a drag drops nothing (the drag failed so under load).
    settle(page)
    version = server.get("/scene")["version"]
    page.wait_for_function("(v) => window.compositor.state.scene.version >= v", arg=version)
    commits = record_commits(page)
    row.drag_to(page.locator(f'.layer-item[data-id="{high}"]'), target_position={"x": 20, "y": 2})
    page.wait_for_function("(low) => window.compositor.state.layer(low).z >"
                           " Math.max(...window.compositor.state.scene.layers"
                           ".filter((l) => l.id !== low).map((l) => l.z))", arg=low)
    settle(page)
    assert len(commits) == 1, commits
    assert {op["id"] for op in commits[0]["ops"]} >= {low, high}
    z = {layer["id"]: layer["z"] for layer in server.get("/scene")["layers"]}
    assert z[low] > z[high]
    assert server.layer(low)["name"] == "Backdrop"
    assert server.layer(low)["visible"] is False
    expect(page.locator(".layer-item").first).to_have_attribute("data-id", low)

    row.locator('[data-role="duplicate"]').click()
    page.wait_for_function("(id) => window.compositor.state.selectedId !== id", arg=low)
    copy = selected_id(page)
    assert copy is not None
    assert server.layer(copy)["name"] == "Backdrop copy"


def test_drag_moves_and_handle_scales_on_the_preview(server: ServeProcess, pages: Pages) -> None:
    page = pages.open(server.url)
    layer_id = add_layer(page, "#add-color")
    page.keyboard.press("Escape")
    # Put the layer on top of everything so that a click on it hits it.
    settle(page)
    start = server.layer(layer_id)["transform"]  # 32,18 80x36 on the 320x180 canvas
    box = page.locator("#preview").bounding_box()
    assert box is not None
    px_per_canvas = box["width"] / 320

    def screen(x: float, y: float) -> tuple[float, float]:
        return box["x"] + x * px_per_canvas, box["y"] + y * px_per_canvas

    inside = screen(start["x"] + 10, start["y"] + 10)
    page.mouse.move(*inside)
    page.mouse.down()
    for step in range(1, 6):  # 20 canvas px right, 10 down, in steps like a hand would
        page.mouse.move(inside[0] + 4 * step * px_per_canvas, inside[1] + 2 * step * px_per_canvas)
    page.mouse.up()
    settle(page)
    assert selected_id(page) == layer_id
    moved = server.layer(layer_id)["transform"]
    assert abs(moved["x"] - (start["x"] + 20)) <= 1
    assert abs(moved["y"] - (start["y"] + 10)) <= 1

    # The bottom-right handle doubles the box; the top-left corner stays.
    # The overlay is redrawn on every change of the page's state (the move's own echo among
    # them): wait until the handle is there rather than reading it mid-change.
    locator = page.locator('#overlay rect[data-handle="1,1"]')
    locator.wait_for(state="visible", timeout=5000)
    handle = locator.bounding_box()
    assert handle is not None
    corner = (handle["x"] + handle["width"] / 2, handle["y"] + handle["height"] / 2)
    width, height = moved["width"], moved["height"]
    page.mouse.move(*corner)
    page.mouse.down()
    page.mouse.move(corner[0] + width * px_per_canvas / 2, corner[1] + height * px_per_canvas / 2)
    page.mouse.move(corner[0] + width * px_per_canvas, corner[1] + height * px_per_canvas)
    page.mouse.up()
    settle(page)
    scaled = server.layer(layer_id)["transform"]
    assert scaled["scale_x"] == pytest.approx(2.0, abs=0.05)
    assert scaled["scale_y"] == pytest.approx(2.0, abs=0.05)
    assert (scaled["x"], scaled["y"]) == pytest.approx((moved["x"], moved["y"]), abs=0.5)


def test_the_panel_takes_its_choices_and_bounds_from_the_server(
    server: ServeProcess, pages: Pages
) -> None:
    page = pages.open(server.url)
    add_layer(page, "#add-text")
    limits = server.get("/limits")

    def options(path: str) -> list[str]:
        selector = "#prop-" + path.replace(".", "-") + " option"
        values = page.eval_on_selector_all(selector, "options => options.map((o) => o.value)")
        return [str(value) for value in values]

    assert options("content.font")[: len(limits["fonts"])] == limits["fonts"]
    assert options("content.align") == limits["choices"]["align"]
    assert options("blend") == limits["choices"]["blend"]
    for path in ("content.size_px", "transform.x", "opacity", "z"):
        field = page.locator("#prop-" + path.replace(".", "-"))
        bounds = limits["numbers"][path]
        expect(field).to_have_attribute("min", str(bounds["minimum"]))
        expect(field).to_have_attribute("max", str(bounds["maximum"]))
