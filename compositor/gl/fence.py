"""GL sync objects (``glFenceSync``), which moderngl does not expose, loaded through EGL.

A fence tells, without blocking, whether the GPU has finished the commands issued before it: the
readback ring uses it to hand out frames whose transfer is done and to wait only when it must.
Functions are looked up with ``eglGetProcAddress`` (the context is an EGL one) and called through
ctypes; they act on the context current on the calling thread.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from collections.abc import Callable
from typing import Any, Final

from compositor.errors import GLContextError

__all__ = ["Fence", "GLSync"]

_GL_SYNC_GPU_COMMANDS_COMPLETE: Final = 0x9117
_GL_SYNC_FLUSH_COMMANDS_BIT: Final = 0x00000001
_GL_ALREADY_SIGNALED: Final = 0x911A
_GL_CONDITION_SATISFIED: Final = 0x911C
_GL_WAIT_FAILED: Final = 0x911D


class GLSync:
    """The few raw GL entry points we call directly (sync objects, object queries)."""

    def __init__(self) -> None:
        name = ctypes.util.find_library("EGL") or "libEGL.so.1"
        try:
            egl = ctypes.CDLL(name)
        except OSError as exc:
            raise GLContextError(f"cannot load {name}: {exc}") from exc
        lookup = egl.eglGetProcAddress
        lookup.restype = ctypes.c_void_p
        lookup.argtypes = [ctypes.c_char_p]

        def function(symbol: str, restype: Any, *argtypes: Any) -> Callable[..., Any]:
            address = lookup(symbol.encode())
            if not address:
                raise GLContextError(f"the GL driver has no {symbol}")
            prototype = ctypes.CFUNCTYPE(restype, *argtypes)
            function: Callable[..., Any] = prototype(address)
            return function

        self.fence_sync = function("glFenceSync", ctypes.c_void_p, ctypes.c_uint, ctypes.c_uint)
        self.client_wait_sync = function(
            "glClientWaitSync", ctypes.c_uint, ctypes.c_void_p, ctypes.c_uint, ctypes.c_uint64
        )
        self.delete_sync = function("glDeleteSync", None, ctypes.c_void_p)
        self.is_texture = function("glIsTexture", ctypes.c_ubyte, ctypes.c_uint)

    def fence(self) -> Fence:
        """A fence after every command issued so far on the current context."""
        return Fence(self, self.fence_sync(_GL_SYNC_GPU_COMMANDS_COMPLETE, 0))

    def count_textures(self, highest_name: int) -> int:
        """How many of the texture names 1..highest_name are live textures (for tests)."""
        return sum(1 for name in range(1, highest_name + 1) if self.is_texture(name))


class Fence:
    """One GL sync object; :meth:`wait` or :meth:`done`, then :meth:`delete`."""

    def __init__(self, gl: GLSync, handle: int | None) -> None:
        if not handle:
            raise GLContextError("glFenceSync failed")
        self._gl = gl
        self._handle: int | None = handle

    def done(self) -> bool:
        """Whether the GPU got past the fence; never blocks."""
        return self.wait(0)

    def wait(self, timeout_ns: int = 10_000_000_000) -> bool:
        """Block up to ``timeout_ns`` for the fence; True when it is signalled."""
        if self._handle is None:
            return True
        status = self._gl.client_wait_sync(self._handle, _GL_SYNC_FLUSH_COMMANDS_BIT, timeout_ns)
        if status == _GL_WAIT_FAILED:
            raise GLContextError("glClientWaitSync failed")
        return bool(status in (_GL_ALREADY_SIGNALED, _GL_CONDITION_SATISFIED))

    def delete(self) -> None:
        if self._handle is not None:
            self._gl.delete_sync(self._handle)
            self._handle = None
