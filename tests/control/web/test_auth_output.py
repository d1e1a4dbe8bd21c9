"""The API token flow (asked once, kept for the tab's session) and the output controls (start to
a URL whose key stays hidden, the redacted URL and the state shown, stop)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.control.web.conftest import Pages, ServeProcess, wait_online_state
from tests.rtmp_server import RtmpServer

pytestmark = pytest.mark.browser

TOKEN = "s3cret-token"


@pytest.fixture
def token_server(tmp_path: Path) -> Iterator[ServeProcess]:
    process = ServeProcess(tmp_path / "data", token=TOKEN)
    process.start()
    yield process
    process.stop()


def test_token_is_asked_once_and_kept_for_the_session(
    token_server: ServeProcess, pages: Pages
) -> None:
    page = pages.open(token_server.url, wait_online=False)
    dialog = page.locator("#token-dialog")
    expect(dialog).to_be_visible()

    page.fill("#token-input", "wrong")
    page.keyboard.press("Enter")
    expect(page.locator("#token-message")).to_contain_text("not accepted")
    expect(dialog).to_be_visible()

    page.fill("#token-input", TOKEN)
    page.keyboard.press("Enter")
    wait_online_state(page)
    expect(dialog).to_be_hidden()
    expect(page.locator(".layer-item")).to_have_count(len(token_server.get("/scene")["layers"]))
    page.wait_for_function("Number(document.querySelector('#preview').dataset.frames) > 0")

    page.reload()  # same tab: the token is remembered, nothing is asked
    wait_online_state(page)
    expect(dialog).to_be_hidden()
    stored = page.evaluate("sessionStorage.getItem('compositor.apiToken')")
    assert stored == TOKEN


def test_output_goes_live_with_the_key_hidden_then_stops(
    server: ServeProcess, pages: Pages
) -> None:
    page = pages.open(server.url)
    url_input = page.locator("#output-url")
    expect(url_input).to_have_attribute("type", "password")
    badge = page.locator("#output-state")
    with RtmpServer() as rtmp:
        url_input.fill(rtmp.url("the-stream-key"))
        page.click("#output-start")
        expect(badge).to_have_attribute("data-state", "live", timeout=20_000)
        expect(page.locator("#onair-pill")).to_have_text("On air")
        destination = page.locator("#stat-url")
        expect(destination).to_contain_text(f"rtmp://127.0.0.1:{rtmp.port}/live/")
        # The key was typed into a password field and the server shows it redacted.
        assert "the-stream-key" not in (page.locator("#output-stats").text_content() or "")
        bitrate = page.locator("#stat-bitrate")
        expect(bitrate).to_have_attribute("data-source", "measured")
        expect(bitrate).to_contain_text("b/s")
        expect(page.locator("#stat-frames")).not_to_have_text("0")

        page.click("#output-stop")
        expect(badge).to_have_attribute("data-state", "idle")
        assert server.get("/output")["state"] == "idle"

    page.fill("#output-url", "http://not-rtmp/x")
    page.click("#output-start")
    expect(page.locator("#output-error")).to_contain_text("rtmp")
