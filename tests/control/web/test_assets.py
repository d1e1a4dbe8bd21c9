"""Assets from the page: upload with the file picker and by drag and drop, the gallery's facts,
an image layer that changes the program preview, and the 409 shown when deleting a used asset."""

from __future__ import annotations

import base64
import io
import time

import numpy as np
import pytest
from PIL import Image
from playwright.sync_api import FilePayload, Page, expect

from tests.control.web.conftest import Pages, ServeProcess, selected_id, settle

pytestmark = pytest.mark.browser

PREVIEW_DEADLINE_S = 10.0


def png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    image = Image.new("RGB", (width, height), rgb)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def shown_preview(page: Page) -> np.ndarray:
    """The JPEG the page's preview <img> shows right now, decoded (what the operator sees,
    without the outlines drawn over it)."""
    data = page.evaluate("""async () => {
        const response = await fetch(document.querySelector('#preview-img').src);
        const bytes = new Uint8Array(await response.arrayBuffer());
        let text = '';
        for (const b of bytes) text += String.fromCharCode(b);
        return btoa(text);
    }""")
    with Image.open(io.BytesIO(base64.b64decode(data))) as image:
        return np.asarray(image.convert("RGB"), dtype=np.float64)


def test_upload_image_and_see_it_in_the_preview(server: ServeProcess, pages: Pages) -> None:
    page = pages.open(server.url)
    page.wait_for_function("Number(document.querySelector('#preview').dataset.frames) > 0")
    before = shown_preview(page)

    # A 64×36 pure green image (a colour the demo scene does not use in the middle).
    green: FilePayload = {
        "name": "green-box.png", "mimeType": "image/png", "buffer": png(64, 36, (0, 255, 0)),
    }
    page.set_input_files("#asset-file", files=[green])
    card = page.locator(".asset-card", has_text="green-box.png")
    expect(card).to_contain_text("64×36")
    expect(card).to_contain_text("B")  # a size in bytes

    # Add it with the "+ Image" dialog (the card's own Add button is used below).
    page.click("#add-image")
    expect(page.locator("#asset-dialog")).to_be_visible()
    page.select_option("#asset-pick", label="green-box.png · 64×36")
    page.click("#asset-pick-ok")
    page.wait_for_function("window.compositor.state.selectedId?.startsWith('image-')")
    layer_id = selected_id(page)
    assert layer_id is not None
    layer = server.layer(layer_id)
    assert layer["kind"] == "image"
    assert server.get("/assets")["assets"]

    # The program changes where the image went: the middle of the canvas turns green.
    deadline = time.monotonic() + PREVIEW_DEADLINE_S
    while True:
        after = shown_preview(page)
        h, w = after.shape[:2]
        middle = after[h // 2 - h // 12: h // 2 + h // 12, w // 2 - w // 12: w // 2 + w // 12]
        mean = middle.mean(axis=(0, 1))
        if mean[1] > 200 and mean[0] < 60 and mean[2] < 60:
            break
        assert time.monotonic() < deadline, f"preview middle is {mean}, not green"
        page.wait_for_timeout(100)
    assert np.abs(after - before).mean() > 1.0


def test_drop_upload_and_deleting_a_used_asset_is_refused(
    server: ServeProcess, pages: Pages
) -> None:
    page = pages.open(server.url)
    # Drag and drop a file onto the assets panel, as a file manager would.
    data = base64.b64encode(png(20, 10, (200, 30, 30))).decode()
    page.evaluate("""(data) => {
        const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
        const transfer = new DataTransfer();
        transfer.items.add(new File([bytes], 'dropped-red.png', { type: 'image/png' }));
        const zone = document.querySelector('#asset-dropzone');
        for (const type of ['dragenter', 'dragover', 'drop']) {
            const init = { dataTransfer: transfer, bubbles: true, cancelable: true };
            zone.dispatchEvent(new DragEvent(type, init));
        }
    }""", data)
    card = page.locator(".asset-card", has_text="dropped-red.png")
    expect(card).to_contain_text("20×10")

    card.get_by_role("button", name="Add dropped-red.png to the scene").click()
    page.wait_for_function("window.compositor.state.selectedId?.startsWith('image-')")
    settle(page)
    card.get_by_role("button", name="Delete asset dropped-red.png").click()
    page.click("#confirm-ok")
    expect(card.locator(".asset-error")).to_contain_text("In use")
    asset_ids = [a["id"] for a in server.get("/assets")["assets"]]
    assert any(a["name"] == "dropped-red.png" for a in server.get("/assets")["assets"])
    assert asset_ids
