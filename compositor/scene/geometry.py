"""Layer geometry in numpy: where a layer's box lands on the canvas. Pure; tested on the CPU.

Coordinates:

* *unit space*: the layer box as the unit square, ``(0, 0)`` its top-left corner, ``(1, 1)`` its
  bottom-right; it is also the texture coordinate of the visible (cropped) part of the source.
* *canvas space*: canvas pixels, origin at the top-left corner of the canvas, y down. Pixel
  ``(i, j)`` covers ``[i, i + 1) x [j, j + 1)``; its centre is ``(i + 0.5, j + 0.5)``.
* *clip space*: OpenGL normalised device coordinates. The framebuffer stores the canvas *top* row
  at GL row 0, so ``y_clip = 2 y / H - 1`` (no flip): reading the framebuffer back gives top row
  first, the order images, NV12 and the encoder use.

The layer matrix is ``T(x, y) · R(rotation) · S(scale) · T(-anchor · box) · S(box)``: the box is
scaled and rotated (clockwise on screen, since y points down) about its anchor, and the anchor is
put at ``(x_px, y_px)``. All matrices are 3×3 float64 acting on column vectors ``(x, y, 1)``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from compositor.scene import Crop, Transform

__all__ = [
    "Matrix",
    "UvRect",
    "box_size",
    "canvas_to_clip",
    "cropped_size",
    "is_pixel_aligned",
    "layer_matrix",
    "layer_quad",
    "uv_rect",
]

Matrix = npt.NDArray[np.float64]
"""A 3×3 float64 affine matrix acting on column vectors ``(x, y, 1)``."""


@dataclass(frozen=True, slots=True)
class UvRect:
    """The part of the source shown in the box, in texture coordinates (0..1, v down)."""

    u0: float
    v0: float
    u1: float
    v1: float


def cropped_size(source_w: float, source_h: float, crop: Crop) -> tuple[float, float]:
    """The natural size of a cropped source: what remains after the cut-away fractions."""
    return (
        source_w * max(0.0, 1.0 - crop.left - crop.right),
        source_h * max(0.0, 1.0 - crop.top - crop.bottom),
    )


def box_size(transform: Transform, natural: tuple[float, float]) -> tuple[float, float]:
    """The layer box in px before scale: explicit width/height, else the natural size."""
    width = natural[0] if transform.width_px is None else transform.width_px
    height = natural[1] if transform.height_px is None else transform.height_px
    return (width, height)


def uv_rect(crop: Crop) -> UvRect:
    """Texture coordinates of the part of the source that the crop leaves."""
    return UvRect(crop.left, crop.top, 1.0 - crop.right, 1.0 - crop.bottom)


def layer_matrix(transform: Transform, box: tuple[float, float]) -> Matrix:
    """Unit space -> canvas px for a layer whose box (before scale) is ``box`` px."""
    width, height = box
    theta = math.radians(transform.rotation_deg)
    cos, sin = math.cos(theta), math.sin(theta)
    # Exact quarter turns keep exact zeros, so a rotated image stays on the pixel grid.
    cos, sin = _snap(cos), _snap(sin)
    translate = _affine(1.0, 0.0, 0.0, 1.0, transform.x_px, transform.y_px)
    rotate = _affine(cos, -sin, sin, cos, 0.0, 0.0)
    scale = _affine(transform.scale_x, 0.0, 0.0, transform.scale_y, 0.0, 0.0)
    to_anchor = _affine(
        width, 0.0, 0.0, height, -transform.anchor_x * width, -transform.anchor_y * height
    )
    return translate @ rotate @ scale @ to_anchor


def canvas_to_clip(canvas_w: int, canvas_h: int) -> Matrix:
    """Canvas px -> clip space, with the canvas top row at GL row 0 (see module docstring)."""
    return _affine(2.0 / canvas_w, 0.0, 0.0, 2.0 / canvas_h, -1.0, -1.0)


def layer_quad(matrix: Matrix) -> npt.NDArray[np.float64]:
    """Box corners in canvas px, shape (4, 2): top-left, top-right, bottom-right, bottom-left."""
    corners = np.array([[0.0, 1.0, 1.0, 0.0], [0.0, 0.0, 1.0, 1.0], [1.0, 1.0, 1.0, 1.0]])
    mapped = matrix @ corners
    return np.ascontiguousarray(mapped[:2].T)


def is_pixel_aligned(matrix: Matrix, source_px: tuple[float, float], uv: UvRect) -> bool:
    """Whether the layer maps source texels 1:1 onto canvas pixels at integer positions.

    Then sampling level 0 at texel centres reproduces the source exactly (no mipmap blending).
    """
    texels_w = source_px[0] * (uv.u1 - uv.u0)
    texels_h = source_px[1] * (uv.v1 - uv.v0)
    want = np.array([[texels_w, 0.0], [0.0, texels_h]])
    if not np.allclose(matrix[:2, :2], want, atol=1e-6):
        return False
    # The box corner and the first visible texel must both sit on whole pixels.
    offsets = np.array([matrix[0, 2], matrix[1, 2], uv.u0 * source_px[0], uv.v0 * source_px[1]])
    return bool(np.allclose(offsets, np.round(offsets), atol=1e-6))


def _affine(a: float, b: float, c: float, d: float, tx: float, ty: float) -> Matrix:
    return np.array([[a, b, tx], [c, d, ty], [0.0, 0.0, 1.0]], dtype=np.float64)


def _snap(value: float) -> float:
    rounded = round(value)
    return float(rounded) if abs(value - rounded) < 1e-12 else value
