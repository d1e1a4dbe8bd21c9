"""The "standard scene" used by the render benchmarks, generated procedurally (no binary files).

1920×1080: 2 full-frame images with alpha, 6 lower-third images of 800×150 with alpha, 6 text
layers, 2 half-transparent colour layers (one rotated). Images are made with numpy and encoded as
PNG; the asset dict maps each asset id (sha256 of the bytes) to those bytes.
"""

from __future__ import annotations

import hashlib
import io

import numpy as np
import numpy.typing as npt
from PIL import Image

from compositor.scene import (
    Color,
    ColorContent,
    ImageContent,
    Layer,
    Scene,
    TextContent,
    Transform,
)

__all__ = ["LOWER_THIRD_SIZE", "png_asset", "standard_scene"]

LOWER_THIRD_SIZE = (800, 150)


def png_asset(pixels: npt.NDArray[np.uint8]) -> tuple[str, bytes]:
    """RGBA pixels as PNG bytes and their asset id (the sha256 of the bytes)."""
    buffer = io.BytesIO()
    Image.fromarray(pixels, "RGBA").save(buffer, "PNG", compress_level=1)
    data = buffer.getvalue()
    return hashlib.sha256(data).hexdigest(), data


def _full_frame(width: int, height: int, seed: int) -> npt.NDArray[np.uint8]:
    """Soft colour fields with a vignette-shaped alpha (transparent centre, opaque corners)."""
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    u, v = x / width, y / height
    phase = seed * 1.7
    r = 127 + 127 * np.sin(6.0 * u + phase)
    g = 127 + 127 * np.sin(5.0 * v + 2 * phase)
    b = 127 + 127 * np.cos(4.0 * (u + v) + phase)
    alpha = np.clip(np.hypot(u - 0.5, v - 0.5) * 2.2, 0.0, 1.0) * 255
    return np.dstack([r, g, b, alpha]).astype(np.uint8)


def _lower_third(index: int) -> npt.NDArray[np.uint8]:
    width, height = LOWER_THIRD_SIZE
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    base = np.array([(30, 90, 200), (200, 40, 60), (20, 150, 90)][index % 3], dtype=np.float32)
    shade = 0.6 + 0.4 * (x / width) - 0.03 * index  # distinct bytes: six assets
    rgb = base[None, None, :] * shade[..., None]
    alpha = np.where(y < 8, 255, 215) * np.clip((width - x) / 60.0, 0.0, 1.0)
    return np.dstack([rgb, alpha]).astype(np.uint8)


def standard_scene(width: int = 1920, height: int = 1080) -> tuple[Scene, dict[str, bytes]]:
    """The scene and its assets; sizes scale with ``width``/``height`` except the 800×150 boxes."""
    assets: dict[str, bytes] = {}
    layers: list[Layer] = []
    for index in range(2):
        aid, data = png_asset(_full_frame(width, height, index))
        assets[aid] = data
        layers.append(Layer(f"full{index}", "image", ImageContent(aid), z=index))
    for index in range(6):
        aid, data = png_asset(_lower_third(index))
        assets[aid] = data
        x, y = 60 + (index % 2) * (width // 2), height - 520 + (index // 2) * 170
        place = Transform(x_px=x, y_px=y)
        layers.append(Layer(f"lt{index}", "image", ImageContent(aid), transform=place, z=10))
        text = TextContent(
            f"Speaker {index + 1}: Jane Example", font="sans-bold", size_px=44, max_width_px=720
        )
        layers.append(
            Layer(f"text{index}", "text", text, transform=Transform(x_px=x + 30, y_px=y + 40), z=20)
        )
    band = Transform(x_px=0, y_px=height - 120, width_px=width, height_px=120)
    layers.append(Layer("band", "color", ColorContent(Color(0, 0, 0, 128)), transform=band, z=5))
    tilted = Transform(
        x_px=width * 0.75,
        y_px=height * 0.25,
        width_px=600,
        height_px=300,
        anchor_x=0.5,
        anchor_y=0.5,
        rotation_deg=12,
    )
    layers.append(
        Layer("tilted", "color", ColorContent(Color(255, 200, 0, 128)), transform=tilted, z=30)
    )
    scene = Scene(width=width, height=height, background=Color(16, 16, 24), layers=tuple(layers))
    return scene, assets
