"""The demo scene: a background, a generated logo, a lower third and a clock.

``compositor serve --demo`` installs it on an empty store, so a first run shows something
moving. Sizes scale with the canvas (designed at 1920×1080). The logo is drawn with Pillow and
imported as a content-addressed image asset like any upload. The clock's text is changed once a
second by :func:`run_clock`, one commit each (so every WebSocket client sees it tick).
"""

from __future__ import annotations

import asyncio
import io
import logging
import time
from collections.abc import Callable

from PIL import Image, ImageDraw

from compositor.errors import SceneError
from compositor.scene import AddLayer, Op, Scene, UpdateLayer
from compositor.scene.codec import decode_layer
from control.assets import validate_asset
from control.store.base import Store

__all__ = ["CLOCK_ID", "clock_text", "demo_ops", "install_demo", "logo_png", "run_clock"]

log = logging.getLogger(__name__)

CLOCK_ID = "clock"


def logo_png(width: int = 320, height: int = 120) -> bytes:
    """A small logo: a rounded badge with a red dot and stripes, as PNG bytes."""
    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((0, 0, width - 1, height - 1), radius=height // 5,
                           fill=(18, 22, 34, 230), outline=(255, 255, 255, 200),
                           width=max(2, height // 40))
    r = height // 5
    cx, cy = height // 2, height // 2
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=(230, 40, 50, 255))
    for i in range(3):
        y = height // 4 + i * height // 5
        draw.rounded_rectangle((height, y, width - height // 4, y + height // 10),
                               radius=height // 20, fill=(240, 240, 245, 255 - 60 * i))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def clock_text(now: float) -> str:
    """``HH:MM:SS`` (UTC) for a Unix time."""
    return time.strftime("%H:%M:%S", time.gmtime(now)) + " UTC"


def demo_ops(scene: Scene, logo_id: str, now: float) -> tuple[Op, ...]:
    """The demo's layers for ``scene``'s canvas, as add ops."""
    k = scene.height / 1080.0
    w, h = scene.width, scene.height

    def px(value: float) -> float:
        return round(value * k, 1)

    layers = [
        {"id": "background", "name": "Background", "kind": "color",
         "content": {"color": "#14213D"}, "transform": {"width": w, "height": h}, "z": -100},
        {"id": "logo", "name": "Logo", "kind": "image", "content": {"asset": logo_id},
         "transform": {"x": w - px(40), "y": px(40), "anchor_x": 1.0, "width": px(320),
                       "height": px(120)}, "z": 10},
        {"id": "lower-third-bar", "name": "Lower third bar", "kind": "color",
         "content": {"color": "#E63946E6"},
         "transform": {"x": px(80), "y": h - px(230), "width": px(900), "height": px(130)},
         "z": 20},
        {"id": "lower-third", "name": "Lower third", "kind": "text",
         "content": {"text": "Compositor demo: live graphics", "font": "sans-bold",
                     "size_px": max(8.0, px(48)), "color": "#FFFFFF"},
         "transform": {"x": px(110), "y": h - px(195)}, "z": 21},
        {"id": CLOCK_ID, "name": "Clock", "kind": "text",
         "content": {"text": clock_text(now), "font": "mono", "size_px": max(8.0, px(40)),
                     "color": "#FFFFFFFF"},
         "transform": {"x": px(60), "y": px(50)}, "z": 30},
    ]
    return tuple(AddLayer(decode_layer(layer, f"demo.{layer['id']}")) for layer in layers)


async def install_demo(store: Store, now: Callable[[], float] = time.time) -> bool:
    """Add the demo to an empty scene (version 0, no layers); False when the store has one."""
    scene = await store.read()
    if scene.version != 0 or scene.layers:
        return False
    data = logo_png()
    info = validate_asset(data, "image/png", "demo-logo.png")
    await store.put_asset(data, info)
    await store.commit(demo_ops(scene, info.id, now()), if_version=0, author="demo")
    log.info("demo scene installed")
    return True


async def run_clock(store: Store, now: Callable[[], float] = time.time) -> None:
    """Set the clock layer's text at each whole second, forever (cancel to stop).

    A missing clock layer (removed by an operator) is skipped quietly until it comes back.
    """
    while True:
        await asyncio.sleep(1.0 - (now() % 1.0) + 0.001)
        patch: dict[str, object] = {"content": {"text": clock_text(now())}}
        try:
            await store.commit([UpdateLayer(CLOCK_ID, patch)], author="demo-clock")
        except SceneError:
            continue
        except Exception as exc:  # the store is down: keep ticking, it may come back
            log.warning("clock commit failed: %r", exc)
