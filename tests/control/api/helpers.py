"""Helpers for the control API tests: a real ``ProgramControl`` and request bodies."""

from __future__ import annotations

import io
import warnings
from typing import Any

from PIL import Image
from starlette.exceptions import StarletteDeprecationWarning

from control.errors import ProgramArgumentError, ProgramError

__all__ = [
    "FakeProgram", "TestClient", "WebSocketDenialResponse", "color_layer", "png_bytes",
    "receive_until",
]

# Starlette 1.10 warns at import that TestClient should run on httpx2 rather than httpx; the lock
# has httpx (httpx2 is not in it yet). The warning is about the package choice, not our code.
with warnings.catch_warnings():
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from starlette.testclient import TestClient, WebSocketDenialResponse


class FakeProgram:
    """A real, tiny implementation of ``ProgramControl``: state in memory, a solid JPEG."""

    def __init__(self) -> None:
        self.state = "idle"
        self.url: str | None = None
        self.configured: str | None = "rtmp://127.0.0.1/live/configured"

    def status(self) -> dict[str, Any]:
        url = None if self.url is None else self.url.rsplit("/", 1)[0] + "/<redacted>"
        return {"state": self.state, "url": url, "frames": 0, "dropped": 0, "fps": 0.0,
                "encoder": "libx264"}

    async def start_output(self, url: str | None) -> dict[str, Any]:
        if self.state == "live":
            raise ProgramError("already streaming")
        url = url or self.configured
        if url is None:
            raise ProgramArgumentError("no URL given and none configured", path="url")
        self.state, self.url = "live", url
        return self.status()

    async def stop_output(self) -> dict[str, Any]:
        self.state, self.url = "idle", None
        return self.status()

    def preview_jpeg(self, width: int | None) -> bytes | None:
        w = width or 64
        buf = io.BytesIO()
        Image.new("RGB", (w, max(1, w * 9 // 16)), (10, 200, 30)).save(buf, "JPEG")
        return buf.getvalue()

    async def preview_scene(self, scene: Any, frame: int, width: int | None) -> bytes:
        jpeg = self.preview_jpeg(width or scene.width)
        assert jpeg is not None
        return jpeg

    def problems(self) -> dict[str, str]:
        return {}


def png_bytes(width: int = 8, height: int = 4, color: tuple[int, ...] = (255, 0, 0, 255)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGBA", (width, height), color).save(buf, "PNG")
    return buf.getvalue()


def color_layer(layer_id: str | None = "box", **extra: Any) -> dict[str, Any]:
    layer: dict[str, Any] = {"kind": "color", "content": {"color": "#FF0000"},
                             "transform": {"x": 10, "y": 10, "width": 50, "height": 20}}
    if layer_id is not None:
        layer["id"] = layer_id
    layer.update(extra)
    return layer


def receive_until(ws: Any, kind: str) -> dict[str, Any]:
    """The next WebSocket message of type ``kind``, skipping others (at most 100)."""
    for _ in range(100):
        message: dict[str, Any] = ws.receive_json()
        if message["type"] == kind:
            return message
    raise AssertionError(f"no {kind} message")
