"""The GPU renderer: OpenGL context, layer drawing, texture cache, NV12 conversion and readback.

Import the pieces from their modules; :class:`compositor.gl.frame_renderer.FrameRenderer` is the
facade
the pipeline uses and :func:`compositor.gl.context.create_context` makes its context.
"""

from __future__ import annotations

__all__: list[str] = []
