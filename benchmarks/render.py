"""Render + NV12 readback of the standard scene through FrameRenderer, against CPU compositors.

Measures, in one run on one machine: the GL renderer (whatever context it gets: a GPU, or Mesa
llvmpipe) drawing whole frames and, with damage tracking, frames where nothing, one 200x200 layer
or every layer changed (``cost_vs_whole``: a frame's p50 over the whole frame's); Pillow and
pyvips compositing the same scene on the CPU and converting it to 4:2:0 YCbCr. Prints a table
(fps, p50/p99 frame time, speed-up of the GL path over each CPU baseline) and writes
``benchmarks/out/render.json``.

    .venv/bin/python -m benchmarks.render [--frames N] [--cpu-frames N] [--width W --height H]
        [--nv12 auto|fragment|compute] [--require-gpu]

The CPU baselines pre-decode images and pre-rasterise text once (as the GPU cache does) and time
only compositing and the colour conversion. Pillow's YCbCr is BT.601 full range and pyvips's is a
matrix product: comparable work, not bit-identical output.
"""

from __future__ import annotations

import argparse
import io
import math
import time
from collections.abc import Callable

import msgspec
import numpy as np
from PIL import Image

from benchmarks.report import percentile, print_table, write_json
from benchmarks.standard_scene import png_asset, standard_scene
from compositor.errors import GLContextError
from compositor.gl.context import create_context
from compositor.gl.frame_renderer import FrameRenderer
from compositor.gl.text import FontBook, rasterize_text
from compositor.scene import (
    ColorContent,
    ImageContent,
    Layer,
    Scene,
    TextContent,
    Transform,
    draw_order,
)

Sample = list[float]


def _logo(scene: Scene) -> tuple[Scene, dict[str, bytes]]:
    """The scene with a 200x200 opaque logo image on top (what the "one layer" run moves)."""
    pixels = np.zeros((200, 200, 4), np.uint8)
    pixels[..., 0], pixels[..., 2], pixels[..., 3] = 220, 60, 255
    pixels[40:160, 40:160, 1] = 200
    asset, data = png_asset(pixels)
    logo = Layer("logo", "image", ImageContent(asset), transform=Transform(x_px=100, y_px=100),
                 z=99)
    return msgspec.structs.replace(scene, layers=(*scene.layers, logo)), {asset: data}


def _changes(scene: Scene, change: str) -> Callable[[int], Scene]:
    """Frame -> scene for a run: ``still`` (the same scene object), ``logo`` (the logo moves
    8 px a frame), ``all`` (every layer moves 1-7 px a frame)."""
    if change == "still":
        return lambda frame: scene

    def moved(layer: Layer, dx: float) -> Layer:
        place = msgspec.structs.replace(layer.transform, x_px=layer.transform.x_px + dx)
        return msgspec.structs.replace(layer, transform=place)

    if change == "logo":
        return lambda frame: msgspec.structs.replace(scene, layers=tuple(
            moved(layer, frame * 8 % 1200) if layer.id == "logo" else layer
            for layer in scene.layers))
    return lambda frame: msgspec.structs.replace(scene, layers=tuple(
        moved(layer, frame % 7 + 1) for layer in scene.layers))


GL_RUNS = {  # row name -> (damage tracking, what changes between frames)
    "whole frame (damage off)": (False, "all"),
    "damage: nothing changed": (True, "still"),
    "damage: one 200x200 layer moves": (True, "logo"),
    "damage: every layer moves": (True, "all"),
}


def bench_gl(
    scene: Scene, assets: dict[str, bytes], frames: int, args: argparse.Namespace
) -> list[dict[str, object]]:
    """One row per :data:`GL_RUNS` entry: render + NV12 + readback per frame, GL-synchronised
    (each frame is flushed, so the time is the frame's whole cost)."""
    gl = create_context(require_gpu=args.require_gpu)
    rows = []
    for name, (damage, change) in GL_RUNS.items():
        renderer = FrameRenderer(gl, scene.width, scene.height, assets.get,
                                 nv12_method=args.nv12, damage=damage)
        scene_at = _changes(scene, change)
        for warm in range(3):
            renderer.render(scene_at(warm), warm)
            renderer.flush()
        samples: Sample = []
        drawn = renderer.pixels_drawn
        start = time.perf_counter()
        for frame in range(3, frames + 3):
            began = time.perf_counter()
            renderer.render(scene_at(frame), frame)
            assert len(renderer.flush()) == 1
            samples.append(time.perf_counter() - began)
        total = time.perf_counter() - start
        assert renderer.problems() == {}
        row = _row(f"GL {name}", samples, frames / total)
        row["nv12"] = renderer.nv12_method
        row["damaged_share"] = ((renderer.pixels_drawn - drawn)
                                / (frames * scene.width * scene.height))
        rows.append(row)
        renderer.release()
    gl.release()
    for row in rows:
        row["renderer"] = f"{row['renderer']} [{gl.renderer}]"
    return rows


def _cpu_layers(
    scene: Scene, assets: dict[str, bytes]
) -> list[tuple[Image.Image, tuple[int, int]]]:
    """Each layer as a straight RGBA PIL image and its integer top-left position."""
    fonts = FontBook(assets.get)
    out = []
    for layer in draw_order(scene):
        image = _layer_image(layer, scene, assets, fonts)
        t = layer.transform
        if t.rotation_deg:
            image = image.rotate(-t.rotation_deg, resample=Image.Resampling.BILINEAR, expand=True)
        x = round(t.x_px - t.anchor_x * image.width)
        y = round(t.y_px - t.anchor_y * image.height)
        out.append((image, (x, y)))
    return out


def _layer_image(
    layer: Layer, scene: Scene, assets: dict[str, bytes], fonts: FontBook
) -> Image.Image:
    content, t = layer.content, layer.transform
    if isinstance(content, ColorContent):
        c = content.color
        size = (round(t.width_px or scene.width), round(t.height_px or scene.height))
        return Image.new("RGBA", size, (c.r, c.g, c.b, c.a))
    if isinstance(content, ImageContent):
        return Image.open(io.BytesIO(assets[content.asset])).convert("RGBA")
    assert isinstance(content, TextContent)
    raster = rasterize_text(content, fonts.font(content.font, round(content.size_px)), 1.0)
    assert raster is not None
    mask = Image.fromarray(raster.coverage, "L")
    c = content.color
    image = Image.new("RGBA", mask.size, (c.r, c.g, c.b, 0))
    image.putalpha(mask)
    return image


def bench_pillow(scene: Scene, assets: dict[str, bytes], frames: int) -> dict[str, object]:
    layers = _cpu_layers(scene, assets)
    bg = scene.background
    size = (scene.width, scene.height)

    def frame() -> None:
        canvas = Image.new("RGBA", size, (bg.r, bg.g, bg.b, bg.a))
        for image, position in layers:
            canvas.alpha_composite(image, dest=_clip_dest(position, image, canvas))
        ycbcr = canvas.convert("RGB").convert("YCbCr")
        y, cb, cr = ycbcr.split()
        half = (scene.width // 2, scene.height // 2)
        cb.resize(half, Image.Resampling.BOX).tobytes()
        cr.resize(half, Image.Resampling.BOX).tobytes()
        y.tobytes()

    return _time_cpu("Pillow (CPU)", frame, frames)


def _clip_dest(
    position: tuple[int, int], image: Image.Image, canvas: Image.Image
) -> tuple[int, int]:
    # Pillow's alpha_composite needs a non-negative destination; the standard scene keeps layers on
    # the canvas, so this only guards against rounding.
    return (max(0, position[0]), max(0, position[1]))


def bench_pyvips(scene: Scene, assets: dict[str, bytes], frames: int) -> dict[str, object] | str:
    try:
        import pyvips
    except Exception as exc:  # ImportError or libvips missing (OSError)
        return f"pyvips unavailable: {exc}"
    layers = []
    for image, (x, y) in _cpu_layers(scene, assets):
        buffer = image.tobytes()
        vips = pyvips.Image.new_from_memory(buffer, image.width, image.height, 4, "uchar")
        layers.append((vips.copy(interpretation="srgb").copy_memory(), x, y))
    bg = scene.background
    matrix = [[0.2126, 0.7152, 0.0722], [-0.1146, -0.3854, 0.5], [0.5, -0.4542, -0.0458]]

    def frame() -> None:
        black = pyvips.Image.black(scene.width, scene.height, bands=4)
        base = black.new_from_image([bg.r, bg.g, bg.b, bg.a]).cast("uchar")
        base = base.copy(interpretation="srgb")
        images = [image for image, _, _ in layers]
        xs = [x for _, x, _ in layers]
        ys = [y for _, _, y in layers]
        out = base.composite(images, ["over"] * len(images), x=xs, y=ys)
        rgb = out.extract_band(0, n=3)
        yuv = rgb.recomb(matrix)
        luma = yuv.extract_band(0)
        chroma = yuv.extract_band(1, n=2).shrink(2, 2)
        luma.cast("uchar").write_to_memory()
        chroma.cast("uchar").write_to_memory()

    return _time_cpu(
        f"pyvips (CPU, libvips {pyvips.version(0)}.{pyvips.version(1)})", frame, frames
    )


def _time_cpu(name: str, frame: Callable[[], None], frames: int) -> dict[str, object]:
    frame()
    samples: Sample = []
    start = time.perf_counter()
    for _ in range(frames):
        began = time.perf_counter()
        frame()
        samples.append(time.perf_counter() - began)
    return _row(name, samples, frames / (time.perf_counter() - start))


def _row(name: str, samples: Sample, fps: float) -> dict[str, object]:
    return {
        "renderer": name,
        "frames": len(samples),
        "fps": fps,
        "p50_ms": percentile(samples, 50) * 1000,
        "p99_ms": percentile(samples, 99) * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--frames", type=int, default=40, help="GL frames to time")
    parser.add_argument("--cpu-frames", type=int, default=10, help="frames per CPU baseline")
    parser.add_argument("--width", type=int, default=1920)
    parser.add_argument("--height", type=int, default=1080)
    parser.add_argument("--nv12", default="auto", choices=["auto", "fragment", "compute"])
    parser.add_argument("--require-gpu", action="store_true", help="fail rather than use llvmpipe")
    args = parser.parse_args()
    scene, assets = standard_scene(args.width, args.height)
    logo_scene, logo_assets = _logo(scene)
    try:
        gl_rows = bench_gl(logo_scene, {**assets, **logo_assets}, args.frames, args)
    except GLContextError as exc:  # e.g. --require-gpu on a machine without one: one line
        raise SystemExit(f"benchmarks.render: {exc}") from None
    gl_row = gl_rows[0]
    rows = list(gl_rows)
    notes = []
    for result in (
        bench_pillow(scene, assets, args.cpu_frames),
        bench_pyvips(scene, assets, args.cpu_frames),
    ):
        if isinstance(result, str):
            notes.append(result)
            print(result)
        else:
            rows.append(result)
    gl_fps = float(gl_row["fps"])  # type: ignore[arg-type]
    for row in rows:
        fps = float(row["fps"])  # type: ignore[arg-type]
        row["gl_speedup"] = gl_fps / fps if fps and not math.isnan(fps) else None
        # A frame's cost against a whole frame's (the "under a fifth" for one layer).
        row["cost_vs_whole"] = (float(row["p50_ms"]) / float(gl_row["p50_ms"])  # type: ignore[arg-type]
                                if str(row["renderer"]).startswith("GL") else None)
    print_table(f"standard scene {args.width}x{args.height}: render + NV12 readback", rows)
    write_json("render", rows, notes=notes, width=args.width, height=args.height)


if __name__ == "__main__":
    main()
