"""Errors of the obs-websocket endpoint (under ``ControlError``, drawn in ``compositor.errors``).

::

    ControlError
    └── ObsError
        ├── ObsRequestError    a request failed: its ``requestStatus`` code and comment; the
        │                      session goes on (a request never drops the connection)
        └── ObsSessionError    the client broke the protocol: the session is closed with a
                               ``WebSocketCloseCode`` and a reason

The control plane's own errors (a scene validation error, a store outage, a refused output) are
translated into :class:`ObsRequestError` once, in ``control.obsws.requests.translate``.
"""

from __future__ import annotations

from control.errors import ControlError

__all__ = ["ObsError", "ObsRequestError", "ObsSessionError"]


class ObsError(ControlError):
    """Base of the obs-websocket endpoint's errors."""


class ObsRequestError(ObsError):
    """A request failed with ``status`` (a ``protocol.Status`` value); ``comment`` says why."""

    def __init__(self, status: int, comment: str = "") -> None:
        super().__init__(comment or f"request status {status}")
        self.status = status
        self.comment = comment


class ObsSessionError(ObsError):
    """The session must close with WebSocket close code ``code`` (``protocol.CloseCode``)."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason
