"""Image decoding and pixel preparation for upload (Pillow + numpy, no GL).

Decoded images are straight-alpha sRGB RGBA8, top row first. Before upload they are premultiplied
in the blending space (see :mod:`compositor.gl.renderer` for the colour handling):

* sRGB-space blending (default): ``rgb' = rgb · a`` on the sRGB-encoded values.
* linear light: ``rgb' = encode(decode(rgb) · a)``, stored in an sRGB texture so the sampler
  returns ``decode(rgb) · a`` and filtering happens in linear light.
"""

from __future__ import annotations

import io
import warnings

import numpy as np
import numpy.typing as npt
from PIL import Image

from compositor.errors import AssetError

__all__ = [
    "Rgba8",
    "decode_image",
    "premultiply",
    "srgb_decode",
    "srgb_encode",
]

Rgba8 = npt.NDArray[np.uint8]
"""An (height, width, 4) uint8 array, top row first."""

MAX_IMAGE_PIXELS = 16384 * 16384


def decode_image(data: bytes) -> Rgba8:
    """Decode PNG/JPEG/WebP/GIF (first frame) bytes into straight sRGB RGBA8.

    Raises :class:`AssetError` for anything Pillow cannot decode or that is absurdly large.
    """
    try:
        with warnings.catch_warnings():
            # A decompression-bomb warning is just "too big" to us: checked below.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                if image.width * image.height > MAX_IMAGE_PIXELS:
                    raise AssetError(f"image too large: {image.width}x{image.height}")
                image.seek(0)
                rgba = image.convert("RGBA")
                rgba.load()
    except AssetError:
        raise
    except Exception as exc:  # Pillow raises many types (OSError, SyntaxError, ValueError...)
        raise AssetError(f"cannot decode image: {exc}") from exc
    return np.asarray(rgba, dtype=np.uint8).copy()


def srgb_decode(encoded: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """sRGB transfer function, encoded 0..1 -> linear light 0..1."""
    return np.where(encoded <= 0.04045, encoded / 12.92, ((encoded + 0.055) / 1.055) ** 2.4)


def srgb_encode(linear: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Inverse of :func:`srgb_decode`; input is clipped to 0..1."""
    c = np.clip(linear, 0.0, 1.0)
    return np.where(c <= 0.0031308, c * 12.92, 1.055 * c ** (1.0 / 2.4) - 0.055)


def premultiply(rgba: Rgba8, *, linear_light: bool) -> Rgba8:
    """Premultiplied RGBA8 ready for upload (module docstring says which space)."""
    alpha = rgba[..., 3:4].astype(np.uint32)
    if not linear_light:
        rgb = (rgba[..., :3].astype(np.uint32) * alpha + 127) // 255
        return np.concatenate([rgb.astype(np.uint8), rgba[..., 3:4]], axis=2)
    lut = srgb_decode(np.arange(256, dtype=np.float64) / 255.0)
    linear = lut[rgba[..., :3]] * (alpha / 255.0)
    encoded = np.rint(srgb_encode(linear) * 255.0).astype(np.uint8)
    return np.concatenate([encoded, rgba[..., 3:4]], axis=2)
