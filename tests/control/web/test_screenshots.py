"""The page on a 1366×768 laptop screen: it fits without scrolling, and its screenshots (the
page on air with a logo and a lower third; a validation error; a looping clip with the meters).

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
from tests.media_factory import MediaCache
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


def test_screenshot_of_a_clip_layer(server: ServeProcess, pages: Pages, media: MediaCache,
                                    tmp_path: Path) -> None:
    out = screenshot_dir(tmp_path)
    page = pages.open(server.url)
    clip = media.counter(fps=25, seconds=3.0, size=(160, 90), tone_hz=660.0)
    files: list[FilePayload] = [
        {"name": "countdown.mp4", "mimeType": "video/mp4", "buffer": clip.read_bytes()},
        {"name": "music-bed.wav", "mimeType": "audio/wav",
         "buffer": media.audio(".wav", seconds=2.0, tone_hz=330.0, amplitude=0.25).read_bytes()},
    ]
    page.set_input_files("#asset-file", files=files)
    card = page.locator(".asset-card[data-id]", has_text="countdown.mp4")
    card.get_by_role("button", name="Add countdown.mp4 to the scene").click()
    page.wait_for_function("window.compositor.state.selectedId?.startsWith('video-')")
    page.locator(".clip-bar [data-role=loop]").click()
    expect(page.locator(".clip-position")).to_contain_text("looping")
    expect(page.locator("#audio-meters")).to_have_attribute("data-state", "reading")
    page.wait_for_function("Number(document.querySelector('#audio-meters .meter').dataset.dbfs)"
                           " > -20", timeout=20_000)  # the clip's tone is on air
    # The bars have finished moving (a short CSS transition) to where their level says.
    page.wait_for_function("""() => [...document.querySelectorAll('#audio-meters .meter')]
        .every((m) => { const track = m.querySelector('.meter-track').getBoundingClientRect();
                        const mask = m.querySelector('.meter-mask').getBoundingClientRect();
                        return Math.abs(mask.width / track.width
                                        - parseFloat(m.querySelector('.meter-mask').style.width)
                                        / 100) < 0.02; })""")
    expect(page.locator(".asset-card[data-id]", has_text="music-bed.wav")).to_be_visible()
    settle(page)
    assert_fits_the_screen(page)
    page.screenshot(path=str(out / "clips.png"))
    with Image.open(out / "clips.png") as image:
        assert image.size == (VIEWPORT["width"], VIEWPORT["height"])
