"""The page on a 1366×768 laptop screen: it fits without scrolling, and its screenshots.

``scripts/screenshots`` runs this with ``COMPOSITOR_SCREENSHOTS_DIR=docs/screenshots`` to refresh
the README's pictures; otherwise they go to the test's temporary folder (and are still checked).
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import FilePayload, Page, expect

from tests.control.web.conftest import VIEWPORT, Pages, ServeProcess, add_layer, set_field, settle
from tests.rtmp_server import RtmpServer

pytestmark = pytest.mark.browser


def logo_png() -> bytes:
    """A small station bug: a rounded gradient badge."""
    width, height = 96, 40
    ramp = np.linspace(0, 1, width)[None, :, None]
    colours = (1 - ramp) * np.array([229, 72, 77]) + ramp * np.array([255, 160, 40])
    pixels = np.repeat(colours, height, axis=0).astype(np.uint8)
    image = Image.fromarray(pixels, "RGB").convert("RGBA")
    mask = Image.new("L", (width, height), 0)
    ImageDraw.Draw(mask).rounded_rectangle((0, 0, width - 1, height - 1), radius=10, fill=255)
    image.putalpha(mask)
    ImageDraw.Draw(image).text((14, 12), "LIVE 24", fill=(255, 255, 255, 255))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def screenshot_dir(tmp_path: Path) -> Path:
    folder = os.environ.get("COMPOSITOR_SCREENSHOTS_DIR")
    path = Path(folder) if folder else tmp_path
    path.mkdir(parents=True, exist_ok=True)
    return path


def assert_fits_the_screen(page: Page) -> None:
    size = page.evaluate("[document.documentElement.scrollWidth,"
                         " document.documentElement.scrollHeight]")
    assert size[0] <= VIEWPORT["width"] and size[1] <= VIEWPORT["height"], size


def test_screenshot_of_the_page(server: ServeProcess, pages: Pages, tmp_path: Path) -> None:
    out = screenshot_dir(tmp_path)
    page = pages.open(server.url)
    logo: FilePayload = {"name": "station-bug.png", "mimeType": "image/png", "buffer": logo_png()}
    page.set_input_files("#asset-file", files=[logo])
    card = page.locator(".asset-card", has_text="station-bug.png")
    card.get_by_role("button", name="Add station-bug.png to the scene").click()
    page.wait_for_function("window.compositor.state.selectedId?.startsWith('image-')")
    set_field(page, "transform.x", "268")
    set_field(page, "transform.y", "28")
    set_field(page, "transform.scale_x", "0.8")
    set_field(page, "transform.scale_y", "0.8")

    text_id = add_layer(page, "#add-text")
    page.fill("#prop-content-text", "Breaking: live from the studio")
    page.locator("#prop-content-text").blur()
    set_field(page, "name", "Lower third")
    set_field(page, "content.size_px", "14")
    settle(page)
    assert text_id
    with RtmpServer() as rtmp:  # on air, so the output panel shows real figures
        page.fill("#output-url", rtmp.url("studio-key"))
        page.click("#output-start")
        expect(page.locator("#output-state")).to_have_attribute("data-state", "live",
                                                                timeout=20_000)
        expect(page.locator("#stat-bitrate")).to_have_attribute("data-source", "measured")
        page.locator("#prop-transform-x").focus()
        assert_fits_the_screen(page)
        page.screenshot(path=str(out / "page.png"))
        page.click("#output-stop")
        expect(page.locator("#output-state")).to_have_attribute("data-state", "idle")

    set_field(page, "opacity", "2")
    expect(page.locator("#prop-opacity-error")).to_contain_text("between 0 and 1")
    page.screenshot(path=str(out / "validation-error.png"))

    for name in ("page.png", "validation-error.png"):
        with Image.open(out / name) as image:
            assert image.size == (VIEWPORT["width"], VIEWPORT["height"])
