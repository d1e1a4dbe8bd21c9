"""The tiled compute compositor: a whole (or damaged) frame in one compute pass.

Each 16x16 work group owns a tile of the frame; for each of its pixels it blends, in registers,
only the layers whose bounds touch the tile, and writes the pixel once (shaders/
composite_tiled.glsl). The layer quads, their looks and their damage are those of the fragment
path (:mod:`compositor.gl.layer_passes`), so frames are placed and damaged the same way; pixel
values differ from the fragment path's by rounding (blending in 32-bit registers instead of in
the half-float frame after each layer) and at exact quad edges. It draws frames of image, text
and colour layers with at most :data:`MAX_TEXTURES` distinct textures; a frame with a clip
picture or more textures is drawn by the fragment path (:meth:`TiledCompositor.can_draw`).
"""

from __future__ import annotations

from collections.abc import Sequence

import moderngl
import numpy as np

from compositor.gl.damage import Rect
from compositor.gl.layer_passes import Placed
from compositor.gl.shaders import load_compute
from compositor.scene import ColorContent

__all__ = ["MAX_TEXTURES", "TiledCompositor"]

MAX_TEXTURES = 16
"""Texture units the compute pass samples (u_t0 .. u_t15 in the shader)."""

_TILE = 16
_WORDS = 28  # 32-bit words per layer record (7 vec4 / ivec4, std430)
_BLENDS = {"normal": 0, "add": 1, "multiply": 2, "screen": 3}


class TiledCompositor:
    """The compute program and its layer buffer for frames of ``size`` px; GL thread only."""

    def __init__(self, ctx: moderngl.Context, size: tuple[int, int]) -> None:
        self.ctx = ctx
        self.size = size
        self._program = load_compute(ctx, "composite_tiled")
        for unit in range(MAX_TEXTURES):
            self._program[f"u_t{unit}"].value = unit
        self._layers = ctx.buffer(reserve=_WORDS * 4 * 16)
        # Every unit the shader may sample holds a texture (llvmpipe crashes on an empty one).
        self._blank = ctx.texture((1, 1), 4, b"\x00\x00\x00\x00")

    def can_draw(self, plan: Sequence[Placed]) -> bool:
        """Whether this pass can draw a frame of ``plan`` (no clip pictures, few textures)."""
        if any(item.drawable.picture is not None for item in plan):
            return False
        textures = {id(item.drawable.texture) for item in plan
                    if not isinstance(item.layer.content, ColorContent)}
        return len(textures) <= MAX_TEXTURES

    def draw(self, plan: Sequence[Placed], rects: Sequence[Rect],
             background: tuple[float, float, float, float], frame: moderngl.Texture) -> None:
        """Composite ``plan`` over ``background`` into ``frame`` (RGBA16F) within ``rects``."""
        records, textures = self._records(plan)
        if records.nbytes > self._layers.size:
            self._layers.orphan(records.nbytes * 2)
        if records.nbytes:
            self._layers.write(records.tobytes())
        for unit in range(MAX_TEXTURES):
            (textures[unit] if unit < len(textures) else self._blank).use(location=unit)
        self._layers.bind_to_storage_buffer(1)
        frame.bind_to_image(0, read=False, write=True)
        program = self._program
        program["u_count"].value = len(records)
        program["u_background"].value = background
        for x0, y0, x1, y1 in rects:
            program["u_area"].value = (x0, y0, x1, y1)
            program.run(-(-(x1 - x0) // _TILE), -(-(y1 - y0) // _TILE), 1)
        # The NV12 pass and the preview read the frame as a texture.
        self.ctx.memory_barrier(moderngl.TEXTURE_FETCH_BARRIER_BIT
                                | moderngl.SHADER_IMAGE_ACCESS_BARRIER_BIT)

    def release(self) -> None:
        self._blank.release()
        self._layers.release()
        self._program.release()

    def _records(self, plan: Sequence[Placed]) -> tuple[np.ndarray, list[moderngl.Texture]]:
        """The layer records (float32 rows of :data:`_WORDS`, ints stored bitwise) and the
        textures by unit."""
        width, height = self.size
        to_px = np.array([[width / 2, 0.0, width / 2], [0.0, height / 2, height / 2],
                          [0.0, 0.0, 1.0]])
        units: dict[int, int] = {}
        textures: list[moderngl.Texture] = []
        rows = []
        for item in plan:
            try:
                inverse = np.linalg.inv(to_px @ item.clip)
            except np.linalg.LinAlgError:  # a quad of no area draws nothing
                continue
            solid = isinstance(item.layer.content, ColorContent)
            unit = 0
            if not solid:
                unit = units.setdefault(id(item.drawable.texture), len(textures))
                if unit == len(textures):
                    textures.append(item.drawable.texture)
            u0, v0, u1, v1 = item.uv
            span = np.array([u1 - u0, v1 - v0])
            d_dx, d_dy = span * inverse[:2, 0], span * inverse[:2, 1]
            row = np.zeros(_WORDS, np.float32)
            row[0:3], row[4:7] = inverse[0], inverse[1]
            row[8:12] = item.uv
            row[12:16] = item.drawable.tint
            row[16:20] = (d_dx[0], d_dx[1], d_dy[0], d_dy[1])
            ints = row.view(np.int32)
            ints[20:24] = item.mark.bounds
            ints[24:28] = (0 if solid else 1 if item.exact else 2, _BLENDS[item.layer.blend],
                           unit, 0)
            rows.append(row)
        return (np.stack(rows) if rows else np.zeros((0, _WORDS), np.float32)), textures
