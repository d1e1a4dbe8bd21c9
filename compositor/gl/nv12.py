"""RGBA frame -> NV12 (BT.709, limited range) on the GPU, written into a readback buffer.

Output layout (what ``av.VideoFrame.from_ndarray(arr, format="nv12")`` takes): ``height`` rows of
``width`` Y bytes, then ``height / 2`` rows of ``width`` bytes of interleaved Cb Cr, one pair per
2×2 pixel block (the block average: centred chroma). Y = 16 + 219 Y', Cb = 128 + 224 (B' - Y') /
1.8556, Cr = 128 + 224 (R' - Y') / 1.5748 with Y' = 0.2126 R' + 0.7152 G' + 0.0722 B' on the
sRGB-encoded values (sRGB and BT.709 share primaries; the encoded values go out as the BT.709
signal, as broadcast graphics systems do). The premultiplied frame is thereby composited over black.

Two implementations, identical in output:

* ``fragment``: a full-screen pass into a one-byte W × 3H/2 target, then ``fbo.read_into`` the
  buffer.
* ``compute``: a compute shader writes NV12 words into a buffer of its own bound as an SSBO (no
  intermediate texture), copied into the readback buffer. Needs ``width % 4 == 0``.

Both keep the last NV12 frame (the fragment path in its target), so a damaged frame converts only
its damaged rectangles and hands over only the rows they touch.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import moderngl

from compositor.gl.context import unbind_framebuffer
from compositor.gl.damage import Rect, row_bands
from compositor.gl.shaders import load_compute, load_program

__all__ = ["NV12_METHODS", "Nv12Converter", "band_bytes", "measure_methods"]

NV12_METHODS = ("fragment", "compute")
_GROUP = 8  # local_size of nv12_compute.glsl


class Nv12Converter:
    """Converts the frame texture into NV12 bytes in a buffer; one method, fixed at creation."""

    def __init__(
        self, ctx: moderngl.Context, width: int, height: int, *, method: str, linear_light: bool
    ) -> None:
        if width % 2 or height % 2:
            raise ValueError(f"NV12 needs an even frame size, got {width}x{height}")
        if method not in NV12_METHODS:
            raise ValueError(f"unknown NV12 method {method!r}; expected one of {NV12_METHODS}")
        if method == "compute" and width % 4:
            raise ValueError(f"the compute NV12 path needs width % 4 == 0, got {width}")
        self.ctx = ctx
        self.width = width
        self.height = height
        self.method = method
        self.nbytes = width * height * 3 // 2
        self._fbo: moderngl.Framebuffer | None = None
        self._target: moderngl.Texture | None = None
        self._vao: moderngl.VertexArray | None = None
        self._nv12: moderngl.Buffer | None = None  # compute: the NV12 frame it keeps up to date
        self._program: moderngl.Program | moderngl.ComputeShader
        if method == "fragment":
            program = load_program(ctx, "nv12_fragment")
            program["u_height"].value = height  # type: ignore[union-attr]
            self._target = ctx.texture((width, height * 3 // 2), 1)
            self._fbo = ctx.framebuffer(color_attachments=[self._target])
            self._vao = ctx.vertex_array(program, [])
            self._program = program
        else:
            compute = load_compute(ctx, "nv12_compute")
            compute["u_size"].value = (width, height)
            self._program = compute
            self._nv12 = ctx.buffer(reserve=self.nbytes)
        self._program["u_linear"].value = linear_light  # type: ignore[union-attr]
        self._program["u_frame"].value = 0  # type: ignore[union-attr]

    def convert_into(self, frame: moderngl.Texture, buffer: moderngl.Buffer,
                     rects: Sequence[Rect] | None = None) -> None:
        """Queue the conversion of ``frame`` into ``buffer`` (at least :attr:`nbytes` long).

        ``rects``: only these parts of the frame changed since the last conversion (frame
        pixels, top row 0, end-exclusive): they are converted (widened to whole 4x2 blocks)
        into the converter's own copy of the NV12 frame, and the rows they touch
        (:func:`~compositor.gl.damage.row_bands`, at their places in the NV12 layout: see
        :func:`band_bytes`) are written into ``buffer``; the rest of ``buffer`` is left as it
        was. None: the whole frame. The first conversion must be whole.
        """
        areas = self._areas(rects)
        if not areas:
            return
        bands = row_bands(areas, self.height)
        frame.use(location=0)
        if self._fbo is not None and self._vao is not None:
            self._fbo.use()
            for x0, y0, x1, y1 in areas:
                for top, rows in _target_rows(y0, y1, self.height):
                    self._fbo.scissor = (x0, top, x1 - x0, rows)
                    self._vao.render(moderngl.TRIANGLES, vertices=3)
            self._fbo.scissor = None  # type: ignore[assignment]  # moderngl: None resets it
            for y0, y1 in bands:
                for (top, rows), (offset, _) in zip(_target_rows(y0, y1, self.height),
                                                    band_bytes(y0, y1, self.width, self.height),
                                                    strict=True):
                    self._fbo.read_into(buffer, viewport=(0, top, self.width, rows),
                                        components=1, alignment=1, write_offset=offset)
            return
        assert isinstance(self._program, moderngl.ComputeShader) and self._nv12 is not None
        self._nv12.bind_to_storage_buffer(0)
        for x0, y0, x1, y1 in areas:
            self._program["u_area"].value = (x0, y0, x1, y1)
            self._program.run(-(-(x1 - x0) // (4 * _GROUP)), -(-(y1 - y0) // (2 * _GROUP)), 1)
        # Make the shader's writes visible to buffer copies (glCopyBufferSubData).
        self.ctx.memory_barrier(moderngl.BUFFER_UPDATE_BARRIER_BIT)
        for y0, y1 in bands:
            for offset, size in band_bytes(y0, y1, self.width, self.height):
                self.ctx.copy_buffer(buffer, self._nv12, size, read_offset=offset,
                                     write_offset=offset)

    def changed_bytes(self, rects: Sequence[Rect]) -> list[tuple[int, int]]:
        """The ``(offset, size)`` byte ranges of the NV12 frame that :meth:`convert_into` with
        these ``rects`` writes."""
        return [span for y0, y1 in row_bands(self._areas(rects), self.height)
                for span in band_bytes(y0, y1, self.width, self.height)]

    def _areas(self, rects: Sequence[Rect] | None) -> list[Rect]:
        """What a conversion of ``rects`` converts: each widened to whole 4x2 pixel blocks (what
        one compute invocation converts; the fragment path needs 2x2), clipped to the frame;
        None: the whole frame."""
        if rects is None:
            return [(0, 0, self.width, self.height)]
        return [(max(0, x0 - x0 % 4), max(0, y0 - y0 % 2), min(self.width, x1 + -x1 % 4),
                 min(self.height, y1 + y1 % 2)) for x0, y0, x1, y1 in rects]

    def release(self) -> None:
        unbind_framebuffer(self.ctx)
        for obj in (self._vao, self._fbo, self._target, self._program, self._nv12):
            if obj is not None:
                obj.release()


def band_bytes(y0: int, y1: int, width: int, height: int) -> list[tuple[int, int]]:
    """The two byte ranges ``(offset, size)`` of an NV12 frame that picture rows ``y0..y1``
    (even) fill: their luma rows, then their chroma rows."""
    return [(y0 * width, (y1 - y0) * width),
            (height * width + (y0 // 2) * width, (y1 - y0) // 2 * width)]


def _target_rows(y0: int, y1: int, height: int) -> list[tuple[int, int]]:
    """The fragment target's rows (first, count) for picture rows ``y0..y1``: luma rows at
    ``y0``, chroma rows below the ``height`` luma rows."""
    return [(y0, y1 - y0), (height + y0 // 2, (y1 - y0) // 2)]


def measure_methods(
    ctx: moderngl.Context,
    frame: moderngl.Texture,
    *,
    linear_light: bool,
    iterations: int = 5,
) -> dict[str, float]:
    """Median seconds per conversion of ``frame`` for each usable method (GPU-synchronised)."""
    width, height = frame.size
    results: dict[str, float] = {}
    for method in NV12_METHODS:
        if method == "compute" and width % 4:
            continue
        converter = Nv12Converter(ctx, width, height, method=method, linear_light=linear_light)
        buffer = ctx.buffer(reserve=converter.nbytes)
        try:
            converter.convert_into(frame, buffer)  # warm-up: shader compilation, allocation
            ctx.finish()
            samples = []
            for _ in range(iterations):
                start = time.perf_counter()
                converter.convert_into(frame, buffer)
                buffer.read(size=4)  # forces the transfer to finish like a real readback
                samples.append(time.perf_counter() - start)
            results[method] = sorted(samples)[len(samples) // 2]
        finally:
            buffer.release()
            converter.release()
    return results
