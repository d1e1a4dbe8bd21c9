"""The narrow interface between the control plane and the render side.

The control package never imports the renderer, the encoders, the outputs or the pipeline; the
app talks to whatever renders this channel through :class:`ProgramControl`.
``control.service.serve``
adapts the pipeline to it; :class:`NullProgram` stands in on a ``--no-render`` replica.

Scene changes do not go through here: they go through the store, whose change feed the render
side follows.
"""

from __future__ import annotations

from typing import Any, Protocol

from compositor.scene import Scene
from control.errors import ProgramUnavailableError

__all__ = ["NullProgram", "ProgramControl"]


class ProgramControl(Protocol):
    """What the HTTP API may ask of the program (the rendered output of this channel).

    - :meth:`status` is the body of ``GET /api/v1/output``: at least ``state`` (idle, connecting,
      live, reconnecting, error), ``url`` (stream key redacted), ``frames``, ``dropped``, ``fps``,
      ``encoder``. It must not block (it is called on the event loop).
    - :meth:`start_output` / :meth:`stop_output` return the new status; they raise
      :class:`~control.errors.ProgramError` for a refused request
      (:class:`~control.errors.ProgramArgumentError` for a bad argument) and
      :class:`~control.errors.ProgramUnavailableError` where nothing renders.
    - :meth:`preview_jpeg` returns the latest program frame as JPEG bytes (``width`` in px, the
      height follows the aspect ratio), or None when there is no frame yet. Non-blocking.
    - :meth:`preview_scene` renders ``scene`` (not on air) evaluated at absolute ``frame`` as
      JPEG bytes ``width`` px wide (None: the preview width), between program frames; it never
      delays a program frame: :class:`~control.errors.ProgramUnavailableError` (503) when the
      render side has no time for it or nothing renders here.
    - :meth:`problems` names what is wrong right now (``{"output": "reconnecting: ..."}``);
      empty when healthy. Used by ``/readyz``.
    """

    def status(self) -> dict[str, Any]: ...

    async def start_output(self, url: str | None) -> dict[str, Any]: ...

    async def stop_output(self) -> dict[str, Any]: ...

    def preview_jpeg(self, width: int | None) -> bytes | None: ...

    async def preview_scene(self, scene: Scene, frame: int, width: int | None) -> bytes: ...

    def problems(self) -> dict[str, str]: ...


class NullProgram:
    """The program of a process that does not render: always idle, no preview, no outputs."""

    def status(self) -> dict[str, Any]:
        return {
            "state": "idle",
            "url": None,
            "frames": 0,
            "dropped": 0,
            "fps": 0.0,
            "encoder": None,
            "rendering": False,
        }

    async def start_output(self, url: str | None) -> dict[str, Any]:
        raise ProgramUnavailableError("this replica does not render (started with --no-render)")

    async def stop_output(self) -> dict[str, Any]:
        raise ProgramUnavailableError("this replica does not render (started with --no-render)")

    def preview_jpeg(self, width: int | None) -> bytes | None:
        raise ProgramUnavailableError("this replica is control-only (started with --no-render): "
                                      "it never has a picture; ask the process that renders")

    async def preview_scene(self, scene: Scene, frame: int, width: int | None) -> bytes:
        raise ProgramUnavailableError("this replica is control-only (started with --no-render): "
                                      "it cannot render a preview; ask the process that renders")

    def problems(self) -> dict[str, str]:
        return {}
