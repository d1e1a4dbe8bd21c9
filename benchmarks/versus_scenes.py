"""The scenes of ``benchmarks/versus.py``, described once for every contender.

A scene is a list of :class:`Plate` objects in draw order: straight RGBA pixels at an integer
top-left that moves linearly, ``(x_px + vx_px * n, y_px + vy_px * n)`` on frame ``n``. The CPU
contenders (libvips, ffmpeg, GStreamer) composite plates: images as they are, text rasterised
once by the project's own text rasteriser, the rotated colour box rotated once by Pillow. This
project gets the same layers as its own scene JSON (image, text and colour layers, rotation
included) whose movement is a linear keyframe animation of ``transform.x``/``transform.y``, so
every contender shows the same picture on every frame (integer positions: no resampling).

- ``still``: the standard scene (:mod:`benchmarks.standard_scene`: 2 full-frame images, 6 lower
  thirds, 6 texts, 2 colours) plus a 200×200 logo that crosses the frame; nothing else moves.
- ``moving``: the same 17 layers, every one moving every frame (1 px per frame; the logo as in
  ``still``).
- ``layers16``: 16 image layers of mixed sizes (2 full-frame, 4 lower thirds 800×150, 4 of
  640×360, 4 of 320×180, 2 logos of 200×200), 8 of them moving (1–2 px per frame).

Sizes other than the two lower-third formats scale with the canvas width (so a 320×180 smoke test
keeps the same picture, smaller).
"""

from __future__ import annotations

import io
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt
from PIL import Image

from benchmarks.standard_scene import png_asset, standard_scene
from compositor.gl.text import FontBook, rasterize_text
from compositor.scene import ColorContent, ImageContent, Layer, Scene, TextContent, draw_order
from compositor.scene.codec import encode_scene

__all__ = ["FPS", "SCENES", "Plate", "VersusScene", "build_scene"]

FPS = 30
SCENES = ("still", "moving", "layers16")
Json = object
Pixels = npt.NDArray[np.uint8]
# 1 px per frame in eight directions: "small per-frame offsets" for the moving scene.
_STEPS = ((1, 0), (0, 1), (-1, 0), (0, -1), (1, 1), (-1, 1), (1, -1), (-1, -1))


@dataclass(frozen=True, slots=True)
class Plate:
    """One layer as pixels. ``layer`` is this project's layer JSON (without animation) and
    ``asset`` the image bytes it names (None for text and colour layers). ``color`` is the
    (r, g, b, a) of a solid, unrotated colour box (ffmpeg and GStreamer make those themselves)."""

    name: str
    rgba: Pixels = field(repr=False)
    x_px: int
    y_px: int
    layer: dict[str, Json] = field(repr=False)
    asset: bytes | None = field(default=None, repr=False)
    color: tuple[int, int, int, int] | None = None
    vx_px: int = 0
    vy_px: int = 0

    @property
    def size(self) -> tuple[int, int]:
        """(width, height) in px."""
        return (int(self.rgba.shape[1]), int(self.rgba.shape[0]))

    @property
    def moving(self) -> bool:
        return bool(self.vx_px or self.vy_px)

    def at(self, frame: int) -> tuple[int, int]:
        """Top-left on ``frame`` (absolute frame number, 0 = first frame of the run)."""
        return (self.x_px + self.vx_px * frame, self.y_px + self.vy_px * frame)

    def moved(self, vx_px: int, vy_px: int) -> Plate:
        return Plate(self.name, self.rgba, self.x_px, self.y_px, self.layer, self.asset,
                     self.color, vx_px, vy_px)


@dataclass(frozen=True, slots=True)
class VersusScene:
    name: str
    width: int
    height: int
    background: tuple[int, int, int]
    plates: tuple[Plate, ...]

    def ours(self, horizon_frames: int, asset_ids: Mapping[bytes, str]) -> dict[str, Json]:
        """This project's scene JSON; movement is a linear keyframe animation from frame 0 to
        ``horizon_frames`` (exact integer positions on every frame up to it). ``asset_ids``
        maps each image's bytes to its id in the store."""
        layers = []
        for z, plate in enumerate(self.plates):
            layer = json.loads(json.dumps(plate.layer))
            layer["z"] = z  # the plates' order is the draw order
            if plate.asset is not None:
                layer["content"]["asset"] = asset_ids[plate.asset]
            if plate.moving:
                layer["animations"] = [
                    _linear(prop, float(start), float(step), horizon_frames)
                    for prop, start, step in (
                        ("transform.x", layer["transform"]["x"], plate.vx_px),
                        ("transform.y", layer["transform"]["y"], plate.vy_px))
                    if step]
            layers.append(layer)
        r, g, b = self.background
        return {"width": self.width, "height": self.height, "fps": FPS,
                "background": f"#{r:02X}{g:02X}{b:02X}FF", "layers": layers}

    def spec(self, folder: Path) -> dict[str, Json]:
        """What the CPU contenders read: canvas, background and the plates, each written as a
        PNG in ``folder`` (written once; PNG decoding is outside every contender's timing
        except the process's own start-up)."""
        folder.mkdir(parents=True, exist_ok=True)
        plates = []
        for index, plate in enumerate(self.plates):
            path = folder / f"{index:02d}-{plate.name}.png"
            if not path.exists():
                Image.fromarray(plate.rgba, "RGBA").save(path, compress_level=1)
            width, height = plate.size
            plates.append({"name": plate.name, "png": str(path), "x": plate.x_px,
                           "y": plate.y_px, "vx": plate.vx_px, "vy": plate.vy_px,
                           "width": width, "height": height,
                           "color": list(plate.color) if plate.color else None})
        return {"scene": self.name, "width": self.width, "height": self.height, "fps": FPS,
                "background": list(self.background), "plates": plates}


def _linear(prop: str, start: float, step: float, horizon: int) -> dict[str, Json]:
    keyframes = [{"frame": 0, "value": start}, {"frame": horizon, "value": start + step * horizon}]
    return {"property": prop, "keyframes": keyframes, "loop": False, "start": 0}


def build_scene(name: str, width: int, height: int) -> VersusScene:
    """One of :data:`SCENES` at ``width``×``height``."""
    scene, assets = standard_scene(width, height)
    plates = _standard_plates(scene, assets)
    logo = _logo(width, height, seed=0)
    speed = max(1, width // 320)  # crosses a 1920 px frame in 300 frames at 6 px per frame
    background = (scene.background.r, scene.background.g, scene.background.b)
    if name == "still":
        chosen = [*plates, logo.moved(speed, 0)]
    elif name == "moving":
        chosen = [p.moved(*_STEPS[i % len(_STEPS)]) for i, p in enumerate(plates)]
        chosen.append(logo.moved(speed, 0))
    elif name == "layers16":
        chosen = _sixteen(plates, width, height)
    else:
        raise ValueError(f"unknown scene {name!r} (choose from {', '.join(SCENES)})")
    return VersusScene(name, width, height, background, tuple(chosen))


def _standard_plates(scene: Scene, assets: dict[str, bytes]) -> list[Plate]:
    fonts = FontBook(assets.get)
    encoded = {str(layer["id"]): layer for layer in encode_scene(scene)["layers"]}
    plates = []
    for layer in draw_order(scene):
        rgba, color, asset = _pixels(layer, scene, assets, fonts)
        t = layer.transform
        x = round(t.x_px - t.anchor_x * rgba.shape[1])
        y = round(t.y_px - t.anchor_y * rgba.shape[0])
        plates.append(Plate(layer.id, rgba, x, y, dict(encoded[layer.id]), asset, color))
    return plates


def _pixels(layer: Layer, scene: Scene, assets: dict[str, bytes], fonts: FontBook
            ) -> tuple[Pixels, tuple[int, int, int, int] | None, bytes | None]:
    content, t = layer.content, layer.transform
    if isinstance(content, ImageContent):
        data = assets[content.asset]
        return np.asarray(Image.open(io.BytesIO(data)).convert("RGBA")), None, data
    if isinstance(content, ColorContent):
        c = content.color
        size = (round(t.width_px or scene.width), round(t.height_px or scene.height))
        box = Image.new("RGBA", size, (c.r, c.g, c.b, c.a))
        if t.rotation_deg:  # rotated once, as a picture: the CPU contenders get a PNG
            box = box.rotate(-t.rotation_deg, resample=Image.Resampling.BILINEAR, expand=True)
            return np.asarray(box), None, None
        return np.asarray(box), (c.r, c.g, c.b, c.a), None
    assert isinstance(content, TextContent)
    raster = rasterize_text(content, fonts.font(content.font, round(content.size_px)), 1.0)
    assert raster is not None
    c = content.color
    rgba = np.empty((*raster.coverage.shape, 4), dtype=np.uint8)
    rgba[..., :3] = (c.r, c.g, c.b)
    rgba[..., 3] = (raster.coverage.astype(np.uint16) * c.a // 255).astype(np.uint8)
    return rgba, None, None


def _image_plate(name: str, rgba: Pixels, x: int, y: int) -> Plate:
    layer: dict[str, Json] = {"id": name, "kind": "image", "content": {"asset": ""},
                              "transform": {"x": x, "y": y}}
    return Plate(name, rgba, x, y, layer, png_asset(rgba)[1])


def _card(width: int, height: int, seed: int) -> Pixels:
    """Diagonal colour bands with a soft alpha edge: cheap, deterministic, compressible."""
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    phase = (x + y) / max(8.0, width / 6.0) + seed
    rgb = np.stack([127 + 120 * np.sin(phase + k * 2.1) for k in range(3)], axis=-1)
    edge = np.minimum.reduce([x, y, width - 1 - x, height - 1 - y])
    alpha = np.clip(edge / 6.0, 0.0, 1.0) * 230
    return np.dstack([rgb, alpha]).astype(np.uint8)


def _logo(width: int, height: int, seed: int) -> Plate:
    side = max(16, round(200 * width / 1920))
    y, x = np.mgrid[0:side, 0:side].astype(np.float32)
    radius = np.hypot(x - side / 2, y - side / 2) / (side / 2)
    rgb = np.stack([200 - 60 * radius, 80 + 100 * radius, np.full_like(radius, 40.0 + seed * 90)],
                   axis=-1)
    alpha = np.clip((1.0 - radius) * 8.0, 0.0, 1.0) * 255
    rgba = np.dstack([np.clip(rgb, 0, 255), alpha]).astype(np.uint8)
    return _image_plate(f"logo{seed}", rgba, 0, (height - side) // 2)


def _sixteen(standard: list[Plate], width: int, height: int) -> list[Plate]:
    """2 full-frame images and 4 lower thirds of the standard scene, 4 cards, 4 tiles, 2 logos;
    every other plate (8) moves by (±2, ±1) px per frame."""
    images = [p for p in standard if p.asset is not None]
    chosen = images[:6]
    scale = width / 1920
    for index in range(4):
        w, h = max(16, round(640 * scale)), max(9, round(360 * scale))
        x, y = round((80 + 420 * index) * scale), round((60 + 90 * index) * scale)
        chosen.append(_image_plate(f"card{index}", _card(w, h, index), x, y))
    for index in range(4):
        w, h = max(8, round(320 * scale)), max(5, round(180 * scale))
        x, y = round((1500 - 380 * index) * scale), round((700 - 150 * index) * scale)
        chosen.append(_image_plate(f"tile{index}", _card(w, h, 7 + index), x, y))
    chosen += [_logo(width, height, seed=s) for s in (1, 2)]
    return [p.moved(2 if i % 4 == 1 else -2, 1 if i % 4 == 1 else -1) if i % 2 else p
            for i, p in enumerate(chosen)]
