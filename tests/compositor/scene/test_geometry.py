"""Layer geometry (compositor/scene/geometry.py), on the CPU, against hand-computed corners."""

from __future__ import annotations

import numpy as np
import pytest

from compositor.scene import Crop, Transform
from compositor.scene.geometry import (
    UvRect,
    box_size,
    canvas_to_clip,
    cropped_size,
    is_pixel_aligned,
    layer_matrix,
    layer_quad,
    uv_rect,
)


def corners(transform: Transform, box: tuple[float, float]) -> np.ndarray:
    return layer_quad(layer_matrix(transform, box))


def test_identity_places_the_box_at_the_origin() -> None:
    expected = [[0, 0], [40, 0], [40, 20], [0, 20]]
    assert np.allclose(corners(Transform(), (40, 20)), expected)


def test_position_and_anchor() -> None:
    quad = corners(Transform(x_px=100, y_px=50, anchor_x=0.5, anchor_y=1.0), (40, 20))
    assert np.allclose(quad, [[80, 30], [120, 30], [120, 50], [80, 50]])


def test_scale_about_the_anchor() -> None:
    transform = Transform(x_px=100, y_px=50, anchor_x=0.5, anchor_y=0.5, scale_x=2, scale_y=0.5)
    quad = corners(transform, (40, 20))
    assert np.allclose(quad, [[60, 45], [140, 45], [140, 55], [60, 55]])


def test_rotation_90_is_clockwise_on_screen() -> None:
    # Top-left anchor at (100, 50): the top edge, pointing right, now points down.
    quad = corners(Transform(x_px=100, y_px=50, rotation_deg=90), (40, 20))
    assert np.allclose(quad, [[100, 50], [100, 90], [80, 90], [80, 50]])
    assert (layer_matrix(Transform(rotation_deg=90), (1, 1))[:2, :2] == [[0, -1], [1, 0]]).all()


def test_rotation_30_about_the_centre() -> None:
    transform = Transform(x_px=0, y_px=0, anchor_x=0.5, anchor_y=0.5, rotation_deg=30)
    quad = corners(transform, (2, 0))
    c, s = np.cos(np.radians(30)), np.sin(np.radians(30))
    assert np.allclose(quad[0], [-c, -s]) and np.allclose(quad[1], [c, s])


def test_explicit_size_wins_over_natural() -> None:
    assert box_size(Transform(), (30, 10)) == (30, 10)
    assert box_size(Transform(width_px=50), (30, 10)) == (50, 10)
    assert box_size(Transform(width_px=50, height_px=5), (30, 10)) == (50, 5)


def test_crop_shrinks_the_natural_size_and_selects_uvs() -> None:
    crop = Crop(left=0.25, top=0.1, right=0.25, bottom=0.4)
    assert cropped_size(200, 100, crop) == pytest.approx((100, 50))
    assert uv_rect(crop) == UvRect(0.25, 0.1, 0.75, 0.6)
    assert cropped_size(10, 10, Crop(left=0.7, right=0.7)) == (0.0, 10.0)


def test_canvas_to_clip_keeps_the_top_row_at_gl_row_zero() -> None:
    to_clip = canvas_to_clip(200, 100)
    assert np.allclose(to_clip @ [0, 0, 1], [-1, -1, 1])
    assert np.allclose(to_clip @ [200, 100, 1], [1, 1, 1])


def test_pixel_alignment() -> None:
    full = UvRect(0, 0, 1, 1)
    assert is_pixel_aligned(layer_matrix(Transform(x_px=3, y_px=4), (16, 8)), (16, 8), full)
    assert not is_pixel_aligned(layer_matrix(Transform(x_px=3.5), (16, 8)), (16, 8), full)
    assert not is_pixel_aligned(
        layer_matrix(Transform(scale_x=2, scale_y=2), (16, 8)), (16, 8), full
    )
    assert not is_pixel_aligned(layer_matrix(Transform(rotation_deg=90), (16, 8)), (16, 8), full)
    # A crop of whole texels keeps alignment; a crop of half a texel breaks it.
    crop = uv_rect(Crop(left=0.25))
    assert is_pixel_aligned(layer_matrix(Transform(), (12, 8)), (16, 8), crop)
    half = uv_rect(Crop(left=1 / 32))
    assert not is_pixel_aligned(layer_matrix(Transform(), (15.5, 8)), (16, 8), half)
