"""The numbers and the handshake of obs-websocket 5 (RPC version 1), as its protocol document
(obsproject/obs-websocket, ``docs/generated/protocol.md``) defines them.

- :class:`OpCode`: the message types (``{"op": N, "d": {...}}``).
- :class:`CloseCode`: the WebSocket close codes the server ends a session with.
- :class:`Status`: ``requestStatus.code`` of a response.
- :class:`Subscription`: the ``eventSubscriptions`` bits; :data:`ALL_EVENTS` is the default
  (every category but the high-volume events, which a client must ask for by their own bit).
- :class:`Auth`: the challenge of the ``Hello`` and the check of the ``Identify``:
  ``secret = base64(sha256(password + salt))``, ``authentication = base64(sha256(secret +
  challenge))``. The salt is drawn once per server, the challenge once per session.
"""

from __future__ import annotations

import base64
import enum
import hashlib
import hmac
import secrets

__all__ = ["ALL_EVENTS", "RPC_VERSION", "Auth", "CloseCode", "OpCode", "Status",
           "Subscription", "authentication_string"]

RPC_VERSION = 1
"""The one RPC version spoken (the only one obs-websocket 5 has)."""


class OpCode(enum.IntEnum):
    HELLO = 0
    IDENTIFY = 1
    IDENTIFIED = 2
    REIDENTIFY = 3
    EVENT = 5
    REQUEST = 6
    REQUEST_RESPONSE = 7
    REQUEST_BATCH = 8
    REQUEST_BATCH_RESPONSE = 9


class CloseCode(enum.IntEnum):
    UNKNOWN_REASON = 4000
    MESSAGE_DECODE_ERROR = 4002
    MISSING_DATA_FIELD = 4003
    INVALID_DATA_FIELD_TYPE = 4004
    INVALID_DATA_FIELD_VALUE = 4005
    UNKNOWN_OP_CODE = 4006
    NOT_IDENTIFIED = 4007
    ALREADY_IDENTIFIED = 4008
    AUTHENTICATION_FAILED = 4009
    UNSUPPORTED_RPC_VERSION = 4010
    SESSION_INVALIDATED = 4011
    UNSUPPORTED_FEATURE = 4012


class Status(enum.IntEnum):
    SUCCESS = 100
    MISSING_REQUEST_TYPE = 203
    UNKNOWN_REQUEST_TYPE = 204
    GENERIC_ERROR = 205
    UNSUPPORTED_REQUEST_BATCH_EXECUTION_TYPE = 206
    NOT_READY = 207
    MISSING_REQUEST_FIELD = 300
    MISSING_REQUEST_DATA = 301
    INVALID_REQUEST_FIELD = 400
    INVALID_REQUEST_FIELD_TYPE = 401
    REQUEST_FIELD_OUT_OF_RANGE = 402
    REQUEST_FIELD_EMPTY = 403
    OUTPUT_RUNNING = 500
    OUTPUT_NOT_RUNNING = 501
    STUDIO_MODE_NOT_ACTIVE = 506
    RESOURCE_NOT_FOUND = 600
    NOT_ENOUGH_RESOURCES = 603
    INVALID_RESOURCE_STATE = 604
    INVALID_INPUT_KIND = 605
    RESOURCE_ACTION_FAILED = 701
    REQUEST_PROCESSING_FAILED = 702


class Subscription(enum.IntFlag):
    NONE = 0
    GENERAL = 1 << 0
    CONFIG = 1 << 1
    SCENES = 1 << 2
    INPUTS = 1 << 3
    TRANSITIONS = 1 << 4
    FILTERS = 1 << 5
    OUTPUTS = 1 << 6
    SCENE_ITEMS = 1 << 7
    MEDIA_INPUTS = 1 << 8
    VENDORS = 1 << 9
    UI = 1 << 10
    CANVASES = 1 << 11
    INPUT_VOLUME_METERS = 1 << 16
    INPUT_ACTIVE_STATE_CHANGED = 1 << 17
    INPUT_SHOW_STATE_CHANGED = 1 << 18
    SCENE_ITEM_TRANSFORM_CHANGED = 1 << 19


ALL_EVENTS = int(
    Subscription.GENERAL | Subscription.CONFIG | Subscription.SCENES | Subscription.INPUTS
    | Subscription.TRANSITIONS | Subscription.FILTERS | Subscription.OUTPUTS
    | Subscription.SCENE_ITEMS | Subscription.MEDIA_INPUTS | Subscription.VENDORS
    | Subscription.UI | Subscription.CANVASES)
"""``EventSubscription::All``: the default of ``Identify``; no high-volume event."""


def _b64_sha256(data: bytes) -> str:
    return base64.b64encode(hashlib.sha256(data).digest()).decode("ascii")


def authentication_string(password: str, salt: str, challenge: str) -> str:
    """What a client answers to the challenge (the protocol's "Creating an authentication
    string")."""
    secret = _b64_sha256((password + salt).encode("utf-8"))
    return _b64_sha256((secret + challenge).encode("utf-8"))


class Auth:
    """The password check of one server: a salt drawn at construction, a challenge per session.

    The password itself is not kept: only the base64 secret that the salt derives from it.
    """

    def __init__(self, password: str) -> None:
        self.salt = base64.b64encode(secrets.token_bytes(32)).decode("ascii")
        self._secret = _b64_sha256((password + self.salt).encode("utf-8"))

    @staticmethod
    def new_challenge() -> str:
        return base64.b64encode(secrets.token_bytes(32)).decode("ascii")

    def check(self, challenge: str, answer: str) -> bool:
        """Whether ``answer`` is the right ``authentication`` for ``challenge`` (constant
        time)."""
        expected = _b64_sha256((self._secret + challenge).encode("utf-8"))
        return hmac.compare_digest(expected.encode("ascii"), answer.encode("utf-8", "replace"))
