"""Helpers for the GL tests: test images as encoded bytes, and frame comparisons."""

from __future__ import annotations

import hashlib
import io

import numpy as np
import numpy.typing as npt
from PIL import Image

__all__ = [
    "asset_id",
    "assert_matches",
    "encode",
    "gradient_rgba",
    "ink_bbox",
    "interior_mask",
    "premultiplied",
]

U8 = npt.NDArray[np.uint8]
F64 = npt.NDArray[np.float64]


def asset_id(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def encode(pixels: U8, fmt: str = "PNG") -> bytes:
    """RGBA (or RGB) uint8 pixels as image-file bytes."""
    image = Image.fromarray(pixels)
    if fmt in ("JPEG",):
        image = image.convert("RGB")
    buffer = io.BytesIO()
    image.save(buffer, fmt, **({"lossless": True} if fmt == "WEBP" else {}))
    return buffer.getvalue()


def gradient_rgba(width: int, height: int, *, alpha: int | None = None) -> U8:
    """A smooth image: red along x, green along y, constant blue; alpha constant or along x+y."""
    x = np.linspace(0, 1, width)[None, :]
    y = np.linspace(0, 1, height)[:, None]
    out = np.zeros((height, width, 4), dtype=np.float64)
    out[..., 0] = 40 + 200 * x
    out[..., 1] = 30 + 180 * y
    out[..., 2] = 150
    out[..., 3] = 255 if alpha is None else alpha
    if alpha is None:
        out[..., 3] = 255 - 120 * (x + y) / 2
    return np.rint(out).astype(np.uint8)


def interior_mask(
    reference: F64, *, radius: int = 2, jump: float = 6 / 255
) -> npt.NDArray[np.bool_]:
    """Pixels at least ``radius`` px away from any jump of more than ``jump`` in the reference."""
    height, width = reference.shape[:2]
    edge = np.zeros((height, width), dtype=bool)
    padded = np.pad(reference, ((1, 1), (1, 1), (0, 0)), mode="edge")
    for dy in (-1, 0, 1):
        for dx in (-1, 0, 1):
            shifted = padded[1 + dy : 1 + dy + height, 1 + dx : 1 + dx + width]
            edge |= np.abs(shifted - reference).max(axis=2) > jump
    grown = np.pad(edge, radius, mode="constant")
    near = np.zeros_like(edge)
    for dy in range(-radius, radius + 1):
        for dx in range(-radius, radius + 1):
            near |= grown[radius + dy : radius + dy + height, radius + dx : radius + dx + width]
    return ~near


def premultiplied(rgba: F64) -> F64:
    """Straight RGBA (0..1) -> premultiplied, the form whose error is what a viewer sees."""
    return np.concatenate([rgba[..., :3] * rgba[..., 3:4], rgba[..., 3:4]], axis=2)


def assert_matches(actual: U8, reference: F64, *, tolerance: float = 2 / 255) -> None:
    """``actual`` (uint8 RGBA) equals ``reference`` (0..1) within ``tolerance`` away from edges.

    Compared premultiplied: un-premultiplying a translucent 8-bit pixel magnifies its rounding
    error by 1/alpha, which is not a rendering error.
    """
    mask = interior_mask(reference)
    assert mask.mean() > 0.3, "the test scene has too few interior pixels to be meaningful"
    got = premultiplied(actual.astype(np.float64) / 255.0)
    error = np.abs(got - premultiplied(reference)).max(axis=2)
    worst = np.unravel_index(np.argmax(np.where(mask, error, 0.0)), error.shape)
    assert error[mask].max() <= tolerance + 1e-9, (
        f"max error {error[mask].max() * 255:.2f}/255 at row, col {worst}: "
        f"got {actual[worst]}, expected {np.rint(reference[worst] * 255)} (straight)"
    )


def ink_bbox(alpha: npt.NDArray[np.floating] | U8, threshold: float) -> tuple[int, int, int, int]:
    """(left, top, right, bottom) exclusive of pixels whose value exceeds ``threshold``."""
    rows = np.flatnonzero((alpha > threshold).any(axis=1))
    cols = np.flatnonzero((alpha > threshold).any(axis=0))
    assert rows.size and cols.size, "no ink"
    return (int(cols[0]), int(rows[0]), int(cols[-1]) + 1, int(rows[-1]) + 1)
