"""Live pipeline benchmark: paced rendering + libx264 for N seconds, against encode-only capacity.

Runs the real pipeline (llvmpipe or GPU GL, libx264) in real time on the standard scene with
something animating (so every frame is rendered and read back, the worst case), writing an
mpegts file. Reports achieved fps, dropped and late frames, frame interval p50/p99 (between
encoded frames), encode time per frame and CPU use (process CPU time / wall time). Baseline in
the same run: PyAV libx264 with the same settings encoding the same frame as fast as it can.

    .venv/bin/python -m benchmarks.live --seconds 60 --width 1920 --height 1080 --fps 30 \
        --motion show
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
from compositor.pipeline import AppliedFrame, NaturalSize, Pipeline, PipelineConfig
from compositor.scene import (
    Color,
    ColorContent,
    Layer,
    Scene,
    TextContent,
    Transform,
)
from compositor.scene.model import Keyframe, KeyframeAnimation


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


def _show(scene: Scene) -> Scene:
    """The standard scene with a lower third (band and name) that slides in, holds, slides out
    and stays out, over and over (6 s a cycle; the project's own keyframes), and a clock (a text
    layer that :func:`_clock_commit` changes once a second)."""
    fps = int(scene.fps)
    out, edge = -float(scene.width) * 0.5, 80.0
    slide = (Keyframe(0, out), Keyframe(fps // 2, edge, "easeOutCubic"),
             Keyframe(fps * 7 // 2, edge), Keyframe(fps * 4, out, "easeInCubic"),
             Keyframe(fps * 6, out))

    def sliding(layer: Layer, dx: float) -> Layer:
        keys = tuple(Keyframe(k.frame, k.value + dx, k.easing)  # type: ignore[operator]
                     for k in slide)
        return msgspec.structs.replace(layer, animations=(
            KeyframeAnimation("transform.x", keys, loop="loop", start_frame=0),))

    y = scene.height - 230.0
    band = Layer("show_band", "color", ColorContent(Color(10, 40, 120, 230)),
                 transform=Transform(y_px=y, width_px=scene.width * 0.45, height_px=110), z=40)
    name = Layer("show_name", "text", TextContent("Jane Example, live", font="sans-bold",
                                                  size_px=48),
                 transform=Transform(y_px=y + 25), z=41)
    clock = Layer("clock", "text", TextContent("12:00:00", font="sans-bold", size_px=40),
                  transform=Transform(x_px=scene.width - 260.0, y_px=40), z=42)
    return msgspec.structs.replace(scene, layers=(*scene.layers, sliding(band, 0.0),
                                                  sliding(name, 30.0), clock))


def _tick(scene: Scene, second: int) -> Scene:
    """The show's clock shows the next second (one commit)."""
    text = f"12:{second // 60 % 60:02d}:{second % 60:02d}"
    layers = tuple(msgspec.structs.replace(layer, content=msgspec.structs.replace(
        layer.content, text=text)) if layer.id == "clock" else layer for layer in scene.layers)
    return msgspec.structs.replace(scene, version=scene.version + 1, layers=layers)


def run_live(config: PipelineConfig, scene: Scene, assets: dict[str, bytes],
             seconds: float, motion: str) -> dict[str, object]:
    """``motion``: "every" moves a layer each frame (every frame rendered and read back);
    "clock" keeps the scene still and commits a text change once a second (unchanged frames are
    reused, as on a typical show); "show" slides a lower third in and out with the scene's own
    keyframes (its real evaluation) and commits a clock's second every second. Commit-to-air:
    from each publish to the end of encoding its first frame."""
    stamps: list[float] = []
    encode_s: list[float] = []
    published: dict[int, float] = {}
    to_air_ms: list[float] = []

    def on_encoded(frame: int, seconds_spent: float) -> None:
        stamps.append(time.monotonic())
        encode_s.append(seconds_spent)

    def on_applied(applied: AppliedFrame) -> None:
        sent = published.get(applied.version)
        if sent is not None:
            to_air_ms.append((applied.encoded_unix - sent) * 1000)

    def source(asset_id: str) -> bytes | None:
        return assets.get(asset_id)

    every = motion == "every"
    if motion == "show":
        scene = _show(scene)
        config = dataclasses.replace(config, on_encoded=on_encoded, on_applied=on_applied)
    else:
        config = dataclasses.replace(
            config, evaluate=_moving if every else (lambda s, f, size: s),
            is_animating=lambda s, f: every, on_encoded=on_encoded, on_applied=on_applied)
    registry = CollectorRegistry()
    pipeline = Pipeline(config, source, PipelineMetrics(registry))
    pipeline.publish(scene)
    pipeline.start()
    cpu0, wall0 = time.process_time(), time.monotonic()
    second = 0
    while (now := time.monotonic()) < wall0 + seconds:
        time.sleep(min(1.0, wall0 + seconds - now))
        if not every:
            second += 1
            scene = _tick(scene, second) if motion == "show" else _clock_commit(scene, second)
            published[scene.version] = time.time()
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
        "commit_to_air_p50_ms": percentile(to_air_ms, 50) if to_air_ms else float("nan"),
        "commit_to_air_p99_ms": percentile(to_air_ms, 99) if to_air_ms else float("nan"),
        "damage_mean": _damage_mean(registry),
    }


def _damage_mean(registry: CollectorRegistry) -> float:
    """The mean share of the frame redrawn per rendered frame (compositor_frame_damage_ratio)."""
    total = registry.get_sample_value("compositor_frame_damage_ratio_sum") or 0.0
    count = registry.get_sample_value("compositor_frame_damage_ratio_count") or 0.0
    return total / count if count else float("nan")


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
        "commit_to_air_p50_ms": float("nan"), "commit_to_air_p99_ms": float("nan"),
        "damage_mean": float("nan"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=720)
    parser.add_argument("--fps", default="30")
    parser.add_argument("--preset", default="veryfast")
    parser.add_argument("--bitrate", type=int, default=4_000_000)
    parser.add_argument("--motion", nargs="+", default=["clock", "show", "every"],
                        choices=["clock", "show", "every"],
                        help="clock: still scene, a text commit a second (frames reused); "
                        "show: a lower third slides in and out, a clock ticks each second "
                        "(damaged frames); every: a layer moves every frame")
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
