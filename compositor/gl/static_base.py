"""The cached composite of a frame's unchanged bottom layers, so a damaged redraw starts there.

A broadcast frame is mostly still at the bottom (a full-frame background, a bug, a frame) and
moves at the top (a lower third, a clock, a clip). When the first layers of the draw order have
been the same for two frames running (same marks, :mod:`compositor.gl.damage`, and the same
background), :class:`StaticBase` draws them once, whole, into a frame of its own; each damaged
rectangle then starts as an exact copy of it (shaders/copy.glsl) instead of the background and
those layers drawn again. The copy holds the very values a whole draw leaves after those layers
(the same draws in the same order into the same format), so frames stay identical to whole ones.
It is kept while the frame's first layers still match it and rebuilt, longer, when more of the
bottom has settled.
"""

from __future__ import annotations

from collections.abc import Sequence

import moderngl

from compositor.gl.context import unbind_framebuffer
from compositor.gl.damage import Footprint, Mark
from compositor.gl.layer_passes import LayerPasses, Placed
from compositor.gl.shaders import load_program

__all__ = ["StaticBase"]


class StaticBase:
    """One cached composite for frames of ``size`` px in ``dtype`` (the renderer's frame
    format); GL thread only. Made lazily: a scene that never settles costs nothing."""

    def __init__(self, ctx: moderngl.Context, size: tuple[int, int], dtype: str,
                 passes: LayerPasses) -> None:
        self.ctx = ctx
        self.size = size
        self._dtype = dtype
        self._passes = passes
        self._frame: moderngl.Texture | None = None
        self._fbo: moderngl.Framebuffer | None = None
        self._copy: moderngl.Program | None = None
        self._vao: moderngl.VertexArray | None = None
        self._held: tuple[Mark, ...] = ()  # the layers it holds (none: nothing held)
        self._background: tuple[float, float, float, float] | None = None
        self._settled: tuple[Mark, ...] = ()  # the unchanged bottom run of the last frame
        self.builds = 0
        self.uses = 0

    def layers_for(self, previous: Footprint | None, footprint: Footprint,
                   plan: Sequence[Placed]) -> int:
        """How many of ``plan``'s first layers the cache holds for this frame (0: none; then
        draw from the background), building it first when a longer bottom run has settled."""
        marks = footprint.marks
        settled: tuple[Mark, ...] = ()
        if previous is not None and previous.background == footprint.background:
            run = 0
            for old, new in zip(previous.marks, marks, strict=False):
                if old != new:
                    break
                run += 1
            settled = marks[:run]
        # Settled for two frames running: the run was there last frame as well.
        stable = settled if self._settled[:len(settled)] == settled else ()
        self._settled = settled
        held = len(self._held)
        valid = (held > 0 and self._background == footprint.background
                 and marks[:held] == self._held)
        if len(stable) > (held if valid else 0):
            self._build(footprint.background, plan[:len(stable)], stable)
            held, valid = len(stable), True
        if not valid:
            return 0
        self.uses += 1
        return held

    def lay_down(self, fbo: moderngl.Framebuffer) -> None:
        """Copy the cached composite into ``fbo`` (bound; within its scissor)."""
        assert self._frame is not None and self._vao is not None
        self.ctx.disable(moderngl.BLEND)
        self._frame.use(location=0)
        self._vao.render(moderngl.TRIANGLES, vertices=3)
        self.ctx.enable(moderngl.BLEND)

    def release(self) -> None:
        unbind_framebuffer(self.ctx)
        for obj in (self._vao, self._copy, self._fbo, self._frame):
            if obj is not None:
                obj.release()

    def _build(self, background: tuple[float, float, float, float], items: Sequence[Placed],
               marks: tuple[Mark, ...]) -> None:
        if self._fbo is None:
            self._frame = self.ctx.texture(self.size, 4, dtype=self._dtype)
            self._fbo = self.ctx.framebuffer(color_attachments=[self._frame])
            self._copy = load_program(self.ctx, "copy")
            self._copy["u_source"].value = 0  # type: ignore[union-attr]
            self._vao = self.ctx.vertex_array(self._copy, [])
        self._fbo.use()
        self._fbo.clear(*background)
        for item in items:
            self._passes.draw(item, self._fbo)
        self._held, self._background = marks, background
        self.builds += 1
