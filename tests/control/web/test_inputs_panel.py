"""The inputs panel: an input added by URL appears with its state light; with a sender on a
local nginx-rtmp it turns live, shows its media age, what arrives and a thumbnail of the
sender's colour; "Show" adds a video layer with the input; a bad URL is refused with the
server's reason; deleting asks first and is refused while a layer shows the input."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.compositor.inputs.senders import Sender
from tests.control.web.conftest import Pages, ServeProcess, wait_online_state
from tests.media_factory import ffmpeg_available
from tests.rtmp_server import RtmpServer, rtmp_available

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not rtmp_available() or not ffmpeg_available(),
                                 reason="needs nginx-rtmp and the ffmpeg CLI")]


def test_inputs_panel(server: ServeProcess, pages: Pages) -> None:
    page = pages.open(server.url)
    wait_online_state(page)
    panel = page.locator("#inputs-panel")
    expect(panel.locator("h2")).to_have_text("Inputs")

    page.fill("#input-url", "ftp://nowhere/x")
    page.click("#input-add")
    expect(panel.locator(".output-error")).to_contain_text("rtmp://")  # checked on the page
    page.fill("#input-url", "rtmp:///live/x")
    page.click("#input-add")
    expect(panel.locator(".output-error")).to_contain_text("url: rtmp:// needs a host")

    with RtmpServer() as rtmp, Sender(rtmp.url("web-cam-key"), "flv", color="E09020"):
        page.fill("#input-url", rtmp.url("web-cam-key"))
        page.click("#input-add")
        card = panel.locator(".input-card")
        expect(card).to_have_count(1)
        expect(card.locator(".input-url")).to_contain_text("/live/****")
        expect(card).to_have_attribute("data-state", "live", timeout=30_000)
        expect(card.locator(".input-what")).to_contain_text("320×180", timeout=5_000)
        expect(card.locator(".input-age")).to_contain_text("ago")
        light = card.locator(".input-light").evaluate(
            "(e) => getComputedStyle(e).backgroundColor")
        assert light == "rgb(48, 164, 108)"  # --ok
        image = card.locator(".input-thumb-img")
        expect(image).to_be_visible(timeout=10_000)
        src = image.get_attribute("src") or ""
        data = page.evaluate("""async (src) => {
            const bytes = new Uint8Array(await (await fetch(src)).arrayBuffer());
            return Array.from(bytes);
        }""", src)
        thumb = Image.open(io.BytesIO(bytes(data))).convert("RGB").resize((1, 1))
        rgb = tuple(int(v) for v in thumb.tobytes())
        assert max(abs(a - b) for a, b in zip(rgb, (0xE0, 0x90, 0x20), strict=True)) <= 16

        input_id = card.get_attribute("data-id")
        card.locator("[data-role=show]").click()
        page.wait_for_function("""(id) => window.compositor.state.scene.layers.some(
            (l) => l.kind === 'video' && l.content.input === id)""", arg=input_id)
        card.locator("[data-role=delete]").click()
        page.locator("#confirm-ok").click()
        expect(page.locator("#toasts")).to_contain_text("remove them first")
        expect(card).to_have_count(1)
