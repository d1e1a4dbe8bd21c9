"""The error tree: the engine's errors at its root, the control plane's below them.

Third-party errors (moderngl, PyAV, Pillow, ...) are translated into these once, at the boundary
where they happen (``raise OutputError(...) from exc``). The engine's classes live here; the
control plane's (``control/errors.py``) subclass :class:`CompositorError`, so one ``except`` and
one HTTP mapping (``control/http.py``, the only place statuses and error codes are decided) cover
every error raised on purpose. This drawing is the one picture of the whole tree::

    CompositorError
     ├── SceneError                    a scene, layer or op is not acceptable; has a JSON path
     │    ├── SceneValidationError     malformed or out-of-range input
     │    ├── LayerNotFoundError       an op names a layer that does not exist
     │    └── DuplicateLayerError      an add names an id that already exists
     ├── ShaderError                   a shader file failed to load or compile (path + log)
     ├── GLContextError                no OpenGL context could be created
     ├── RenderError                   drawing a frame failed
     ├── AssetError                    an asset could not be decoded or used
     │    └── AssetMissingError        not (yet) available to the renderer
     ├── EncoderError                  an encoder failed to open or to encode
     │    └── EncoderUnavailableError  the requested encoder does not exist on this machine
     ├── OutputError                   an output (RTMP, file) failed
     ├── PreviewBusyError              no preview now: its queue is full or frames left no time
     ├── MediaError                    a clip (video or sound file) cannot be used
     │    ├── MediaUnsupportedError    a container or codec we cannot decode (HTTP 415)
     │    ├── MediaInvalidError        does not decode, no frames, too many pixels, too long (422)
     │    └── MediaDecodeError         failed mid-play (reported; the layer shows nothing)
     └── ControlError                  control/errors.py: the control plane's errors
          ├── StoreError               the store failed
          │    ├── VersionConflictError      stale if_version; has the current version
          │    │    └── PreconditionFailedError  the stale version came from If-Match
          │    ├── StoreUnavailableError     the backend (Redis) cannot be reached now
          │    └── CorruptDataError          data under our keys is not ours or is damaged
          ├── AssetNotFoundError       no asset with that id
          ├── AssetInUseError          a layer still uses the asset
          ├── AssetRejectedError       an upload is not an acceptable image or font
          │    ├── AssetTooLargeError        over the size limit
          │    ├── AssetTypeError            not a supported type or format
          │    └── AssetUndecodableError     does not decode, or is unsafe to decode
          ├── RequestError             wrong at the HTTP level (not a scene error)
          │    ├── BadRequestError           unreadable JSON or header, disagreeing versions
          │    ├── UnauthorizedError         missing or wrong API token
          │    ├── ForbiddenError            a foreign web page (Origin) may not change things
          │    ├── ResourceNotFoundError     no such commit or scheduled commit
          │    │    └── CueNotFoundError     no such cue
          │    ├── RequestConflictError      the resource is in another state
          │    ├── BodyTooLargeError         the body is over the limit
          │    ├── UnsupportedMediaTypeError the body is not of an accepted type
          │    └── RequestValidationError    a field outside the scene is wrong (a form part)
          ├── QuotaExceededError       a configured quota (assets, schedule, clients) is full
          ├── ProgramError             the render side refused (output already running...)
          │    ├── ProgramArgumentError      a bad argument (output URL); has its path
          │    └── ProgramUnavailableError   this process does not render, or has no frame yet
          └── ObsError                 control/obsws/errors.py: the obs-websocket endpoint
               ├── ObsRequestError           a request failed (its requestStatus code)
               └── ObsSessionError           the client broke the protocol (a close code)
"""

from __future__ import annotations

__all__ = [
    "AssetError",
    "AssetMissingError",
    "CompositorError",
    "DuplicateLayerError",
    "EncoderError",
    "EncoderUnavailableError",
    "GLContextError",
    "LayerNotFoundError",
    "MediaDecodeError",
    "MediaError",
    "MediaInvalidError",
    "MediaUnsupportedError",
    "OutputError",
    "PreviewBusyError",
    "RenderError",
    "SceneError",
    "SceneValidationError",
    "ShaderError",
]


class CompositorError(Exception):
    """Base of every error the engine and the control plane raise on purpose."""


class SceneError(CompositorError):
    """A scene, layer or op is not acceptable.

    ``path`` points at the offending field in the JSON the client sent, e.g.
    ``layers[3].transform.scale_x`` or ``ops[1].patch.opacity``; ``reason`` is for a person.
    """

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}" if path else reason)
        self.path = path
        self.reason = reason


class SceneValidationError(SceneError):
    """Malformed or out-of-range input."""


class LayerNotFoundError(SceneError):
    """An op names a layer that does not exist."""


class DuplicateLayerError(SceneError):
    """An add names a layer id that already exists."""

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
    """An asset (image, font) could not be decoded or used."""


class AssetMissingError(AssetError):
    """An asset is not (yet) available to the renderer: it may arrive, so nothing is remembered."""


class EncoderError(CompositorError):
    pass


class EncoderUnavailableError(EncoderError):
    pass


class OutputError(CompositorError):
    pass


class PreviewBusyError(CompositorError):
    """A preview could not be rendered now: the request queue is full, or the render thread had
    no time left between program frames before the request's deadline (program frames first)."""
class MediaError(CompositorError):
    """A clip (video or sound file) cannot be used; the message says why, for a person."""


class MediaUnsupportedError(MediaError):
    """A container or codec this build cannot decode (not a media file, or a codec with no
    decoder)."""


class MediaInvalidError(MediaError):
    """A recognised file that cannot be played: it does not decode, has no frames or zero
    duration, has too many pixels or is too long for the limits."""


class MediaDecodeError(MediaError):
    """A clip failed while playing (file damaged or truncated on disk): reported, never raised
    into the render thread."""
