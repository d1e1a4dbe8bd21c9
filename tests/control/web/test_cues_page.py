"""The page's preview monitor and cue buttons (js/cues.js) in Chromium against a real server:
a cue button shows the cue on PVW without committing anything, Take commits it once."""

from __future__ import annotations

import httpx
from playwright.sync_api import expect

from tests.control.web.conftest import Pages, ServeProcess


def test_cue_button_previews_and_take_commits_once(own_server: ServeProcess,
                                                    pages: Pages) -> None:
    with own_server.client() as client:
        created = client.post("/api/v1/cues", json={"id": "web-box", "name": "Web box", "ops": [
            {"op": "add", "layer": {"id": "web-box", "kind": "color",
                                    "content": {"color": "#20E020"},
                                    "transform": {"x": 0, "y": 0, "width": 320,
                                                  "height": 180}}}]})
        assert created.status_code == 201, created.text
    page = pages.open(own_server.url)
    button = page.locator("#cue-list button[data-cue=web-box]")
    expect(button).to_have_text("Web box", timeout=15_000)
    button.click()
    expect(page.locator("#pvw-img")).to_have_attribute("data-cue", "web-box", timeout=15_000)
    # PVW shows the green box although nothing was committed.
    green = page.evaluate("""() => {
        const img = document.querySelector('#pvw-img');
        const canvas = document.createElement('canvas');
        canvas.width = img.naturalWidth; canvas.height = img.naturalHeight;
        const ctx = canvas.getContext('2d');
        ctx.drawImage(img, 0, 0);
        return Array.from(ctx.getImageData(canvas.width >> 1, canvas.height >> 1, 1, 1).data);
    }""")
    assert green[1] > 180 and green[0] < 90 and green[2] < 90, green
    assert all(layer["id"] != "web-box" for layer in own_server.get("/scene")["layers"])
    page.locator("#cue-take").click()
    expect(page.locator("#pvw-status")).to_contain_text("taken", timeout=15_000)
    taken = int(page.locator("#cue-take").get_attribute("data-version") or 0)
    assert any(layer["id"] == "web-box" for layer in own_server.get("/scene")["layers"])
    with httpx.Client(base_url=own_server.url, timeout=10) as client:
        entries = client.get("/api/v1/as-run").json()["entries"]
    takes = [e for e in entries if e.get("cue") == "web-box"]
    assert [(e["version"], e["source"]) for e in takes] == [(taken, "cue")]  # taken once
