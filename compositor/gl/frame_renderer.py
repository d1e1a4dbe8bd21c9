"""FrameRenderer: the facade the pipeline drives, one call per frame, on the GL thread.

``render(scene, tag, frame=F)`` draws the (already static) scene of absolute frame ``F``, converts
it to NV12 on the GPU and starts an asynchronous readback tagged ``tag``; ``completed()`` returns
finished NV12 frames oldest first without waiting for the newest; ``flush()`` waits for all.
``read_rgba()`` gives the last frame as straight sRGB RGBA8 for previews and tests. Colour
handling is described in :mod:`compositor.gl.renderer`, the NV12 format in
:mod:`compositor.gl.nv12`, clip layers in :mod:`compositor.gl.video`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import moderngl
import numpy as np
import numpy.typing as npt

from compositor.errors import RenderError
from compositor.gl.context import GLContext, unbind_framebuffer
from compositor.gl.fence import GLSync
from compositor.gl.nv12 import NV12_METHODS, Nv12Converter, measure_methods
from compositor.gl.readback import ReadbackRing
from compositor.gl.renderer import Renderer
from compositor.gl.shaders import load_program
from compositor.gl.textures import AssetSource
from compositor.gl.video import ClipSource
from compositor.scene import Layer, Scene

__all__ = ["FrameRenderer"]

log = logging.getLogger(__name__)


class FrameRenderer:
    """Scene -> NV12 frames (and RGBA previews) for one output size.

    ``nv12_method``: ``"fragment"``, ``"compute"`` or ``"auto"`` (compute on a software
    renderer, where it is known to win; elsewhere time both at start-up and keep the faster; the
    choice is in :attr:`nv12_method` and ``stats()``).
    ``clips`` supplies the pictures of clip layers (without it they draw nothing).
    ``damage``: redraw, convert and read back only what changed since the previous program
    frame (:mod:`compositor.gl.damage`; identical output); False draws every frame whole.
    ``frame_format``: ``"rgba16f"`` (the default everywhere) or ``"rgba8"``, a sixth faster per
    whole frame on llvmpipe but off by up to 2.3/255 after a few blends and clamping each ``add``
    at once (measured: benchmarks/RESULTS.md); see :mod:`compositor.gl.formats`.
    Raises ``ValueError`` for an odd frame size or an unknown method, :class:`ShaderError` or
    :class:`GLContextError` when the GL side cannot be set up.
    """

    def __init__(
        self,
        gl: GLContext,
        width: int,
        height: int,
        assets: AssetSource,
        *,
        ring_depth: int = 3,
        nv12_method: str = "auto",
        linear_light: bool = False,
        texture_budget_bytes: int = 512 * 2**20,
        clips: ClipSource | None = None,
        damage: bool = True,
        frame_format: str = "rgba16f",
    ) -> None:
        if nv12_method not in (*NV12_METHODS, "auto"):
            raise ValueError(f"unknown nv12_method {nv12_method!r}")
        if width <= 0 or height <= 0 or width % 2 or height % 2:
            raise ValueError(f"frame size must be positive and even, got {width}x{height}")
        self.gl = gl
        self.ctx = gl.ctx
        self.width = width
        self.height = height
        self._renderer = Renderer(
            self.ctx,
            width,
            height,
            assets,
            linear_light=linear_light,
            texture_budget_bytes=texture_budget_bytes,
            clips=clips,
            # Anisotropic filtering only helps oblique downscaling and costs a software renderer
            # 3x per textured pixel (llvmpipe samples many taps even at 1:1): GPUs only.
            anisotropy=1.0 if gl.is_software else 16.0,
            frame_format=frame_format,
        )
        self.nv12_timings: dict[str, float] = {}
        if nv12_method == "auto" and gl.is_software and width % 4 == 0:
            # Measured on Mesa llvmpipe (benchmarks/RESULTS.md): compute converts 6x faster
            # than fragment; timing both would cost every start 0.2-0.5 s for a known answer.
            nv12_method = "compute"
        if nv12_method == "auto":
            self.nv12_timings = measure_methods(
                self.ctx, self._renderer.frame, linear_light=linear_light
            )
            nv12_method = min(self.nv12_timings, key=lambda m: self.nv12_timings[m])
            log.info("NV12 conversion: %s (measured %s)", nv12_method, self.nv12_timings)
        self._nv12 = Nv12Converter(
            self.ctx, width, height, method=nv12_method, linear_light=linear_light
        )
        self._ring = ReadbackRing(self.ctx, (height * 3 // 2, width), ring_depth, GLSync())
        self._present: _Present | None = None
        self._linear_light = linear_light
        self.damage = damage
        self.frames = 0
        self.gl_errors = 0
        self.pixels_drawn = 0  # frame pixels redrawn, over all program frames
        self.bytes_read = 0  # NV12 bytes read back

    @property
    def nv12_method(self) -> str:
        return self._nv12.method

    def natural_size(self, layer: Layer, scene: Scene) -> tuple[float, float] | None:
        """See :meth:`Renderer.natural_size` (for ``animation.evaluate(natural_size=...)``)."""
        return self._renderer.natural_size(layer, scene)

    def render(self, scene: Scene, tag: object, frame: int = 0) -> None:
        """Draw ``scene`` (static, of absolute ``frame``: clips show their picture of that
        frame), convert to NV12 and start reading it back under ``tag``.

        Waits only when every ring buffer is still in flight. Never fails for a bad layer (see
        :meth:`problems`); raises :class:`RenderError` if drawing itself fails.
        """
        try:
            rects = self._renderer.draw(scene, frame, full=not self.damage)
            full = rects == [(0, 0, self.width, self.height)]
            changed = None if full else rects
            spans = None if changed is None else self._nv12.changed_bytes(changed)
            picture = self._renderer.frame
            self._ring.submit(
                tag, lambda buffer: self._nv12.convert_into(picture, buffer, changed), spans)
        except moderngl.Error as exc:
            self._renderer.invalidate()
            raise RenderError(f"rendering frame {tag!r} failed: {exc}") from exc
        self.pixels_drawn += sum((x1 - x0) * (y1 - y0) for x0, y0, x1, y1 in rects)
        self.bytes_read += self._nv12.nbytes if spans is None else sum(size for _, size in spans)
        self.frames += 1
        error = self.ctx.error
        if error != "GL_NO_ERROR":
            self.gl_errors += 1
            log.error("GL error after frame %r: %s", tag, error)

    def completed(self) -> list[tuple[object, npt.NDArray[np.uint8]]]:
        """NV12 frames whose readback is done, oldest first; never blocks."""
        return self._ring.completed()

    def flush(self) -> list[tuple[object, npt.NDArray[np.uint8]]]:
        """Wait for and return every pending NV12 frame, oldest first."""
        return self._ring.flush()

    def draw_rgba(self, scene: Scene) -> npt.NDArray[np.uint8]:
        """Draw ``scene`` and return it as :meth:`read_rgba` does, with no NV12 frame and no
        readback in the ring (a preview between program frames). Raises :class:`RenderError`."""
        try:
            self._renderer.draw(scene)
            self._renderer.invalidate()  # the program frame is not in the framebuffer any more
            return self.read_rgba()
        except moderngl.Error as exc:
            raise RenderError(f"rendering a preview failed: {exc}") from exc

    def read_rgba(self) -> npt.NDArray[np.uint8]:
        """The last rendered frame, (height, width, 4) uint8, top row first, straight sRGB."""
        present = self._present_pass()
        self._renderer.frame.use(location=0)
        present.fbo.use()
        present.vao.render(moderngl.TRIANGLES, vertices=3)
        data = present.fbo.read(components=4, alignment=1)
        return np.frombuffer(data, dtype=np.uint8).reshape(self.height, self.width, 4).copy()

    def problems(self) -> dict[str, str]:
        """Layer id -> why it was skipped in the last render (missing/broken asset, bad font)."""
        return dict(self._renderer.problems)

    def stats(self) -> dict[str, float | int]:
        """Counters for metrics: textures, cache, frames, GL errors, NV12 method (1 = compute),
        clip layers holding plane textures, clip pictures uploaded, clip layers released."""
        cache = self._renderer.cache
        video = self._renderer.video
        return {
            "textures": len(cache),
            "texture_bytes": cache.nbytes,
            "texture_hits": cache.hits,
            "texture_misses": cache.misses,
            "texture_uploads": cache.uploads,
            "texture_evictions": cache.evictions,
            "texture_releases": cache.releases,
            "frames": self.frames,
            "gl_errors": self.gl_errors,
            "skipped_layers": len(self._renderer.problems),
            "readback_waits": self._ring.waits,
            "readback_pending": self._ring.pending,
            "nv12_compute": int(self._nv12.method == "compute"),
            "pixels_drawn": self.pixels_drawn,
            "base_builds": self._renderer.base.builds,
            "base_uses": self._renderer.base.uses,
            "bytes_read": self.bytes_read,
            "video_layers": len(video) if video is not None else 0,
            "video_uploads": video.uploads if video is not None else 0,
            "video_releases": video.releases if video is not None else 0,
        }

    def release(self) -> None:
        """Release every GL object this renderer made (pending frames are dropped)."""
        unbind_framebuffer(self.ctx)
        self._ring.release()
        self._nv12.release()
        if self._present is not None:
            for obj in (self._present.vao, self._present.fbo, self._present.target):
                obj.release()
            self._present.program.release()
            self._present = None
        self._renderer.release()

    def _present_pass(self) -> _Present:
        if self._present is None:
            program = load_program(self.ctx, "present")
            program["u_linear"].value = self._linear_light  # type: ignore[union-attr]
            program["u_frame"].value = 0  # type: ignore[union-attr]
            vao = self.ctx.vertex_array(program, [])
            target = self.ctx.renderbuffer((self.width, self.height), 4)
            fbo = self.ctx.framebuffer(color_attachments=[target])
            self._present = _Present(program, vao, target, fbo)
        return self._present


@dataclass(frozen=True, slots=True)
class _Present:
    """The pass that turns the working frame into straight sRGB RGBA8 (made on first use)."""

    program: moderngl.Program
    vao: moderngl.VertexArray
    target: moderngl.Renderbuffer
    fbo: moderngl.Framebuffer
