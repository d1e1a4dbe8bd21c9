"""The libvips contender of ``benchmarks/versus.py``: pyvips composites, PyAV libx264 encodes.

    .venv/bin/python -m benchmarks.versus_vips RUN.json

``RUN.json`` is a scene spec (:meth:`benchmarks.versus_scenes.VersusScene.spec`) plus ``start``,
``frames``, ``out`` and ``encoder`` (``bitrate_bps``, ``preset``, ``gop_frames``). What a
reasonable engineer does with libvips, and what the Node service this project replaces did
with sharp: each plate is decoded once into memory; every frame composites all plates over the
background with one ``composite`` call at that frame's positions (even when nothing moved: there
is no damage tracking in this approach), flattens to RGB, and hands the frame to PyAV, which
converts it to yuv420p (BT.709, limited range) and encodes it with the same libx264 settings as
the other contenders, into an .mp4. Imports only pyvips, PyAV, numpy and the standard library,
so its start-up is its own.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import av
import numpy as np
import pyvips

__all__ = ["main"]


def _open(run: dict[str, Any]) -> tuple[Any, Any]:
    enc = run["encoder"]
    container = av.open(run["out"], "w", options={"movflags": "+faststart"})
    stream = container.add_stream("libx264", rate=run["fps"])
    ctx = stream.codec_context
    ctx.width, ctx.height, ctx.pix_fmt = run["width"], run["height"], "yuv420p"
    ctx.bit_rate = enc["bitrate_bps"]
    ctx.color_primaries = ctx.color_trc = ctx.colorspace = 1  # BT.709
    ctx.color_range = 1  # limited
    gop = str(enc["gop_frames"])
    ctx.options = {"preset": enc["preset"], "tune": "zerolatency", "profile": "high",
                   "g": gop, "keyint_min": gop, "sc_threshold": "0",
                   "maxrate": str(enc["bitrate_bps"]), "bufsize": str(enc["bitrate_bps"]),
                   "nal-hrd": "cbr"}
    return container, stream


def _plates(run: dict[str, Any]) -> list[Any]:
    return [pyvips.Image.new_from_file(p["png"], access="sequential").copy_memory()
            for p in run["plates"]]


def render(run: dict[str, Any]) -> int:
    """Encode ``run["frames"]`` frames from ``run["start"]``; returns frames written."""
    width, height = run["width"], run["height"]
    images = _plates(run)
    r, g, b = run["background"]
    black = pyvips.Image.black(width, height, bands=4)
    base = black.new_from_image([r, g, b, 255]).cast("uchar")
    base = base.copy(interpretation="srgb").copy_memory()
    container, stream = _open(run)
    written = 0
    for pts, n in enumerate(range(run["start"], run["start"] + run["frames"])):
        xs = [p["x"] + p["vx"] * n for p in run["plates"]]
        ys = [p["y"] + p["vy"] * n for p in run["plates"]]
        out = base.composite(images, ["over"] * len(images), x=xs, y=ys)
        rgb = out.extract_band(0, n=3).cast("uchar")
        pixels = np.ndarray((height, width, 3), np.uint8, rgb.write_to_memory())
        frame = av.VideoFrame.from_ndarray(pixels, format="rgb24")
        frame = frame.reformat(format="yuv420p", dst_colorspace=1, dst_color_range=1)
        frame.pts = pts
        for packet in stream.encode(frame):
            container.mux(packet)
        written += 1
    for packet in stream.encode(None):
        container.mux(packet)
    container.close()
    return written


def main(argv: list[str]) -> int:
    run = json.loads(Path(argv[0]).read_text())
    written = render(run)
    return 0 if written == run["frames"] else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
