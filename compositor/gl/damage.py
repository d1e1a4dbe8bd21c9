"""Damage: which pixels of the frame can differ from the previous one, from what was drawn.

A frame is described by its :class:`Footprint`: the frame size, the background and, in draw
order, each drawn layer's :class:`Mark` (its ``look``, everything but place that decides its
pixels, and its ``bounds``, a pixel rectangle that holds every pixel it can touch). A pixel's
value depends only on the background and on the ordered looks of the layers whose bounds hold it,
so between two footprints the pixels that can change lie in:

* the whole frame, when the size or the background changed (or there is no previous frame);
* the old and the new bounds of a layer whose look or bounds changed, that appeared or that
  disappeared;
* the bounds of a layer whose rank among the layers of both frames changed. When two layers swap
  order, at least one of them changes rank, and their order matters only where both are drawn,
  which lies inside the bounds of each.

:func:`damage` returns those regions as at most ``max_rects`` disjoint-enough rectangles (merged
when they overlap or when there are too many), clipped to the frame; :func:`row_bands` turns them
into the even row ranges the NV12 conversion and the readback work on. Pure functions of plain
values: tested without GL.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

__all__ = ["Footprint", "Mark", "Rect", "bounds_of", "damage", "overlaps", "row_bands"]

Rect = tuple[int, int, int, int]
"""x0, y0, x1, y1 in frame pixels, top row 0, end-exclusive."""


@dataclass(frozen=True, slots=True)
class Mark:
    """One drawn layer: its id, what decides its pixels (compared with ==) and its bounds."""

    layer_id: str
    look: Hashable
    bounds: Rect


@dataclass(frozen=True, slots=True)
class Footprint:
    """One frame: its size, its background (premultiplied) and its marks in draw order."""

    size: tuple[int, int]
    background: tuple[float, float, float, float]
    marks: tuple[Mark, ...]


def bounds_of(corners: Sequence[tuple[float, float]], size: tuple[int, int]) -> Rect | None:
    """The pixel rectangle holding every pixel a convex shape with these ``corners`` (frame
    pixels, y down) can touch, clipped to ``size``; None when it touches none. One pixel of
    margin on each side covers rasterisation rounding; a non-finite corner means the whole
    frame."""
    width, height = size
    # Corners that went through clip space come back a hair off whole pixels: snap those.
    xs = [_snap(x) for x, _ in corners]
    ys = [_snap(y) for _, y in corners]
    if not all(math.isfinite(v) for v in (*xs, *ys)):
        return (0, 0, width, height)
    x0 = max(0, math.floor(min(xs)) - 1)
    y0 = max(0, math.floor(min(ys)) - 1)
    x1 = min(width, math.ceil(max(xs)) + 1)
    y1 = min(height, math.ceil(max(ys)) + 1)
    if x0 >= x1 or y0 >= y1:
        return None
    return (x0, y0, x1, y1)


def damage(old: Footprint | None, new: Footprint, *, max_rects: int = 8) -> list[Rect]:
    """The rectangles to redraw so that the frame drawn for ``old`` becomes the one for ``new``
    (see the module docstring); an empty list when nothing can differ."""
    width, height = new.size
    whole = [(0, 0, width, height)]
    if old is None or old.size != new.size or old.background != new.background:
        return whole
    before = {mark.layer_id: mark for mark in old.marks}
    after = {mark.layer_id: mark for mark in new.marks}
    common_old = [mark.layer_id for mark in old.marks if mark.layer_id in after]
    common_new = [mark.layer_id for mark in new.marks if mark.layer_id in before]
    rank_old = {layer_id: index for index, layer_id in enumerate(common_old)}
    rank_new = {layer_id: index for index, layer_id in enumerate(common_new)}
    rects: list[Rect] = []
    for mark in old.marks:
        if mark.layer_id not in after:
            rects.append(mark.bounds)
    for mark in new.marks:
        was = before.get(mark.layer_id)
        if was is None:
            rects.append(mark.bounds)
        elif was.look != mark.look or was.bounds != mark.bounds:
            rects.extend((was.bounds, mark.bounds))
        elif rank_old[mark.layer_id] != rank_new[mark.layer_id]:
            rects.append(mark.bounds)
    return _merge(rects, max_rects)


def row_bands(rects: Sequence[Rect], height: int) -> list[tuple[int, int]]:
    """The rows the rectangles cover as sorted, disjoint ``(y0, y1)`` ranges widened to even
    rows (an NV12 chroma row serves two picture rows), adjacent ranges joined."""
    spans = sorted((y0 - y0 % 2, min(height, y1 + y1 % 2)) for _, y0, _, y1 in rects)
    bands: list[tuple[int, int]] = []
    for y0, y1 in spans:
        if bands and y0 <= bands[-1][1]:
            bands[-1] = (bands[-1][0], max(bands[-1][1], y1))
        else:
            bands.append((y0, y1))
    return bands


def _snap(value: float) -> float:
    nearest = round(value) if math.isfinite(value) else value
    return float(nearest) if abs(value - nearest) < 1e-6 else value


def _area(rect: Rect) -> int:
    return (rect[2] - rect[0]) * (rect[3] - rect[1])


def _union(a: Rect, b: Rect) -> Rect:
    return (min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3]))


def overlaps(a: Rect, b: Rect) -> bool:
    """Whether two rectangles share a pixel."""
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _merge(rects: list[Rect], max_rects: int) -> list[Rect]:
    """Join overlapping rectangles (so no pixel is drawn twice), then, while there are more
    than ``max_rects``, the pair whose union adds the least area."""
    merged: list[Rect] = []
    for rect in sorted(set(rects)):
        if rect[0] >= rect[2] or rect[1] >= rect[3]:
            continue
        while True:
            hit = next((i for i, other in enumerate(merged) if overlaps(rect, other)), None)
            if hit is None:
                break
            rect = _union(rect, merged.pop(hit))
        merged.append(rect)
    while len(merged) > max(1, max_rects):
        best: tuple[int, int, int] | None = None
        for i in range(len(merged)):
            for j in range(i + 1, len(merged)):
                u = _union(merged[i], merged[j])
                growth = _area(u) - _area(merged[i]) - _area(merged[j])
                if best is None or growth < best[0]:
                    best = (growth, i, j)
        assert best is not None
        _, i, j = best
        joined = _union(merged[i], merged[j])
        merged = [r for k, r in enumerate(merged) if k not in (i, j)]
        merged = _merge([*merged, joined], len(merged) + 1)
    return merged
