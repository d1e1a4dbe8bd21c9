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
* ``compute``: a compute shader writes NV12 words straight into the buffer bound as an SSBO (no
  intermediate texture). Needs ``width % 4 == 0``.
"""

from __future__ import annotations

import time

import moderngl

from compositor.gl.context import unbind_framebuffer
from compositor.gl.shaders import load_compute, load_program

__all__ = ["NV12_METHODS", "Nv12Converter", "measure_methods"]

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
        self._program["u_linear"].value = linear_light  # type: ignore[union-attr]
        self._program["u_frame"].value = 0  # type: ignore[union-attr]

    def convert_into(self, frame: moderngl.Texture, buffer: moderngl.Buffer) -> None:
        """Queue the conversion of ``frame`` into ``buffer`` (at least :attr:`nbytes` long)."""
        frame.use(location=0)
        if self._fbo is not None and self._vao is not None:
            self._fbo.use()
            self._vao.render(moderngl.TRIANGLES, vertices=3)
            self._fbo.read_into(buffer, components=1, alignment=1)
            return
        assert isinstance(self._program, moderngl.ComputeShader)
        buffer.bind_to_storage_buffer(0)
        groups_x = -(-self.width // (4 * _GROUP))
        groups_y = -(-self.height // (2 * _GROUP))
        self._program.run(groups_x, groups_y, 1)
        # Make the shader's writes visible to buffer reads (glGetBufferSubData / mapping).
        self.ctx.memory_barrier(moderngl.BUFFER_UPDATE_BARRIER_BIT)

    def release(self) -> None:
        unbind_framebuffer(self.ctx)
        for obj in (self._vao, self._fbo, self._target, self._program):
            if obj is not None:
                obj.release()


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
