"""GL test fixtures: one EGL context for the session, renderers released after each test."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import msgspec
import pytest

from compositor.gl.context import GLContext, create_context
from compositor.gl.frame_renderer import FrameRenderer
from compositor.scene import Scene


@pytest.fixture(scope="session")
def gl() -> Iterator[GLContext]:
    """The session's GL context (llvmpipe here); created and used on the main thread only."""
    context = create_context()
    yield context
    context.release()


MakeRenderer = Callable[..., FrameRenderer]


class DamagedRenderer(FrameRenderer):
    """A renderer whose first program frame is a damaged one: it first renders, unseen, the
    same scene without its layers, so the test's frame redraws (scissored) only the layers'
    regions, converts only those rows to NV12 and reads back only them."""

    primed = False

    def render(self, scene: Scene, tag: object, frame: int = 0) -> None:
        if not self.primed:
            self.primed = True
            super().render(msgspec.structs.replace(scene, layers=(), exiting=()), None, frame)
            super().flush()
            self.frames -= 1
        super().render(scene, tag, frame)


@pytest.fixture(params=["whole", "damaged"])
def make_renderer(gl: GLContext, request: pytest.FixtureRequest) -> Iterator[MakeRenderer]:
    """``make_renderer(width, height, assets_dict, **options)``; released when the test ends.

    Every test that uses it runs twice: with frames drawn whole, and with its first frame a
    damaged redraw of a frame that showed only the background (:class:`DamagedRenderer`)."""
    made: list[FrameRenderer] = []
    kind = DamagedRenderer if request.param == "damaged" else FrameRenderer

    def make(
        width: int, height: int, assets: dict[str, bytes], **options: object
    ) -> FrameRenderer:
        options.setdefault("nv12_method", "fragment")
        renderer = kind(gl, width, height, assets.get, **options)  # type: ignore[arg-type]
        made.append(renderer)
        return renderer

    yield make
    for renderer in made:
        renderer.release()
    assert gl.ctx.error == "GL_NO_ERROR"
