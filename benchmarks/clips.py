"""Clip playback benchmark: CPU and wall time per frame for 1, 2 and 4 simultaneous clips.

Each run renders offline (unpaced, nothing dropped) ``--seconds`` of a channel showing N H.264
clips (1920x1080 at 30 fps with AAC sound, made by the ffmpeg CLI) tiled over the canvas, with
their sound mixed into the program, through the real pipeline: decoder threads (PyAV) with
read-ahead, YUV planes uploaded and converted on the GPU (llvmpipe here), NV12 readback, libx264
with the pipeline's settings and an mpegts file. Per frame: wall time and CPU time (this
process, every thread). Baseline in the same run: the ffmpeg CLI decoding the same clips,
scaling them into the same tiles with ``-filter_complex ... overlay``, mixing their sound
(``amix``) and encoding to the same encoder settings and container; its CPU time is the child's
(``RUSAGE_CHILDREN``).

    .venv/bin/python -m benchmarks.clips --seconds 10 --channels 1280x720@30 1920x1080@60
"""

from __future__ import annotations

import argparse
import math
import resource
import subprocess
import tempfile
import time
from fractions import Fraction
from pathlib import Path

from prometheus_client import CollectorRegistry

from benchmarks.report import print_table, write_json
from compositor.media import MediaLibrary
from compositor.metrics import PipelineMetrics
from compositor.pipeline import Pipeline, PipelineConfig
from compositor.scene import Layer, Scene, Transform, VideoContent

BITRATE = 6_000_000
PRESET = "veryfast"


def make_clip(folder: Path, index: int, seconds: float, size: tuple[int, int],
              fps: int) -> Path:
    """A ``size`` H.264 clip of moving test pictures with a tone (different for each index)."""
    path = folder / f"clip{index}-{size[0]}x{size[1]}-{fps}-{seconds}.mp4"
    if path.exists():
        return path
    width, height = size
    subprocess.run(
        ["ffmpeg", "-nostdin", "-v", "error", "-y",
         "-f", "lavfi", "-i", f"testsrc2=size={width}x{height}:rate={fps}:duration={seconds}",
         "-f", "lavfi", "-i", f"sine=frequency={440 + 110 * index}:duration={seconds}",
         "-c:v", "libx264", "-preset", "fast", "-pix_fmt", "yuv420p", "-g", str(fps),
         "-c:a", "aac", "-ac", "2", "-shortest", str(path)],
        check=True, timeout=600)
    return path


def tiles(count: int, width: int, height: int) -> list[tuple[int, int, int, int]]:
    """(x, y, w, h) of ``count`` clips on a grid covering the canvas (1: full, 2..4: 2x2)."""
    if count == 1:
        return [(0, 0, width, height)]
    half_w, half_h = width // 2, height // 2
    return [((i % 2) * half_w, (i // 2) * half_h, half_w, half_h) for i in range(count)]


def run_pipeline(clips: list[Path], width: int, height: int, fps: Fraction, seconds: float,
                 out: Path) -> dict[str, object]:
    frames = math.ceil(seconds * fps)
    media = MediaLibrary(out.parent / "pcm")
    layers = []
    for i, (path, (x, y, w, h)) in enumerate(zip(clips, tiles(len(clips), width, height),
                                                 strict=True)):
        media.prepare(f"clip{i}", path)
        layers.append(Layer(f"clip{i}", "video",
                            VideoContent(asset=f"clip{i}", start_frame=0, loop=True,
                                         volume=1.0 / len(clips)),
                            transform=Transform(x_px=x, y_px=y, width_px=w, height_px=h)))
    config = PipelineConfig(width=width, height=height, fps=fps, encoder="x264",
                            bitrate_bps=BITRATE, x264_preset=PRESET,
                            outputs=(str(out),)).offline(0, frames)
    pipeline = Pipeline(config, lambda asset_id: None, PipelineMetrics(CollectorRegistry()),
                        media)
    pipeline.publish(Scene(version=1, width=width, height=height, fps=fps,
                           layers=tuple(layers)))
    cpu0, wall0 = time.process_time(), time.perf_counter()
    pipeline.start()
    try:
        assert pipeline.wait(3600), "the offline render did not finish"
    finally:
        pipeline.stop()
        media.close()
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    problems = pipeline.problems()
    assert not problems, problems
    return _row(f"compositor, {len(clips)} clip(s)", width, height, fps, frames, wall, cpu)


def run_ffmpeg(clips: list[Path], width: int, height: int, fps: Fraction, seconds: float,
               out: Path) -> dict[str, object]:
    frames = math.ceil(seconds * fps)
    inputs: list[str] = []
    for path in clips:
        inputs += ["-stream_loop", "-1", "-i", str(path)]
    graph = [f"color=black:size={width}x{height}:rate={fps.numerator}/{fps.denominator}[base0]"]
    for i, (x, y, w, h) in enumerate(tiles(len(clips), width, height)):
        graph.append(f"[{i}:v]scale={w}:{h}[v{i}]")
        graph.append(f"[base{i}][v{i}]overlay={x}:{y}:shortest=0:eof_action=repeat"
                     f"[base{i + 1}]")
    audio = "".join(f"[{i}:a]" for i in range(len(clips)))
    graph.append(f"{audio}amix=inputs={len(clips)}:normalize=1[aout]")
    gop = str(round(2 * fps))
    command = ["ffmpeg", "-nostdin", "-v", "error", "-y", *inputs,
               "-filter_complex", ";".join(graph), "-map", f"[base{len(clips)}]",
               "-map", "[aout]", "-frames:v", str(frames),
               "-c:v", "libx264", "-preset", PRESET, "-tune", "zerolatency", "-profile:v", "high",
               "-b:v", str(BITRATE), "-maxrate", str(BITRATE), "-bufsize", str(BITRATE),
               "-g", gop, "-keyint_min", gop, "-sc_threshold", "0", "-pix_fmt", "yuv420p",
               "-c:a", "aac", "-ar", "48000", "-ac", "2", "-b:a", "128k",
               "-f", "mpegts", str(out)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall0 = time.perf_counter()
    subprocess.run(command, check=True, timeout=3600)
    wall = time.perf_counter() - wall0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return _row(f"baseline: ffmpeg overlay, {len(clips)} clip(s)", width, height, fps, frames,
                wall, cpu)


def _row(run: str, width: int, height: int, fps: Fraction, frames: int, wall: float,
         cpu: float) -> dict[str, object]:
    period_ms = 1000 / float(fps)
    wall_ms = 1000 * wall / frames
    return {
        "run": run,
        "channel": f"{width}x{height}@{float(fps):g}",
        "frames": frames,
        "wall_ms_per_frame": wall_ms,
        "cpu_ms_per_frame": 1000 * cpu / frames,
        "fps": frames / wall,
        "realtime": period_ms / wall_ms,  # > 1: faster than real time
    }


def _channel(text: str) -> tuple[int, int, Fraction]:
    size, _, rate = text.partition("@")
    width, _, height = size.partition("x")
    return int(width), int(height), Fraction(rate or "30")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seconds", type=float, default=10.0, help="of program per run")
    parser.add_argument("--channels", nargs="+", default=["1280x720@30", "1920x1080@60"],
                        help="WIDTHxHEIGHT@FPS of the program")
    parser.add_argument("--clips", nargs="+", type=int, default=[1, 2, 4])
    parser.add_argument("--clip-size", default="1920x1080")
    parser.add_argument("--clip-fps", type=int, default=30)
    args = parser.parse_args()
    clip_w, _, clip_h = args.clip_size.partition("x")
    rows: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        sources = [make_clip(folder, i, max(args.seconds, 4.0), (int(clip_w), int(clip_h)),
                             args.clip_fps) for i in range(max(args.clips))]
        for channel in args.channels:
            width, height, fps = _channel(channel)
            for count in args.clips:
                chosen = sources[:count]
                rows.append(run_pipeline(chosen, width, height, fps, args.seconds,
                                         folder / f"out-{count}.ts"))
                rows.append(run_ffmpeg(chosen, width, height, fps, args.seconds,
                                       folder / f"ffmpeg-{count}.ts"))
    title = (f"clips: {args.clip_size}@{args.clip_fps} H.264 + AAC, offline, libx264 {PRESET} "
             f"{BITRATE // 1_000_000} Mbit/s")
    print_table(title, rows)
    write_json("clips", rows, seconds=args.seconds, clip_size=args.clip_size,
               clip_fps=args.clip_fps, preset=PRESET, bitrate=BITRATE)


if __name__ == "__main__":
    main()
