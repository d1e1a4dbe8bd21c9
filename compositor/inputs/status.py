"""An input's status: what ``GET /api/v1/inputs/{id}`` answers and ``input.state`` carries.

States (CONTRACT v1.1):

- ``connecting``: the first connection is being made; nothing has arrived yet.
- ``live``: pictures (or sound) arrive; ``media_age_ms`` says how long ago the last one did.
- ``lost``: it was live, and nothing arrived for ``loss.hold_ms`` (or the connection dropped):
  its layers show the fallback, its sound is silent, the reader reconnects.
- ``error``: it was never live since the last time it was: the connection is refused, the
  stream does not decode (``last_error`` says why); the reader keeps retrying.

``media_age_ms`` is None before anything arrived. ``frames`` counts decoded pictures, ``late``
those that arrived after their due time (the jitter buffer was too short for the network),
``reconnects`` the connection attempts after the first, ``discontinuities`` the timestamp jumps
(backwards, forwards) the timeline was re-anchored for. The URL is redacted.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

from compositor.inputs.spec import InputSpec, redact_input_url

__all__ = ["INPUT_STATES", "InputState", "InputStatus"]

InputState = Literal["connecting", "live", "lost", "error"]
INPUT_STATES: tuple[InputState, ...] = ("connecting", "live", "lost", "error")


@dataclass(frozen=True, slots=True)
class InputStatus:
    """A snapshot of one input (immutable; safe to hand to any thread)."""

    id: str
    url: str  # redacted
    state: InputState
    width: int | None
    height: int | None
    fps: float | None
    video_codec: str | None
    audio_codec: str | None
    has_audio: bool
    media_age_ms: int | None
    frames: int
    late: int
    reconnects: int
    discontinuities: int
    last_error: str | None
    latency_ms: int
    loss: dict[str, Any]

    @classmethod
    def waiting(cls, spec: InputSpec, last_error: str | None = None) -> InputStatus:
        """The status of an input no reader has reported on (yet): ``connecting``."""
        return cls(id=spec.id, url=redact_input_url(spec.url), state="connecting", width=None,
                   height=None, fps=None, video_codec=None, audio_codec=None, has_audio=False,
                   media_age_ms=None, frames=0, late=0, reconnects=0, discontinuities=0,
                   last_error=last_error, latency_ms=spec.latency_ms,
                   loss={"hold_ms": spec.loss.hold_ms, "then": spec.loss.then})

    def to_json(self) -> dict[str, Any]:
        """The JSON object of the contract (plus ``audio_codec``, ``discontinuities``,
        ``latency_ms`` and ``loss``)."""
        return asdict(self)
