"""The one place an OpenGL context is created.

A headless EGL context (no window, no X server): on the GPU when the machine has one
(``device_index`` picks among EGL devices), otherwise Mesa's llvmpipe. A context belongs to the
thread that created it; every GL call for it must come from that thread (the render thread).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import moderngl

from compositor.errors import GLContextError

__all__ = ["GL_VERSION_REQUIRED", "GLContext", "create_context", "unbind_framebuffer"]

log = logging.getLogger(__name__)

GL_VERSION_REQUIRED = 430
"""OpenGL 4.3 core: compute shaders and shader storage buffers (the NV12 compute path)."""

_SOFTWARE_MARKERS = ("llvmpipe", "softpipe", "swrast", "software rasterizer", "lavapipe")


@dataclass(frozen=True, slots=True)
class GLContext:
    """A created context and what the driver says it is."""

    ctx: moderngl.Context
    renderer: str
    vendor: str
    version: str
    is_software: bool

    def release(self) -> None:
        """Destroy the context; nothing made from it may be used afterwards."""
        self.ctx.release()


def create_context(device_index: int | None = None, *, require_gpu: bool = False) -> GLContext:
    """Create a standalone EGL context (GL >= 4.3 core) on the calling thread.

    ``device_index`` selects an EGL device (None: the default one). With ``require_gpu`` a software
    renderer is an error rather than a silent fallback (GPU tests and benchmarks use this).
    Raises :class:`GLContextError` when no suitable context can be made.
    """
    # The stubs type each extra setting as a dict; they are plain values passed to glcontext.
    settings: dict[str, Any] = {"backend": "egl"}
    if device_index is not None:
        settings["device_index"] = device_index
    try:
        ctx = moderngl.create_context(require=GL_VERSION_REQUIRED, standalone=True, **settings)
    except Exception as exc:  # moderngl/glcontext raise bare Exception subclasses
        raise GLContextError(f"cannot create an EGL OpenGL context: {exc}") from exc
    info = ctx.info
    renderer = str(info.get("GL_RENDERER", "unknown"))
    gl = GLContext(
        ctx=ctx,
        renderer=renderer,
        vendor=str(info.get("GL_VENDOR", "unknown")),
        version=str(info.get("GL_VERSION", "unknown")),
        is_software=any(marker in renderer.lower() for marker in _SOFTWARE_MARKERS),
    )
    if require_gpu and gl.is_software:
        ctx.release()
        raise GLContextError(f"a GPU was required but the context renders in software: {renderer}")
    log.info("OpenGL context: %s (%s, %s)", gl.renderer, gl.vendor, gl.version)
    return gl


def unbind_framebuffer(ctx: moderngl.Context) -> None:
    """Bind framebuffer 0 before releasing framebuffers.

    moderngl re-binds the last used framebuffer after creating another one; if that one was released
    the re-bind names a deleted object and leaves GL_INVALID_OPERATION behind.
    """
    ctx.detect_framebuffer(0).use()
