"""Clips from the page (issue 13): uploading a video clip and a sound file shows their facts and
a thumbnail; "+ Video" and "+ Audio" add layers that play from the frame they land on; the clip
transport (play from start, loop, mute), trim, end behaviour and the volume fader commit what the
contract says, against a real ``compositor serve`` with media made by the ffmpeg CLI."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import FilePayload, Page, expect

from tests.control.web.conftest import (
    Pages,
    ServeProcess,
    record_commits,
    selected_id,
    set_field,
    settle,
)
from tests.media_factory import MediaCache, color_of_index

pytestmark = pytest.mark.browser

FPS = 30  # the test server's channel
FADE_FRAMES = 6  # Actions.FADE_S (0.2 s) at 30 fps


def payload(path: Path, name: str, mime: str) -> FilePayload:
    return {"name": name, "mimeType": mime, "buffer": path.read_bytes()}


def upload_clips(page: Page, media: MediaCache, tag: str, tone_hz: float) -> tuple[str, str]:
    """Upload a 160×90 25 fps 2 s counter clip with sound and a 2 s WAV tone (sent with no type:
    the page names it from the extension); returns their card names. Assets are content
    addressed, so each test passes its own ``tone_hz``: files of their own, with their names."""
    clip, sound = f"counter-{tag}.mp4", f"tone-{tag}.wav"
    page.set_input_files("#asset-file", files=[
        payload(media.counter(fps=25, seconds=2.0, size=(160, 90), tone_hz=tone_hz), clip,
                "video/mp4"),
        payload(media.audio(".wav", seconds=2.0, tone_hz=tone_hz), sound, ""),
    ])
    # Stored cards (with an id), not the placeholders shown while uploading.
    expect(page.locator(".asset-card[data-id]", has_text=clip)).to_be_visible(timeout=20_000)
    expect(page.locator(".asset-card[data-id]", has_text=sound)).to_be_visible(timeout=20_000)
    return clip, sound


def add_from_dialog(page: Page, button: str, label: str, prefix: str) -> str:
    before = selected_id(page)
    page.click(button)
    expect(page.locator("#asset-dialog")).to_be_visible()
    page.select_option("#asset-pick", label=label)
    page.click("#asset-pick-ok")
    page.wait_for_function("([before, prefix]) => { const id = window.compositor.state.selectedId;"
                           " return id && id !== before && id.startsWith(prefix); }",
                           arg=[before, prefix])
    layer_id = selected_id(page)
    assert layer_id is not None
    return layer_id


def local_layer(page: Page, layer_id: str) -> dict[str, Any]:
    layer: dict[str, Any] = page.evaluate("(id) => window.compositor.state.layer(id)", layer_id)
    return layer


def wait_local_matches_server(page: Page, server: ServeProcess, layer_id: str) -> dict[str, Any]:
    """Until the page's copy of the layer's content is the server's (the start frame that only
    the server knows included); returns the server's layer."""
    layer = server.layer(layer_id)
    page.wait_for_function(
        "([id, content]) => JSON.stringify(window.compositor.state.layer(id)?.content)"
        " === JSON.stringify(content)", arg=[layer_id, layer["content"]])
    return layer


def thumbnail_pixel(page: Page, card_text: str) -> list[int]:
    """The middle pixel of a card's thumbnail as the page shows it."""
    card = page.locator(".asset-card", has_text=card_text)
    card.locator("img").wait_for()
    page.wait_for_function("(name) => { const card = [...document.querySelectorAll('.asset-card')]"
                           ".find((c) => c.textContent.includes(name));"
                           " const img = card?.querySelector('img');"
                           " return img && img.complete && img.naturalWidth > 0; }", arg=card_text)
    pixel: list[int] = card.locator("img").evaluate("""(img) => {
        const canvas = document.createElement('canvas');
        canvas.width = img.naturalWidth; canvas.height = img.naturalHeight;
        const g = canvas.getContext('2d');
        g.drawImage(img, 0, 0);
        return [...g.getImageData(img.naturalWidth >> 1, img.naturalHeight >> 1, 1, 1).data];
    }""")
    return pixel


def test_uploaded_clip_and_sound_show_facts_and_thumbnail(
    server: ServeProcess, pages: Pages, media: MediaCache
) -> None:
    page = pages.open(server.url)
    clip, sound = upload_clips(page, media, "facts", 1000.0)
    card = page.locator(".asset-card", has_text=clip)
    expect(card).to_have_attribute("data-kind", "video")
    for fact in ("160×90", "25 fps", "2.0 s"):
        expect(card.locator(".asset-meta")).to_contain_text(fact)
    expect(card.locator(".asset-duration")).to_have_text("2.0 s")
    expect(card.locator(".asset-sound")).to_be_visible()  # the clip has sound
    # The thumbnail is the clip's first frame: counter frame 0's colour.
    pixel = thumbnail_pixel(page, clip)
    assert all(abs(pixel[i] - color_of_index(0)[i]) <= 12 for i in range(3)), pixel

    sound_card = page.locator(".asset-card", has_text=sound)
    expect(sound_card).to_have_attribute("data-kind", "audio")
    expect(sound_card.locator(".audio-thumb svg")).to_be_visible()
    expect(sound_card.locator(".asset-meta")).to_contain_text("2.0 s")
    stored = {a["name"]: a for a in server.get("/assets")["assets"]}
    assert stored[sound]["kind"] == "audio"
    assert stored[clip]["kind"] == "video" and stored[clip]["has_audio"] is True


def test_video_layer_transport_trim_and_volume(
    server: ServeProcess, pages: Pages, media: MediaCache
) -> None:
    page = pages.open(server.url)
    other = pages.open(server.url)  # a second operator: their copy must follow the start frames
    clip, _ = upload_clips(page, media, "transport", 1100.0)
    layer_id = add_from_dialog(page, "#add-video", f"{clip} · 160×90 · 2.0 s", "video-")
    layer = wait_local_matches_server(page, server, layer_id)
    assert layer["kind"] == "video"
    assert isinstance(layer["content"]["start_frame"], int)  # landed: the server wrote the frame
    wait_local_matches_server(other, server, layer_id)
    expect(page.locator(f'#overlay polygon[data-id="{layer_id}"]')).to_have_count(1)
    bar = page.locator(".clip-bar")
    expect(bar.locator(".clip-facts")).to_contain_text("25 fps")
    expect(bar.locator(".clip-position")).not_to_have_text("")

    commits = record_commits(page)
    started = layer["content"]["start_frame"]
    bar.locator("[data-role=restart]").click()
    settle(page)
    assert commits[-1]["ops"] == [
        {"op": "update", "id": layer_id, "patch": {"content": {"start_frame": None}}}]
    restarted = wait_local_matches_server(page, server, layer_id)
    assert restarted["content"]["start_frame"] > started
    wait_local_matches_server(other, server, layer_id)

    bar.locator("[data-role=loop]").click()
    expect(bar.locator("[data-role=loop]")).to_have_attribute("aria-pressed", "true")
    bar.locator("[data-role=mute]").click()
    expect(bar.locator("[data-role=mute]")).to_have_attribute("aria-pressed", "true")
    expect(page.locator(f'.layer-item[data-id="{layer_id}"] .layer-meta')).to_contain_text("muted")
    settle(page)
    content = wait_local_matches_server(page, server, layer_id)["content"]
    assert content["loop"] is True and content["muted"] is True

    set_field(page, "content.in_s", "0.5")
    set_field(page, "content.out_s", "1.5")
    page.select_option("#prop-content-on_end", "hide")
    settle(page)
    content = server.layer(layer_id)["content"]
    assert (content["in_s"], content["out_s"], content["on_end"]) == (0.5, 1.5, "hide")
    set_field(page, "content.out_s", "0.25")  # before the in point: refused, shown at the field
    expect(page.locator("#prop-content-out_s-error")).to_contain_text("greater than in_s")
    assert server.layer(layer_id)["content"]["out_s"] == 1.5

    # The fader: every move is a short fade, and so is letting go of it.
    fader = page.locator('[data-field="content.volume"] input[type=range]')
    fader.fill("0.5")
    settle(page)
    volume_ops = [op for body in commits for op in body["ops"]
                  if op.get("patch", {}).get("content", {}).get("volume") is not None]
    assert volume_ops and volume_ops[-1]["patch"] == {"content": {"volume": 0.5}}
    assert all(op["animate"] == {"duration_frames": FADE_FRAMES, "easing": "linear"}
               for op in volume_ops)
    assert server.layer(layer_id)["content"]["volume"] == 0.5
    set_field(page, "content.volume", "1.5")  # typed: a fade too
    settle(page)
    assert commits[-1]["ops"][0]["animate"]["duration_frames"] == FADE_FRAMES
    assert server.layer(layer_id)["content"]["volume"] == 1.5
    # The demo clock commits every second, so many of these commits were rebased: none of them
    # may have been reported as someone else's change (the server-only start frame and tweens).
    expect(page.locator(".toast-warning")).to_have_count(0)


def test_audio_layer_has_no_box(server: ServeProcess, pages: Pages, media: MediaCache) -> None:
    page = pages.open(server.url)
    _, sound = upload_clips(page, media, "audio", 1200.0)
    layer_id = add_from_dialog(page, "#add-audio", f"{sound} · 2.0 s", "audio-")
    layer = wait_local_matches_server(page, server, layer_id)
    assert layer["kind"] == "audio" and isinstance(layer["content"]["start_frame"], int)
    expect(page.locator(".props-kind")).to_have_text("Audio layer")
    expect(page.locator(".clip-bar [data-role=restart]")).to_be_visible()
    expect(page.locator("#prop-content-volume")).to_be_visible()
    expect(page.locator("#prop-content-on_end")).to_have_count(0)  # no last frame to hold
    # Sound only: nothing to place, so no transform fields and no outline on the preview.
    expect(page.locator("#prop-transform-x")).to_have_count(0)
    expect(page.locator(f'#overlay [data-id="{layer_id}"]')).to_have_count(0)
    # The card's Add button makes the same kind of layer.
    card = page.locator(".asset-card", has_text=sound)
    card.get_by_role("button", name=f"Add {sound} to the scene").click()
    page.wait_for_function("(id) => window.compositor.state.selectedId?.startsWith('audio-')"
                           " && window.compositor.state.selectedId !== id", arg=layer_id)


def test_live_input_layer_has_no_transport(server: ServeProcess, pages: Pages) -> None:
    page = pages.open(server.url)
    with server.client() as client:  # a layer may only name an input that exists
        created = client.post("/api/v1/inputs", json={"id": "cam1",
                                                      "url": "udp://127.0.0.1:9"})
        assert created.status_code in (201, 409), created.text
    server.commit([{"op": "add", "layer": {"id": "camera-1", "kind": "video",
                                           "content": {"input": "cam1"}}}])
    page.locator('.layer-item[data-id="camera-1"] .layer-name').click()
    expect(page.locator("#prop-content-input")).to_have_value("cam1")
    expect(page.locator(".clip-bar [data-role=mute]")).to_be_visible()
    # Nothing to restart, loop or trim on a live input.
    for gone in (".clip-bar [data-role=restart]", ".clip-bar [data-role=loop]",
                 "#prop-content-in_s", "#prop-content-asset"):
        expect(page.locator(gone)).to_have_count(0)
    page.locator(".clip-bar [data-role=mute]").click()
    expect(page.locator(".clip-bar [data-role=mute]")).to_have_attribute("aria-pressed", "true")
    settle(page)
    assert server.layer("camera-1")["content"] == {"input": "cam1", "volume": 1.0, "muted": True}
    server.commit([{"op": "remove", "id": "camera-1"}])  # the server is shared by the module
    with server.client() as client:
        assert client.delete("/api/v1/inputs/cam1").status_code == 204
