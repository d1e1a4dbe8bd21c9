"""Small JPEG pictures of assets for lists (``GET /api/v1/assets/{id}/thumbnail.jpg``).

A video clip's thumbnail is its first frame (:func:`compositor.media.thumbnail_jpeg`), an image's
is the image scaled down (never up) to the width asked for, on a white backdrop where it is
transparent. Sound clips and fonts have none (``None``). Making one decodes, so it runs in a
worker thread under the decode slots every upload shares; results are kept in a bounded LRU per
process (assets are content-addressed: a thumbnail never goes stale).
"""

from __future__ import annotations

import asyncio
import io
import threading
from collections import OrderedDict
from pathlib import Path

from PIL import Image

from control.store.base import AssetInfo, Store

__all__ = ["ThumbnailCache"]


def _image_thumbnail(path: Path, width: int) -> bytes:
    with Image.open(path) as image:
        image.draft("RGB", (width, width))  # JPEG: decode at a reduced scale when it can
        rgba = image.convert("RGBA")
    if rgba.width > width:
        rgba = rgba.resize((width, max(1, round(rgba.height * width / rgba.width))),
                           Image.Resampling.LANCZOS)
    backdrop = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
    backdrop.alpha_composite(rgba)
    buf = io.BytesIO()
    backdrop.convert("RGB").save(buf, "JPEG", quality=85)
    return buf.getvalue()


def _clip_thumbnail(path: Path, width: int) -> bytes | None:
    from compositor.media import thumbnail_jpeg  # PyAV: only where clips are shown

    return thumbnail_jpeg(path, width)


class ThumbnailCache:
    """At most ``max_entries`` thumbnails kept; :meth:`get` makes the missing ones."""

    def __init__(self, slots: asyncio.Semaphore, max_entries: int = 256) -> None:
        self._slots = slots
        self._max = max_entries
        self._lock = threading.Lock()
        self._entries: OrderedDict[tuple[str, int], bytes | None] = OrderedDict()

    async def get(self, store: Store, info: AssetInfo, width: int) -> bytes | None:
        """The JPEG of ``info`` at most ``width`` pixels wide; None when it has no picture."""
        key = (info.id, width)
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                return self._entries[key]
        if info.kind not in ("image", "video"):
            return None
        path = await store.asset_file(info.id)
        make = _clip_thumbnail if info.kind == "video" else _image_thumbnail
        async with self._slots:
            jpeg = await asyncio.to_thread(make, path, width)
        with self._lock:
            self._entries[key] = jpeg
            while len(self._entries) > self._max:
                self._entries.popitem(last=False)
        return jpeg
