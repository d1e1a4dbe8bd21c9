"""GPU textures of layer content, cached by content, within a GPU memory budget.

Keys name content, not layers: ``("image", asset_id)`` or the text parameters plus raster scale, so
two layers showing the same asset share one texture and re-rendering unchanged content never
re-uploads. At the end of each frame (:meth:`TextureCache.end_frame`) the renderer names the keys
the scene still refers to (visible or not):

* textures no layer refers to any more are released at once (layers that are gone);
* if the cache is then over budget, textures the scene refers to but did not draw this frame (hidden
  layers) are evicted, least recently used first. Textures drawn this frame are never evicted: the
  budget can be exceeded by a scene that truly shows more than it.

Image textures are premultiplied RGBA8 (sRGB8_ALPHA8 in linear-light mode), mipmapped, trilinear
and anisotropic (up to ``anisotropy``, capped by the driver), clamped at the edges. Text textures
are one-byte coverage read as RRRR.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Hashable
from dataclasses import dataclass
from typing import Protocol

import moderngl
import numpy as np
import numpy.typing as npt

__all__ = ["AssetSource", "CachedTexture", "TextureCache", "TextureData"]

log = logging.getLogger(__name__)

_GL_SRGB8_ALPHA8 = 0x8C43


class AssetSource(Protocol):
    """Asset bytes by id (hex sha256), or None when the asset is not available (yet).

    Called on the render thread; it must not block on I/O (the service fills it beforehand).
    Positional-only, so ``dict.get`` of an ``{asset_id: bytes}`` mapping is one.
    """

    def __call__(self, asset_id: str, /) -> bytes | None: ...


@dataclass(frozen=True, slots=True)
class TextureData:
    """Pixels to upload: (h, w, 4) premultiplied RGBA8, or (h, w) coverage; top row first."""

    pixels: npt.NDArray[np.uint8]
    srgb: bool = False


@dataclass(slots=True)
class CachedTexture:
    key: Hashable
    texture: moderngl.Texture
    width: int
    height: int
    nbytes: int
    last_used: int


class TextureCache:
    """Content-keyed textures with LRU eviction; see the module docstring for the policy."""

    def __init__(
        self, ctx: moderngl.Context, budget_bytes: int, *, anisotropy: float = 16.0
    ) -> None:
        self._ctx = ctx
        self._budget = budget_bytes
        self._entries: dict[Hashable, CachedTexture] = {}
        self._frame = 0
        self._anisotropy = max(1.0, min(anisotropy, float(ctx.max_anisotropy or 1.0)))
        self.hits = 0
        self.misses = 0
        self.uploads = 0
        self.evictions = 0
        self.releases = 0

    @property
    def nbytes(self) -> int:
        return sum(entry.nbytes for entry in self._entries.values())

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, key: Hashable) -> bool:
        return key in self._entries

    def get(self, key: Hashable, build: Callable[[], TextureData]) -> CachedTexture:
        """The texture for ``key``, uploading ``build()`` on a miss. ``build`` may raise."""
        entry = self._entries.get(key)
        if entry is not None:
            self.hits += 1
            entry.last_used = self._frame
            return entry
        self.misses += 1
        entry = self._upload(key, build())
        self._entries[key] = entry
        return entry

    def end_frame(self, referenced: Collection[Hashable]) -> None:
        """Release what ``referenced`` no longer names, then enforce the budget (module doc)."""
        for key in [key for key in self._entries if key not in referenced]:
            self._drop(key)
            self.releases += 1
        total = self.nbytes
        if total > self._budget:
            idle = sorted(
                (e for e in self._entries.values() if e.last_used < self._frame),
                key=lambda e: e.last_used,
            )
            for entry in idle:
                if total <= self._budget:
                    break
                total -= entry.nbytes
                self._drop(entry.key)
                self.evictions += 1
            if total > self._budget:
                log.warning(
                    "textures in use (%d bytes) exceed the budget (%d)", total, self._budget
                )
        self._frame += 1

    def release(self) -> None:
        """Release every texture."""
        for key in list(self._entries):
            self._drop(key)

    def _drop(self, key: Hashable) -> None:
        self._entries.pop(key).texture.release()

    def _upload(self, key: Hashable, data: TextureData) -> CachedTexture:
        pixels = np.ascontiguousarray(data.pixels)
        height, width = pixels.shape[:2]
        components = 1 if pixels.ndim == 2 else pixels.shape[2]
        internal = _GL_SRGB8_ALPHA8 if data.srgb and components == 4 else None
        texture = self._ctx.texture(
            (width, height), components, pixels.tobytes(), internal_format=internal
        )
        if components == 1:
            texture.swizzle = "RRRR"
        texture.repeat_x = False
        texture.repeat_y = False
        texture.build_mipmaps()
        texture.filter = (moderngl.LINEAR_MIPMAP_LINEAR, moderngl.LINEAR)
        texture.anisotropy = self._anisotropy
        self.uploads += 1
        # Level 0 plus its mipmap chain is 4/3 of level 0.
        nbytes = width * height * components * 4 // 3
        return CachedTexture(key, texture, width, height, nbytes, self._frame)
