"""Placing and drawing one layer: where its quad lands, what decides its pixels, and the passes
(programs and blend state) that draw it into the frame.

:class:`LayerPasses` owns one program per case, because a software renderer runs both sides of a
branch on a uniform: ``filtered`` (layer.glsl: scaled, rotated or sub-pixel content), ``exact``
(layer_exact.glsl: texels 1:1 on whole pixels) and ``solid`` (layer_solid.glsl: a colour).
Clip pictures go through :class:`~compositor.gl.video.VideoLayers`. Blend modes are described
in :mod:`compositor.gl.renderer`.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass

import moderngl
import numpy as np

from compositor.gl.damage import Mark, bounds_of
from compositor.gl.shaders import load_program
from compositor.gl.video import VideoLayers, YuvPicture
from compositor.scene import ColorContent, Layer
from compositor.scene.geometry import (
    box_size,
    cropped_size,
    is_pixel_aligned,
    layer_matrix,
    uv_rect,
)

__all__ = ["Drawable", "LayerPasses", "Placed"]

_ONE, _ZERO = moderngl.ONE, moderngl.ZERO
_BLEND_FUNCS: dict[str, tuple[int, int, int, int]] = {
    "normal": (_ONE, moderngl.ONE_MINUS_SRC_ALPHA, _ONE, moderngl.ONE_MINUS_SRC_ALPHA),
    "add": (_ONE, _ONE, _ONE, _ONE),
    "screen": (_ONE, moderngl.ONE_MINUS_SRC_COLOR, _ONE, moderngl.ONE_MINUS_SRC_ALPHA),
    # Multiply, first draw: cs cb + cb (1 - as) on colour only (alpha is masked).
    "multiply": (moderngl.DST_COLOR, moderngl.ONE_MINUS_SRC_ALPHA, _ZERO, _ONE),
}
# Multiply, second draw: + cs (1 - ab) on colour, the normal alpha on alpha.
_MULTIPLY_SECOND = (moderngl.ONE_MINUS_DST_ALPHA, _ONE, _ONE, moderngl.ONE_MINUS_SRC_ALPHA)
_SHADERS = {"filtered": "layer", "exact": "layer_exact", "solid": "layer_solid"}
# The unit square's corners as homogeneous columns (what a layer's matrix places).
_UNIT_CORNERS = np.array([[0.0, 1.0, 1.0, 0.0], [0.0, 0.0, 1.0, 1.0], [1.0, 1.0, 1.0, 1.0]])


@dataclass(frozen=True, slots=True)
class Drawable:
    """A layer's content ready to draw: its texture, sizes in px and premultiplied tint."""

    texture: moderngl.Texture
    source_px: tuple[float, float]
    natural: tuple[float, float]  # before crop
    tint: tuple[float, float, float, float]  # premultiplied, blending space, opacity applied
    exact_capable: bool
    picture: YuvPicture | None = None  # a clip's picture (drawn by VideoLayers, not ``texture``)


@dataclass(frozen=True, slots=True)
class Placed:
    """One layer of a frame's plan: what to draw, where (``clip``: unit square -> clip space),
    the source rectangle, whether texels map 1:1, and its damage mark."""

    layer: Layer
    drawable: Drawable
    clip: np.ndarray
    uv: tuple[float, float, float, float]
    exact: bool
    mark: Mark


class LayerPasses:
    """The layer programs of one context, for frames of ``size`` px; GL thread only."""

    def __init__(self, ctx: moderngl.Context, quad: moderngl.Buffer, size: tuple[int, int],
                 video: VideoLayers | None) -> None:
        self.ctx = ctx
        self.size = size
        self._video = video
        self._passes: dict[str, tuple[moderngl.Program, moderngl.VertexArray]] = {}
        for name, shader in _SHADERS.items():
            program = load_program(ctx, shader)
            if "u_texture" in program:
                program["u_texture"].value = 0  # type: ignore[union-attr]
            self._passes[name] = (program, ctx.vertex_array(program, [(quad, "2f", "in_unit")]))

    def place(self, layer: Layer, drawable: Drawable, to_clip: np.ndarray,
              content: Hashable) -> Placed | None:
        """Where and how ``layer`` is drawn (``to_clip``: canvas px -> clip space; ``content``:
        what identifies its texture's pixels); None when it covers no pixel."""
        natural = cropped_size(drawable.natural[0], drawable.natural[1], layer.crop)
        box = box_size(layer.transform, natural)
        if box[0] == 0.0 or box[1] == 0.0:
            return None
        matrix = layer_matrix(layer.transform, box)
        clip = to_clip @ matrix
        uv = uv_rect(layer.crop)
        rect = (uv.u0, uv.v0, uv.u1, uv.v1)
        exact = (drawable.picture is None and drawable.exact_capable
                 and is_pixel_aligned(matrix, drawable.source_px, uv))
        width, height = self.size
        corners = [((x + 1.0) * 0.5 * width, (y + 1.0) * 0.5 * height)
                   for x, y, _ in (clip @ _UNIT_CORNERS).T]
        bounds = bounds_of(corners, self.size)
        if bounds is None:
            return None
        if drawable.picture is not None:
            content = drawable.picture.key
        look = (layer.kind, content, drawable.tint, layer.blend, tuple(clip.ravel().tolist()),
                rect, exact)
        return Placed(layer, drawable, clip, rect, exact, Mark(layer.id, look, bounds))

    def draw(self, item: Placed, fbo: moderngl.Framebuffer) -> None:
        """Draw ``item`` into ``fbo`` (bound, blending enabled, scissor set by the caller)."""
        layer, drawable = item.layer, item.drawable
        if drawable.picture is not None and self._video is not None:
            vao = self._video.bind(layer.id, drawable.picture, item.clip, item.uv,
                                   drawable.tint[3])
        else:
            kind = ("solid" if isinstance(layer.content, ColorContent)
                    else "exact" if item.exact else "filtered")
            program, vao = self._passes[kind]
            program["u_matrix"].write(item.clip.T.astype("f4").tobytes())  # type: ignore[union-attr]
            program["u_color"].value = drawable.tint  # type: ignore[union-attr]
            if kind != "solid":  # (a colour has no source rectangle: the linker drops u_uv)
                program["u_uv"].value = item.uv  # type: ignore[union-attr]
                drawable.texture.use(location=0)
        # moderngl takes (src_rgb, dst_rgb, src_alpha, dst_alpha); its stubs only know pairs.
        self.ctx.blend_func = _BLEND_FUNCS[layer.blend]  # type: ignore[assignment]
        if layer.blend != "multiply":
            vao.render(moderngl.TRIANGLE_STRIP)
            return
        fbo.color_mask = (True, True, True, False)
        vao.render(moderngl.TRIANGLE_STRIP)
        fbo.color_mask = (True, True, True, True)
        self.ctx.blend_func = _MULTIPLY_SECOND  # type: ignore[assignment]
        vao.render(moderngl.TRIANGLE_STRIP)

    def release(self) -> None:
        for program, vao in self._passes.values():
            vao.release()
            program.release()
