"""Small builders shared by the store tests."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from compositor.scene import AddLayer, Color, ColorContent, Layer, UpdateLayer
from control.store.base import Change

__all__ = ["add", "color_layer", "next_changes", "rename"]


def color_layer(layer_id: str, name: str | None = None) -> Layer:
    return Layer(id=layer_id, kind="color", content=ColorContent(Color(10, 20, 30, 255)), name=name)


def add(layer_id: str, name: str | None = None) -> AddLayer:
    return AddLayer(color_layer(layer_id, name))


def rename(layer_id: str, name: str) -> UpdateLayer:
    return UpdateLayer(layer_id, {"name": name})


async def next_changes(feed: AsyncIterator[Change], count: int,
                       timeout_s: float = 10.0) -> list[Change]:
    """The next ``count`` changes of ``feed``, failing after ``timeout_s`` rather than hanging."""
    async def take() -> list[Change]:
        return [await anext(feed) for _ in range(count)]

    return await asyncio.wait_for(take(), timeout_s)
