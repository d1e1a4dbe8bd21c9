"""Errors of the control package (store, assets, auth) and their HTTP mapping.

::

    ControlError
     ├── StoreError                  the store failed
     │    ├── VersionConflictError   stale if_version / If-Match; has the current version (409/412)
     │    ├── StoreUnavailableError  the backend (Redis) cannot be reached right now      (503)
     │    └── CorruptDataError       data under our keys is not ours or is damaged        (500)
     ├── AssetNotFoundError          no asset with that id                                (404)
     ├── AssetInUseError             a layer still uses the asset                         (409)
     └── AssetRejectedError          not an acceptable image or font        (413/415/422: .status)

Scene errors (``compositor.errors.SceneError``) keep their own codes: 422, 404, 409.
"""

from __future__ import annotations

__all__ = [
    "AssetInUseError",
    "AssetNotFoundError",
    "AssetRejectedError",
    "ProgramError",
    "ProgramUnavailableError",
    "RequestError",
    "ControlError",
    "CorruptDataError",
    "StoreError",
    "StoreUnavailableError",
    "VersionConflictError",
]


class ControlError(Exception):
    """Base of every error this package raises on purpose."""


class StoreError(ControlError):
    pass


class VersionConflictError(StoreError):
    """The expected version is not the current one."""

    def __init__(self, expected: int, current: int) -> None:
        super().__init__(f"expected version {expected}, the scene is at version {current}")
        self.expected = expected
        self.current = current


class StoreUnavailableError(StoreError):
    pass


class CorruptDataError(StoreError):
    pass


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
    """An upload was refused; ``status`` is 413 (too big), 415 (type) or 422 (undecodable, bomb)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class RequestError(ControlError):
    """A request that is wrong at the HTTP level (not a scene error).

    ``status`` is the HTTP status (400, 401, 404, 405, 412, 413, 415, 422), ``code`` the
    machine-readable error code of the body, ``path`` the offending field or header, if any.
    ``extra`` is merged into the top level of the error body (e.g. ``{"version": 12}``).
    """

    def __init__(
        self, status: int, code: str, message: str, path: str | None = None,
        extra: dict[str, object] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.path = path
        self.extra = extra or {}


class ProgramError(ControlError):
    """The render side refused a request (bad output URL, output already running...): 409/422.

    ``status`` is 409 (state conflict) or 422 (bad argument); ``path`` names the argument.
    """

    def __init__(self, message: str, *, status: int = 409, path: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.path = path


class ProgramUnavailableError(ProgramError):
    """This process does not render (a ``--no-render`` replica) or has no frame yet (503)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, status=503)
