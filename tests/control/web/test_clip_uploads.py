"""Refused clip uploads from the page: the server's reason is shown for each file, nothing is
stored, and no placeholder card is left behind (a server with a 20 kB clip limit)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import FilePayload, expect

from tests.control.web.conftest import Pages, ServeProcess
from tests.media_factory import MediaCache

pytestmark = pytest.mark.browser

CLIP_LIMIT = 20_000


class SmallClipServer(ServeProcess):
    """``compositor serve`` that takes clips of at most CLIP_LIMIT bytes."""

    def command(self) -> list[str]:
        return [*super().command(), "--max-clip-bytes", str(CLIP_LIMIT)]


@pytest.fixture
def small_server(tmp_path: Path) -> Iterator[ServeProcess]:
    process = SmallClipServer(tmp_path / "data")
    process.start()
    yield process
    process.stop()


def server_reason(server: ServeProcess, payload: FilePayload) -> str:
    """The error message the server gives for this upload, asked directly."""
    with server.client() as client:
        response = client.post("/api/v1/assets", content=payload["buffer"],
                               headers={"Content-Type": payload["mimeType"]})
    assert response.status_code in (413, 415, 422), response.text
    message: str = response.json()["error"]["message"]
    return message


def same_reason(toast: str, reason: str) -> bool:
    """Whether a toast carries the reason; a spool file's name, different for every upload (some
    probe messages name it), does not count."""
    def mask(text: str) -> str:
        return re.sub(r"upload-[0-9]+-[0-9a-f]+", "upload-*", text)
    return mask(reason) in mask(toast)


def test_refused_uploads_show_the_reason(small_server: ServeProcess, pages: Pages,
                                         media: MediaCache) -> None:
    page = pages.open(small_server.url)
    big = media.counter(fps=25, seconds=2.0, size=(320, 180), tone_hz=1700.0)
    assert big.stat().st_size > CLIP_LIMIT
    before = small_server.get("/assets")["assets"]
    files: list[FilePayload] = [
        {"name": "too-big.mp4", "mimeType": "video/mp4", "buffer": big.read_bytes()},
        {"name": "notes.mp4", "mimeType": "video/mp4", "buffer": b"not a video at all\n" * 50},
    ]
    page.set_input_files("#asset-file", files=files)
    toasts = page.locator(".toast-error")
    for payload in files:  # each file's toast says what the server says about it
        toast = toasts.filter(has_text=payload["name"])
        expect(toast).to_be_visible()
        assert same_reason(toast.inner_text(), server_reason(small_server, payload))
    expect(page.locator(".asset-card.is-uploading")).to_have_count(0)
    expect(page.locator(".asset-card", has_text="too-big.mp4")).to_have_count(0)
    assert small_server.get("/assets")["assets"] == before
