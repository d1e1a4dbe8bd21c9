"""This project against libvips + PyAV, the ffmpeg CLI and GStreamer, same scenes, same encoder.

    .venv/bin/python -m benchmarks.versus [--frames 300] [--scenes still moving layers16]
        [--contenders ours vips ffmpeg gst [ffmpeg-loop1]] [--width 1920 --height 1080] [--rounds 1]
        [--name versus]

Each contender is a whole process (start-up, loading, compositing, encoding, writing the file),
started as a subprocess and timed by wall clock and CPU time (user + sys of the child and its
children, ``RUSAGE_CHILDREN`` deltas): what a user of each tool pays. All write ``--frames``
frames at 30 fps of the same scene (:mod:`benchmarks.versus_scenes`) into an .mp4 with the same
libx264 settings (CBR 6 Mbit/s, veryfast, zerolatency, profile high, 2 s GOP without scene-cut
keyframes, yuv420p BT.709) and no audio track (ours with ``--no-audio``; the others have none).

- ``ours``: ``compositor render SCENE.json -o OUT --seconds S --data-dir TMP --no-audio``; the
  images are added to that embedded store with ``compositor asset add`` before timing. Movement
  is the scene's own keyframe animation.
- ``vips``: :mod:`benchmarks.versus_vips` (pyvips ``composite`` of every layer on every frame,
  PyAV encoding), run as ``python -m``.
- ``ffmpeg`` and ``gst``: :mod:`benchmarks.versus_commands` (an ``overlay`` chain of images
  decoded once; optionally ``ffmpeg-loop1``, the same chain fed by ``-loop 1`` inputs; the
  ``compositor`` element via ``gst-launch-1.0``, whose moving layers are same-sized sources with
  moving content, at a fixed place: gst-launch cannot move a pad; see that module).

Before timing, each contender renders the middle frame alone (GStreamer with its moving layers
as their own images, there) and the table shows its mean absolute difference from ours
(``diff``, 8-bit levels over the Y, U and V planes): a few levels is encoding and rounding, tens
means a different picture. Every timed output is opened afterwards: a contender whose file does
not hold exactly ``--frames`` frames of the right size is marked failed and gets no ratio, and
``diff_run`` compares its middle frame with ours (large for GStreamer where layers move: there
they are test patterns by design).
``wall_x``/``cpu_x`` are the contender's time over ours (above 1: ours is faster).
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np
import numpy.typing as npt

from benchmarks.report import print_table, write_json
from benchmarks.versus_commands import (
    BITRATE_BPS,
    ENCODER,
    GOP_SECONDS,
    PRESET,
    ffmpeg_command,
    gst_command,
)
from benchmarks.versus_scenes import FPS, SCENES, VersusScene, build_scene
from compositor.scene.codec import decode_scene

__all__ = ["count_frames", "main"]

ROOT = Path(__file__).resolve().parents[1]
CONTENDERS = ("ours", "vips", "ffmpeg", "gst", "ffmpeg-loop1")
DEFAULT_CONTENDERS = CONTENDERS[:4]
GST_PACKAGES = ("gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good "
                "gstreamer1.0-plugins-ugly")
TIMEOUT_S = 3600


@dataclass(frozen=True, slots=True)
class Timed:
    wall_s: float
    cpu_s: float
    error: str | None = None


class Bench:
    """One scene's files and the command line of each contender."""

    def __init__(self, scene: VersusScene, folder: Path, data_dir: Path, frames: int) -> None:
        self.scene, self.folder, self.data_dir, self.frames = scene, folder, data_dir, frames
        self.spec = scene.spec(folder / "plates")
        ids = add_assets(scene, data_dir)
        self.scene_json = folder / "scene.json"
        document = scene.ours(frames, ids)
        decode_scene(document)  # our own codec accepts it (raises SceneValidationError if not)
        self.scene_json.write_text(json.dumps(document))

    def command(self, contender: str, start: int, frames: int, out: Path,
                still_layout: bool = False) -> list[str]:
        if contender == "ours":
            return [*_compositor(), "render", str(self.scene_json), "-o", str(out),
                    "--seconds", repr(frames / FPS), "--start-frame", str(start),
                    "--data-dir", str(self.data_dir), "--no-audio", "--no-progress",
                    "--preset", PRESET, "--bitrate", f"{BITRATE_BPS // 1000}k",
                    "--log-level", "warning"]
        run = {**self.spec, "start": start, "frames": frames, "out": str(out),
               "encoder": {**ENCODER, "gop_frames": GOP_SECONDS * FPS}}
        if contender == "vips":
            path = out.with_suffix(".json")
            path.write_text(json.dumps(run))
            return [sys.executable, "-m", "benchmarks.versus_vips", str(path)]
        if contender.startswith("ffmpeg"):
            return ffmpeg_command(run, decode_every_frame=contender == "ffmpeg-loop1")
        return gst_command(run, still_layout=still_layout)


def _compositor() -> list[str]:
    script = Path(sys.executable).parent / "compositor"
    return [str(script)] if script.exists() else [sys.executable, "-m", "control.service.cli"]


def add_assets(scene: VersusScene, data_dir: Path) -> dict[bytes, str]:
    """``compositor asset add`` every image of ``scene`` into the embedded store in
    ``data_dir`` (not timed); returns image bytes -> asset id."""
    files: dict[str, bytes] = {}
    for index, plate in enumerate(scene.plates):
        if plate.asset is not None:
            path = data_dir.parent / f"asset-{scene.name}-{index:02d}.png"
            path.write_bytes(plate.asset)
            files[str(path)] = plate.asset
    if not files:
        return {}
    result = subprocess.run([*_compositor(), "asset", "add", "--data-dir", str(data_dir),
                             "--log-level", "warning", *files], capture_output=True, text=True,
                            cwd=ROOT, timeout=600, check=False)
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    ids = {files[line["file"]]: line["id"] for line in lines if "id" in line}
    if result.returncode or len(ids) != len(set(files.values())):
        raise SystemExit(f"benchmarks.versus: compositor asset add failed: {result.stderr}"
                         f"{result.stdout}")
    return ids


def timed(command: list[str]) -> Timed:
    """Run ``command`` to its end; wall and CPU seconds (the child and its descendants)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.perf_counter()
    try:
        result = subprocess.run(command, cwd=ROOT, stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                                timeout=TIMEOUT_S, check=False)
        error = (f"exit {result.returncode}: {result.stderr.strip()[-400:]}"
                 if result.returncode else None)
    except (OSError, subprocess.TimeoutExpired) as exc:
        error = str(exc)
    wall = time.perf_counter() - began
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return Timed(wall, cpu, error)


def count_frames(path: Path, width: int, height: int) -> int:
    """Video packets in ``path`` (one per frame: zerolatency has no B-frames); -1 when the file
    is missing, unreadable or of another size."""
    try:
        with av.open(str(path)) as container:
            stream = container.streams.video[0]
            if (stream.codec_context.width, stream.codec_context.height) != (width, height):
                return -1
            return sum(1 for packet in container.demux(stream) if packet.size)
    except (OSError, IndexError, av.error.FFmpegError):
        return -1


def frame_at(path: Path, index: int = 0) -> npt.NDArray[np.uint8] | None:
    """Picture ``index`` of ``path`` as yuv420p planes stacked (h * 3 / 2, w); None if none."""
    try:
        with av.open(str(path)) as container:
            for number, frame in enumerate(container.decode(video=0)):
                if number == index:
                    return np.asarray(frame.to_ndarray(format="yuv420p"), dtype=np.uint8)
    except (OSError, av.error.FFmpegError):
        return None
    return None


def mean_diff(picture: npt.NDArray[np.uint8] | None, ours: npt.NDArray[np.uint8] | None
              ) -> float | None:
    """Mean |picture - ours| in 8-bit levels over every sample; None if either is missing."""
    if ours is None or picture is None or picture.shape != ours.shape:
        return None
    return float(np.abs(picture.astype(np.int16) - ours.astype(np.int16)).mean())


def compare(bench: Bench, contenders: list[str], folder: Path) -> dict[str, float | None]:
    """Each contender's middle frame, rendered alone; mean |difference| from ours (levels)."""
    middle = bench.frames // 2
    pictures: dict[str, npt.NDArray[np.uint8] | None] = {}
    for contender in contenders:
        out = folder / f"{contender}-middle.mp4"
        result = timed(bench.command(contender, middle, 1, out, still_layout=True))
        pictures[contender] = None if result.error else frame_at(out)
        if result.error:
            print(f"  {contender}: middle frame failed: {result.error}", file=sys.stderr)
    return {c: mean_diff(p, pictures.get("ours")) for c, p in pictures.items()}


def measure(bench: Bench, contenders: list[str], rounds: int, folder: Path
            ) -> dict[str, tuple[Timed, int]]:
    """Best of ``rounds`` (by wall time) for each contender, interleaved; with frames counted."""
    best: dict[str, tuple[Timed, int]] = {}
    for _ in range(rounds):
        for contender in contenders:
            out = folder / f"{contender}.mp4"
            out.unlink(missing_ok=True)
            result = timed(bench.command(contender, 0, bench.frames, out))
            counted = count_frames(out, bench.scene.width, bench.scene.height)
            if result.error is None and counted != bench.frames:
                result = Timed(result.wall_s, result.cpu_s,
                               f"wrote {counted} frames, not {bench.frames}")
            kept = best.get(contender)
            if kept is None or _better(result, kept[0]):
                best[contender] = (result, counted)
    return best


def run_diffs(bench: Bench, contenders: list[str], folder: Path) -> dict[str, float | None]:
    """The timed outputs' middle frames against ours (GStreamer's moving layers differ there
    by design: they are moving test patterns)."""
    middle = bench.frames // 2
    ours = frame_at(folder / "ours.mp4", middle)
    return {c: mean_diff(frame_at(folder / f"{c}.mp4", middle), ours) for c in contenders}


def _better(new: Timed, old: Timed) -> bool:
    if (new.error is None) != (old.error is None):
        return new.error is None
    return new.wall_s < old.wall_s


def rows_for(scene: str, best: dict[str, tuple[Timed, int]], diffs: dict[str, float | None],
             timed_diffs: dict[str, float | None], frames: int) -> list[dict[str, object]]:
    ours = best.get("ours")
    base = ours[0] if ours and ours[0].error is None else None
    rows: list[dict[str, object]] = []
    for contender, (result, counted) in best.items():
        ok = result.error is None
        rows.append({
            "scene": scene, "contender": contender, "frames": counted,
            "wall_s": result.wall_s, "cpu_s": result.cpu_s,
            "fps": frames / result.wall_s if ok else None,
            "wall_x": result.wall_s / base.wall_s if ok and base else None,
            "cpu_x": result.cpu_s / base.cpu_s if ok and base else None,
            "diff": diffs.get(contender),
            "diff_run": timed_diffs.get(contender),
            "status": "ok" if ok else f"FAILED: {result.error}",
        })
    return rows


def available(contenders: list[str]) -> tuple[list[str], list[str]]:
    """The contenders this machine can run, and a note for each one it cannot."""
    notes = []
    chosen = list(contenders)
    if "gst" in chosen:
        missing = shutil.which("gst-launch-1.0") is None or subprocess.run(
            ["gst-inspect-1.0", "x264enc"], capture_output=True, check=False).returncode != 0
        if missing:
            chosen.remove("gst")
            notes.append("GStreamer skipped: gst-launch-1.0 or its x264enc element is missing "
                         f"(apt-get install {GST_PACKAGES})")
    if shutil.which("ffmpeg") is None and any(c.startswith("ffmpeg") for c in chosen):
        chosen = [c for c in chosen if not c.startswith("ffmpeg")]
        notes.append("ffmpeg skipped: the ffmpeg CLI is missing (apt-get install ffmpeg)")
    if "vips" in chosen:
        try:
            import pyvips  # noqa: F401
        except Exception as exc:  # ImportError, or OSError when libvips is missing
            chosen.remove("vips")
            notes.append(f"libvips skipped: pyvips unavailable: {exc}")
    return chosen, notes


def verdict(rows: list[dict[str, object]]) -> list[str]:
    """The issue's targets, read from the rows (reported, not asserted)."""
    lines = []
    targets = {"still": 2.0, "moving": 1.0}
    for row in rows:
        goal = targets.get(str(row["scene"]))
        if goal is None or row["contender"] not in ("vips", "ffmpeg", "ffmpeg-loop1") or (
                row["wall_x"] is None):
            continue
        ratio = float(row["wall_x"])  # type: ignore[arg-type]
        mark = "met" if ratio >= goal else "NOT met"
        lines.append(f"{row['scene']}: ours vs {row['contender']}: {ratio:.2f}x wall "
                     f"(target >= {goal:g}x): {mark}")
    return lines


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--frames", type=int, default=300)
    parser.add_argument("--scenes", nargs="+", choices=SCENES, default=list(SCENES))
    parser.add_argument("--contenders", nargs="+", choices=CONTENDERS,
                        default=list(DEFAULT_CONTENDERS),
                        help="ffmpeg-loop1 (optional): ffmpeg with -loop 1 image inputs")
    parser.add_argument("--width", type=int, default=1920)
    parser.add_argument("--height", type=int, default=1080)
    parser.add_argument("--rounds", type=int, default=1, help="best of N (by wall time)")
    parser.add_argument("--name", default="versus", help="writes benchmarks/out/NAME.json")
    args = parser.parse_args(argv)
    if args.frames < 2 or args.rounds < 1:
        raise SystemExit("benchmarks.versus: --frames must be >= 2 and --rounds >= 1")
    if "ours" not in args.contenders:
        args.contenders.insert(0, "ours")  # every ratio and diff is against ours
    contenders, notes = available(args.contenders)
    for note in notes:
        print(note, file=sys.stderr)
    rows: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory(prefix="versus-") as tmp:
        data_dir = Path(tmp) / "store"
        for name in args.scenes:
            folder = Path(tmp) / name
            bench = Bench(build_scene(name, args.width, args.height), folder, data_dir,
                          args.frames)
            print(f"{name}: {len(bench.scene.plates)} layers, comparing the middle frame",
                  file=sys.stderr)
            diffs = compare(bench, contenders, folder)
            print(f"{name}: timing {', '.join(contenders)}", file=sys.stderr)
            best = measure(bench, contenders, args.rounds, folder)
            rows += rows_for(name, best, diffs, run_diffs(bench, contenders, folder),
                             args.frames)
    title = (f"versus: {args.width}x{args.height}@{FPS}, {args.frames} frames, libx264 "
             f"{PRESET} {BITRATE_BPS // 1_000_000} Mbit/s CBR, .mp4, "
             f"best of {args.rounds}; wall_x/cpu_x = contender / ours")
    print_table(title, rows)
    lines = verdict(rows)
    for line in [*notes, *lines]:
        print(line)
    write_json(args.name, rows, frames=args.frames, width=args.width, height=args.height,
               fps=FPS, rounds=args.rounds, encoder=ENCODER, container="mp4", audio="none",
               notes=notes, targets=lines)


if __name__ == "__main__":
    main()
