"""The program audio meters on the page follow GET /api/v1/output's ``audio.peak_dbfs``: a
looping tone at half scale reads -6 dBFS on both bars (90 % of the -60..0 scale), and muting the
layer brings them down to silence within the meters' one-second window and the polling."""

from __future__ import annotations

import math

import pytest
from playwright.sync_api import Page, expect

from tests.control.web.conftest import Pages, ServeProcess, wait_online_state
from tests.media_factory import MediaCache

pytestmark = pytest.mark.browser

HALF_SCALE_DBFS = 20 * math.log10(0.5)  # a sine of amplitude 0.5: -6.02 dBFS
METER_DEADLINE_MS = 20_000  # the clip is prepared, lands, plays, and a poll reads it


def meter_levels(page: Page) -> list[float | None]:
    levels: list[float | None] = page.evaluate("""() => [
        ...document.querySelectorAll('#audio-meters .meter')]
        .map((m) => m.dataset.dbfs === '' ? null : Number(m.dataset.dbfs))""")
    return levels


def wait_levels(page: Page, low: float, high: float) -> None:
    page.wait_for_function("""([low, high]) => {
        const bars = [...document.querySelectorAll('#audio-meters .meter')];
        return bars.length === 2 && bars.every((m) => m.dataset.dbfs !== ''
            && Number(m.dataset.dbfs) >= low && Number(m.dataset.dbfs) <= high);
    }""", arg=[low, high], timeout=METER_DEADLINE_MS)


def test_meters_read_the_program_audio(own_server: ServeProcess, pages: Pages,
                                       media: MediaCache) -> None:
    page = pages.open(own_server.url)
    wait_online_state(page)
    meters = page.locator("#audio-meters")
    expect(meters.locator(".meter")).to_have_count(2)
    # Nothing plays: the server reports silence (its -120 dBFS floor), shown as an empty bar.
    wait_levels(page, -200.0, -100.0)
    expect(meters).to_have_attribute("data-state", "reading")
    expect(meters.locator(".meter-value").first).to_have_text("-inf")

    tone = media.audio(".wav", seconds=1.0, amplitude=0.5, tone_hz=440.0)
    with own_server.client() as client:
        response = client.post("/api/v1/assets", content=tone.read_bytes(),
                               headers={"Content-Type": "audio/wav"})
        assert response.status_code == 201, response.text
        asset_id = response.json()["id"]
    own_server.commit([{"op": "add", "layer": {
        "id": "bed", "kind": "audio", "content": {"asset": asset_id, "loop": True}}}])
    wait_levels(page, HALF_SCALE_DBFS - 1.0, HALF_SCALE_DBFS + 0.5)
    for bar in meters.locator(".meter").all():
        expect(bar.locator(".meter-value")).to_have_text("-6.0")
        width = bar.locator(".meter-mask").evaluate("(m) => parseFloat(m.style.width)")
        assert width == pytest.approx(10.0, abs=2.0)  # -6 dBFS fills 90 % of -60..0
        assert -7.0 <= float(bar.get_attribute("aria-valuenow") or "nan") <= -5.0

    own_server.commit([{"op": "update", "id": "bed", "patch": {"content": {"muted": True}}}])
    wait_levels(page, -200.0, -100.0)
    assert all(level is not None and level < -100 for level in meter_levels(page))
