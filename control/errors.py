"""Errors of the control plane (store, assets, requests, the program), below the engine's root.

The whole tree, engine and control plane, is drawn once, in :mod:`compositor.errors`. These
classes carry what went wrong (a version, an asset id, a JSON path), never an HTTP status: the
status and error code of each class are decided in one table, ``control/http.py``.
"""

from __future__ import annotations

from compositor.errors import CompositorError

__all__ = [
    "AssetInUseError",
    "AssetNotFoundError",
    "AssetRejectedError",
    "AssetTooLargeError",
    "AssetTypeError",
    "AssetUndecodableError",
    "BadRequestError",
    "BodyTooLargeError",
    "ControlError",
    "CorruptDataError",
    "CueNotFoundError",
    "ForbiddenError",
    "PreconditionFailedError",
    "ProgramArgumentError",
    "ProgramError",
    "ProgramUnavailableError",
    "QuotaExceededError",
    "RequestConflictError",
    "RequestError",
    "RequestValidationError",
    "ResourceNotFoundError",
    "StoreError",
    "StoreUnavailableError",
    "UnauthorizedError",
    "UnsupportedMediaTypeError",
    "VersionConflictError",
]


class ControlError(CompositorError):
    """Base of every error the control plane raises on purpose."""


class StoreError(ControlError):
    """The store failed."""


class VersionConflictError(StoreError):
    """The expected version (a body's ``if_version``) is not the current one."""

    def __init__(self, expected: int, current: int) -> None:
        super().__init__(f"expected version {expected}, the scene is at version {current}")
        self.expected = expected
        self.current = current


class PreconditionFailedError(VersionConflictError):
    """The expected version came from an ``If-Match`` header and is not the current one."""


class StoreUnavailableError(StoreError):
    """The backend (Redis) cannot be reached right now."""


class CorruptDataError(StoreError):
    """Data under our keys is not ours or is damaged."""


class AssetNotFoundError(ControlError):
    def __init__(self, asset_id: str) -> None:
        super().__init__(f"no asset with id {asset_id!r}")
        self.asset_id = asset_id


class AssetInUseError(ControlError):
    def __init__(self, asset_id: str, layer_ids: tuple[str, ...]) -> None:
        super().__init__(f"asset {asset_id!r} is used by layer(s) {', '.join(layer_ids)}")
        self.asset_id = asset_id
        self.layer_ids = layer_ids


class AssetRejectedError(ControlError):
    """An upload was refused (the message says why); the subclass says what kind of refusal."""


class AssetTooLargeError(AssetRejectedError):
    """The upload is larger than the asset size limit."""


class AssetTypeError(AssetRejectedError):
    """The upload is not a supported type (or image format)."""


class AssetUndecodableError(AssetRejectedError):
    """The upload is empty, does not decode, or is too large to decode safely (a bomb)."""


class RequestError(ControlError):
    """A request that is wrong at the HTTP level (not a scene error).

    ``message`` is for a person, ``path`` names the offending field or header, if any.
    """

    def __init__(self, message: str, path: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.path = path


class BadRequestError(RequestError):
    """Unreadable JSON or header, or parts of the request that disagree."""


class UnauthorizedError(RequestError):
    """A missing or wrong API token."""


class ForbiddenError(RequestError):
    """A request this service refuses to take from where it comes (a foreign web page)."""


class ResourceNotFoundError(RequestError):
    """No such commit, scheduled commit, ... (the path names the URL parameter)."""


class CueNotFoundError(ResourceNotFoundError):
    """No cue with that id (the path is the URL parameter ``id``, or the field naming it)."""

    def __init__(self, cue_id: str, path: str = "id") -> None:
        super().__init__(f"no cue with id {cue_id!r}", path)
        self.cue_id = cue_id


class RequestConflictError(RequestError):
    """The resource is in a state that does not allow the request."""


class BodyTooLargeError(RequestError):
    """The body is larger than the limit."""


class UnsupportedMediaTypeError(RequestError):
    """The body's declared type is not one that is accepted."""


class RequestValidationError(RequestError):
    """A field outside the scene model is wrong (e.g. a form without its file part)."""


class QuotaExceededError(ControlError):
    """A configured quota (assets, scheduled commits, WebSocket clients) is full."""


class ProgramError(ControlError):
    """The render side refused a request in its current state (output already running...).

    ``path`` names the offending argument, if any.
    """

    def __init__(self, message: str, *, path: str | None = None) -> None:
        super().__init__(message)
        self.path = path


class ProgramArgumentError(ProgramError):
    """The render side refused an argument (no or a bad output URL)."""


class ProgramUnavailableError(ProgramError):
    """This process does not render (a ``--no-render`` replica) or has no frame yet."""
