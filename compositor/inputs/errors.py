"""The live inputs' errors, below the engine's root (``compositor.errors``)::

    CompositorError
     └── InputError                  a live input cannot be used (the message says why)
          ├── InputSpecError         a bad input definition (URL, latency, loss): has a JSON path
          └── InputStreamError       opening or reading the stream failed (reported in the
                                     input's status as ``last_error``, then retried)

PyAV's and the operating system's errors are translated into :class:`InputStreamError` once, in
:mod:`compositor.inputs.connect` and :mod:`compositor.inputs.reader`; they never leave the reader
thread. Only :class:`InputSpecError` reaches a caller (the control plane maps it to HTTP 422).
"""

from __future__ import annotations

from compositor.errors import CompositorError

__all__ = ["InputError", "InputSpecError", "InputStreamError"]


class InputError(CompositorError):
    """A live input cannot be used."""


class InputSpecError(InputError):
    """A field of an input definition is wrong: ``path`` names it (``url``, ``loss.hold_ms``),
    ``reason`` says why."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class InputStreamError(InputError):
    """Opening or reading an input's stream failed (refused, timed out, undecodable)."""
