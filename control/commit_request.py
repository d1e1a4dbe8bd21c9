"""The commit request, ``{"if_version": 12?, "ops": [...], "at": {...}?}``: one parser for HTTP
(``POST /api/v1/commits``) and the WebSocket (``{"type": "commit", ...}``).

Checked here, the same way for both: no unknown field (``extra_fields`` names the envelope's own,
e.g. the WebSocket's ``type`` and ``id``), ``ops`` present, ``if_version`` an integer in
``[0, 2**53)`` (versions stay below 2**53 so every JSON client reads them exactly), agreeing with
an ``If-Match`` version when both are given, and the ops decoded (ids assigned). ``at`` is only
carried: :meth:`~control.committer.Committer.schedule` resolves it with the scene at hand.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from compositor.errors import SceneValidationError
from compositor.scene import Op
from control.committer import Committer
from control.errors import BadRequestError

__all__ = ["MAX_VERSION", "CommitRequest", "parse_commit_request"]

MAX_VERSION = 2**53
"""Versions (and so ``if_version``) are below this: the largest exact integer of a double."""

_FIELDS = ("if_version", "ops", "at")


@dataclass(frozen=True, slots=True)
class CommitRequest:
    """A parsed commit request.

    ``if_version`` is the expected scene version (None: any); ``if_match`` says it came from the
    ``If-Match`` header (a stale one is then 412, not 409). ``scheduled`` says the request had an
    ``at``, kept as sent in ``at``.
    """

    ops: tuple[Op, ...]
    if_version: int | None
    if_match: bool = False
    scheduled: bool = False
    at: Any = None


def _if_version(body: dict[str, Any]) -> int | None:
    value = body.get("if_version")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < MAX_VERSION:
        raise SceneValidationError("if_version", "must be a non-negative integer")
    return value


def parse_commit_request(
    body: Any, committer: Committer, *, if_match: int | None = None,
    extra_fields: Iterable[str] = (),
) -> CommitRequest:
    """Check and decode ``body``; ``if_match`` is the ``If-Match`` version (HTTP), if any.

    Raises ``SceneValidationError`` (422, with the path) or ``BadRequestError`` (400) when
    ``if_version`` and ``If-Match`` disagree.
    """
    if not isinstance(body, dict):
        raise SceneValidationError("", "the body must be an object {\"ops\": [...]}")
    allowed = (*_FIELDS, *extra_fields)
    for key in body:
        if key not in allowed:
            raise SceneValidationError(str(key), "unknown field")
    if "ops" not in body:
        raise SceneValidationError("ops", "is required")
    body_version = _if_version(body)
    if body_version is not None and if_match is not None and body_version != if_match:
        raise BadRequestError("If-Match and if_version disagree", "if_version")
    ops = committer.decode(body["ops"])
    from_header = body_version is None and if_match is not None
    expected = if_match if from_header else body_version
    return CommitRequest(ops, expected, from_header, "at" in body, body.get("at"))
