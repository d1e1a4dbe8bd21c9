"""GL test fixtures: one EGL context for the session, renderers released after each test."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from compositor.gl.context import GLContext, create_context
from compositor.gl.frame_renderer import FrameRenderer


@pytest.fixture(scope="session")
def gl() -> Iterator[GLContext]:
    """The session's GL context (llvmpipe here); created and used on the main thread only."""
    context = create_context()
    yield context
    context.release()


MakeRenderer = Callable[..., FrameRenderer]


@pytest.fixture
def make_renderer(gl: GLContext) -> Iterator[MakeRenderer]:
    """``make_renderer(width, height, assets_dict, **options)``; released when the test ends."""
    made: list[FrameRenderer] = []

    def make(
        width: int, height: int, assets: dict[str, bytes], **options: object
    ) -> FrameRenderer:
        options.setdefault("nv12_method", "fragment")
        renderer = FrameRenderer(gl, width, height, assets.get, **options)  # type: ignore[arg-type]
        made.append(renderer)
        return renderer

    yield make
    for renderer in made:
        renderer.release()
    assert gl.ctx.error == "GL_NO_ERROR"
