"""Live pipeline benchmark: paced rendering + libx264 for N seconds, against encode-only capacity.

Runs the real pipeline (llvmpipe or GPU GL, libx264) in real time on the standard scene with
something animating (so every frame is rendered and read back, the worst case), writing an
mpegts file. Reports achieved fps, dropped and late frames, frame interval p50/p99 (between
encoded frames), encode time per frame and CPU use (process CPU time / wall time). Baseline in
the same run: PyAV libx264 with the same settings encoding the same frame as fast as it can.

    .venv/bin/python -m benchmarks.live --seconds 60 --width 1280 --height 720 --fps 30
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import tempfile
import time
from fractions import Fraction
from pathlib import Path

import msgspec
import numpy as np
from prometheus_client import CollectorRegistry

from benchmarks.report import percentile, print_table, write_json
from benchmarks.standard_scene import standard_scene
from compositor.encode import X264Encoder
from compositor.metrics import PipelineMetrics
from compositor.pipeline import NaturalSize, Pipeline, PipelineConfig
from compositor.scene import Scene, TextContent


def _scene(width: int, height: int, fps: Fraction) -> tuple[Scene, dict[str, bytes], str]:
    """The standard scene of benchmarks/standard_scene.py at the run's size and rate."""
    scene, assets = standard_scene(width, height)
    return msgspec.structs.replace(scene, fps=fps), dict(assets), "standard_scene()"


def _moving(scene: Scene, frame: int, natural_size: NaturalSize) -> Scene:
    """Move the last layer 8 px per frame so every frame differs (no reuse)."""
    last = scene.layers[-1]
    x = float((frame * 8) % max(1, scene.width - 120))
    moved = msgspec.structs.replace(last, transform=msgspec.structs.replace(last.transform, x_px=x))
    return msgspec.structs.replace(scene, layers=(*scene.layers[:-1], moved))


def _clock_commit(scene: Scene, second: int) -> Scene:
    """A commit a second, as the demo's clock makes: the first text layer's text changes."""
    layers = list(scene.layers)
    for i, layer in enumerate(layers):
        if isinstance(layer.content, TextContent):
            content = msgspec.structs.replace(
                layer.content, text=f"{layer.content.text[:40]} {second}"
            )
            layers[i] = msgspec.structs.replace(layer, content=content)
            break
    return msgspec.structs.replace(scene, version=scene.version + 1, layers=tuple(layers))


def run_live(config: PipelineConfig, scene: Scene, assets: dict[str, bytes],
             seconds: float, motion: str) -> dict[str, object]:
    """``motion``: "every" moves a layer each frame (every frame rendered and read back);
    "clock" keeps the scene still and commits a text change once a second (unchanged frames are
    reused, as on a typical show)."""
    stamps: list[float] = []
    encode_s: list[float] = []

    def on_encoded(frame: int, seconds_spent: float) -> None:
        stamps.append(time.monotonic())
        encode_s.append(seconds_spent)

    def source(asset_id: str) -> bytes | None:
        return assets.get(asset_id)

    every = motion == "every"
    config = dataclasses.replace(config, evaluate=_moving if every else (lambda s, f, size: s),
                                 is_animating=lambda s, f: every, on_encoded=on_encoded)
    pipeline = Pipeline(config, source, PipelineMetrics(CollectorRegistry()))
    pipeline.publish(scene)
    pipeline.start()
    cpu0, wall0 = time.process_time(), time.monotonic()
    second = 0
    while (now := time.monotonic()) < wall0 + seconds:
        time.sleep(min(1.0, wall0 + seconds - now))
        if not every:
            second += 1
            scene = _clock_commit(scene, second)
            pipeline.publish(scene)
    cpu1, wall1 = time.process_time(), time.monotonic()
    status = pipeline.status()
    pipeline.stop()
    window = [t for t in stamps if wall0 <= t <= wall1]
    intervals_ms = [(b - a) * 1000 for a, b in itertools.pairwise(window)]
    return {
        "run": f"live {config.width}x{config.height}@{float(config.fps):g}, motion={motion}",
        "seconds": round(wall1 - wall0, 1),
        "fps": len(window) / (wall1 - wall0),
        "frames": status["frames"],
        "rendered": status["rendered"],
        "reused": status["reused"],
        "dropped": status["dropped"],
        "late": status["late"],
        "interval_p50_ms": percentile(intervals_ms, 50),
        "interval_p99_ms": percentile(intervals_ms, 99),
        "encode_p50_ms": percentile(encode_s, 50) * 1000,
        "encode_p99_ms": percentile(encode_s, 99) * 1000,
        "cpu_pct": 100 * (cpu1 - cpu0) / (wall1 - wall0),
    }


def run_baseline(config: PipelineConfig, frames: int) -> dict[str, object]:
    """libx264 alone, same settings, a moving pattern so frames differ like the live run."""
    encoder = X264Encoder(config.encoder_config())
    h, w = config.height, config.width
    base = np.full((h * 3 // 2, w), 128, np.uint8)
    base[:h] = (np.arange(w, dtype=np.uint16)[None, :] % 220 + 16).astype(np.uint8)
    times = []
    cpu0, wall0 = time.process_time(), time.perf_counter()
    for i in range(frames):
        frame = np.roll(base, i * 8, axis=1)
        started = time.perf_counter()
        encoder.encode(frame, i)
        times.append(time.perf_counter() - started)
    wall = time.perf_counter() - wall0
    cpu = time.process_time() - cpu0
    return {
        "run": f"baseline x264 encode-only {w}x{h}", "seconds": round(wall, 1),
        "fps": frames / wall, "frames": frames, "rendered": 0, "reused": 0, "dropped": 0,
        "late": 0,
        "interval_p50_ms": float("nan"), "interval_p99_ms": float("nan"),
        "encode_p50_ms": percentile(times, 50) * 1000,
        "encode_p99_ms": percentile(times, 99) * 1000, "cpu_pct": 100 * cpu / wall,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=720)
    parser.add_argument("--fps", default="30")
    parser.add_argument("--preset", default="veryfast")
    parser.add_argument("--bitrate", type=int, default=4_000_000)
    parser.add_argument("--motion", nargs="+", default=["clock", "every"],
                        choices=["clock", "every"],
                        help="clock: still scene, a text commit a second (frames reused); "
                        "every: a layer moves every frame (every frame rendered)")
    args = parser.parse_args()
    fps = Fraction(args.fps)
    scene, assets, source = _scene(args.width, args.height, fps)
    with tempfile.TemporaryDirectory() as tmp:
        config = PipelineConfig(
            width=args.width, height=args.height, fps=fps, encoder="x264",
            bitrate_bps=args.bitrate, x264_preset=args.preset,
            outputs=(str(Path(tmp) / "live.ts"),),
        )
        baseline = run_baseline(config, int(float(fps) * 10))
        rows = [run_live(config, scene, assets, args.seconds, motion) for motion in args.motion]
    rows.append(baseline)
    print_table(f"live pipeline ({source}, libx264 {args.preset})", rows)
    write_json("live", rows, scene=source, preset=args.preset, bitrate=args.bitrate)


if __name__ == "__main__":
    main()
