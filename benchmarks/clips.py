"""Clip playback benchmark: 1, 2 and 4 simultaneous 1080p30 H.264 clips composited into a channel.

Each row is one whole process rendering ``--seconds`` of program to an mp4 with libx264 (veryfast,
zerolatency, CBR 6 Mbit/s, 2 s GOP) and AAC program audio (the clips' sound mixed):

- ``compositor``: ``compositor render`` of a scene whose video layers play the clips (looping)
  scaled into a grid, reading them from a data dir filled by ``compositor asset add``;
- ``ffmpeg``: the baseline, the ffmpeg CLI decoding the same clips, scaling them into the same
  grid with ``-filter_complex overlay`` on a black canvas, mixing their audio with ``amix`` and
  encoding with the same libx264 settings.

CPU is user + system time of the process and its children; per-frame figures divide by the
output frames. Both include start-up (ours: Python, the GL context, the encoder).

    .venv/bin/python -m benchmarks.clips --seconds 10
    .venv/bin/python -m benchmarks.clips --seconds 10 --channels 1280x720@30 1920x1080@60
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.report import print_table, write_json

__all__ = ["main"]

_X264 = ["-c:v", "libx264", "-preset", "veryfast", "-tune", "zerolatency", "-b:v", "6M",
         "-maxrate", "6M", "-bufsize", "6M", "-pix_fmt", "yuv420p"]


def make_clip(path: Path, seconds: int, index: int) -> None:
    """A 1080p30 H.264 + AAC clip of moving test pattern with a tone (ffmpeg CLI)."""
    sources = ["testsrc2", "smptehdbars", "rgbtestsrc", "mandelbrot"]
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y",
         "-f", "lavfi", "-i", f"{sources[index % 4]}=size=1920x1080:rate=30:duration={seconds}",
         "-f", "lavfi", "-i", f"sine=frequency={440 + 110 * index}:sample_rate=48000:"
                              f"duration={seconds}",
         "-c:v", "libx264", "-preset", "fast", "-g", "60", "-pix_fmt", "yuv420p",
         "-c:a", "aac", "-b:a", "128k", "-shortest", str(path)],
        check=True, timeout=600)


def _grid(count: int, width: int, height: int) -> list[tuple[int, int, int, int]]:
    """(x, y, w, h) boxes: one clip full frame, or a 2x2 grid."""
    if count == 1:
        return [(0, 0, width, height)]
    w, h = width // 2, height // 2
    return [((i % 2) * w, (i // 2) * h, w, h) for i in range(count)]


def _timed(command: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """Run ``command``; (wall seconds, CPU seconds of the child)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, timeout=1800, env=env,
                            check=False)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        raise SystemExit(f"benchmarks.clips: {command[0]} failed: {result.stderr[-2000:]}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def run_ffmpeg(clips: list[Path], width: int, height: int, fps: int, seconds: int,
               out: Path) -> tuple[float, float]:
    inputs: list[str] = []
    for clip in clips:
        inputs += ["-stream_loop", "-1", "-i", str(clip)]
    graph = [f"color=black:size={width}x{height}:rate={fps}[bg0]"]
    for i, (x, y, w, h) in enumerate(_grid(len(clips), width, height)):
        graph.append(f"[{i}:v]scale={w}:{h},fps={fps}[v{i}]")
        graph.append(f"[bg{i}][v{i}]overlay={x}:{y}:shortest=0[bg{i + 1}]")
    audio = "".join(f"[{i}:a]" for i in range(len(clips)))
    graph.append(f"{audio}amix=inputs={len(clips)}:normalize=0[a]")
    command = ["ffmpeg", "-v", "error", "-y", *inputs, "-filter_complex", ";".join(graph),
               "-map", f"[bg{len(clips)}]", "-map", "[a]", "-frames:v", str(seconds * fps),
               *_X264, "-g", str(2 * fps), "-c:a", "aac", "-ar", "48000", "-ac", "2",
               "-threads", "2", str(out)]
    return _timed(command)


def run_compositor(ids: list[str], data: Path, width: int, height: int, fps: int, seconds: int,
                   out: Path) -> tuple[float, float]:
    layers = [
        {"id": f"clip{i}", "kind": "video",
         "content": {"asset": ids[i], "loop": True, "start_frame": 0},
         "transform": {"x": x, "y": y, "width": w, "height": h}}
        for i, (x, y, w, h) in enumerate(_grid(len(ids), width, height))]
    scene = out.with_suffix(".json")
    scene.write_text(json.dumps({"width": width, "height": height, "fps": fps,
                                 "layers": layers}))
    command = [sys.executable, "-m", "control.service.cli", "render", str(scene),
               "--seconds", str(seconds), "-o", str(out), "--data-dir", str(data),
               "--no-progress"]
    return _timed(command, env={**os.environ, "COMPOSITOR_LOG_LEVEL": "warning"})


def add_assets(clips: list[Path], data: Path) -> list[str]:
    result = subprocess.run(
        [sys.executable, "-m", "control.service.cli", "asset", "add", "--data-dir", str(data),
         *map(str, clips)], capture_output=True, text=True, check=True, timeout=600)
    return [json.loads(line)["id"] for line in result.stdout.splitlines() if line.strip()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=10, help="program seconds per run")
    parser.add_argument("--counts", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--channels", nargs="+", default=["1280x720@30", "1920x1080@60"],
                        help="WIDTHxHEIGHT@FPS of the program")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-clips-") as tmp:
        folder = Path(tmp)
        clips = [folder / f"clip{i}.mp4" for i in range(max(args.counts))]
        for i, clip in enumerate(clips):
            make_clip(clip, max(4, args.seconds), i)
        ids = add_assets(clips, folder / "data")
        for channel in args.channels:
            size, fps_text = channel.split("@")
            width, height = (int(v) for v in size.split("x"))
            fps = int(fps_text)
            frames = args.seconds * fps
            for count in args.counts:
                for name in ("compositor", "ffmpeg"):
                    out = folder / f"{name}-{count}-{width}-{fps}.mp4"
                    if name == "ffmpeg":
                        wall, cpu = run_ffmpeg(clips[:count], width, height, fps, args.seconds,
                                               out)
                    else:
                        wall, cpu = run_compositor(ids[:count], folder / "data", width, height,
                                                   fps, args.seconds, out)
                    rows.append({"channel": channel, "clips": count, "tool": name,
                                 "frames": frames, "wall_s": wall, "cpu_s": cpu,
                                 "wall_ms_per_frame": wall / frames * 1000,
                                 "cpu_ms_per_frame": cpu / frames * 1000,
                                 "realtime_x": args.seconds / wall})
    print_table(f"clips: {args.seconds} s of program per run, 1080p30 H.264 clips", rows)
    write_json("clips", rows)


if __name__ == "__main__":
    main()
