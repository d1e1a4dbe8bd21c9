"""Errors of the compositor package.

Third-party errors (moderngl, PyAV, Pillow, ...) are translated into these once, at the boundary
where they happen (``raise OutputError(...) from exc``). The HTTP status of each is mapped in one
place, ``control/errors.py``.

::

    CompositorError
     ├── SceneError                  a scene, layer or op is not acceptable; carries a JSON path
     │    ├── SceneValidationError   malformed or out-of-range input               (422)
     │    ├── LayerNotFoundError     an op names a layer that does not exist       (404)
     │    └── DuplicateLayerError    an add names an id that already exists        (409)
     ├── ShaderError                 a shader file failed to load or compile (path + log)
     ├── GLContextError              no OpenGL context could be created
     ├── RenderError                 drawing a frame failed
     ├── AssetError                  an asset could not be decoded or used
     ├── EncoderError                an encoder failed to open or to encode
     │    └── EncoderUnavailableError  the requested encoder does not exist on this machine
     └── OutputError                 an output (RTMP, file) failed
"""

from __future__ import annotations

__all__ = [
    "AssetError",
    "CompositorError",
    "DuplicateLayerError",
    "EncoderError",
    "EncoderUnavailableError",
    "GLContextError",
    "LayerNotFoundError",
    "OutputError",
    "RenderError",
    "SceneError",
    "SceneValidationError",
    "ShaderError",
]


class CompositorError(Exception):
    """Base of every error this package raises on purpose."""


class SceneError(CompositorError):
    """A scene, layer or op is not acceptable.

    ``path`` points at the offending field in the JSON the client sent, e.g.
    ``layers[3].transform.scale_x`` or ``ops[1].patch.opacity``; ``reason`` is for a person.
    """

    code = "scene_error"

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}" if path else reason)
        self.path = path
        self.reason = reason


class SceneValidationError(SceneError):
    code = "validation_error"


class LayerNotFoundError(SceneError):
    code = "not_found"


class DuplicateLayerError(SceneError):
    code = "conflict"


class ShaderError(CompositorError):
    def __init__(self, path: str, log: str) -> None:
        super().__init__(f"{path}: {log}")
        self.path = path
        self.log = log


class GLContextError(CompositorError):
    pass


class RenderError(CompositorError):
    pass


class AssetError(CompositorError):
    pass


class EncoderError(CompositorError):
    pass


class EncoderUnavailableError(EncoderError):
    pass


class OutputError(CompositorError):
    pass
