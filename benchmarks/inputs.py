"""Live inputs: end-to-end latency through ``compositor serve``, and CPU per live input.

Latency: a timed stream (``benchmarks/stream_probe.py``: pictures whose colour encodes their
index, a 1 kHz burst every 2 s) is published from this process to a local nginx-rtmp; a
``compositor serve`` (``--program-size``, default 640x360: llvmpipe draws that in real time on
a small machine) reads it as an input shown full-frame by a video layer and publishes the
program to the same nginx-rtmp; a listener here plays the program and matches what it sees and
hears to what was sent. Picture latency = seen - sent; sound latency = burst heard - sent.
Baseline in the same run: the hand-built relay, the ffmpeg CLI reading the same stream and
re-encoding it to RTMP (``-fflags nobuffer``, x264 ultrafast zerolatency).

CPU: a child process runs an ``InputHub`` with N readers of the same live stream (the ffmpeg CLI
publishing ``--input-size`` at 30 fps) and reports its CPU seconds per wall second; baseline:
``ffmpeg -i URL -f null -`` (demux and decode only).

    .venv/bin/python -m benchmarks.inputs --seconds 20 --input-size 1280x720 --program-size 640x360
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

from benchmarks.report import percentile, print_table, write_json
from benchmarks.stream_probe import Listener, TimedSender
from tests.rtmp_server import RtmpServer
from tests.servers import free_port

FPS = 30


def _http(method: str, url: str, body: Any = None) -> Any:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        raw = response.read()
        return json.loads(raw) if raw else None


def _latencies(sender: TimedSender, listener: Listener) -> tuple[list[float], list[float]]:
    pictures = [seen - sender.sent_pictures[index] for seen, index in listener.seen
                if index is not None and index in sender.sent_pictures
                and 0 < seen - sender.sent_pictures[index] < 10]
    sounds = []
    for heard in listener.heard:
        before = [sent for sent in sender.sent_bursts if sent <= heard]
        if before and heard - before[-1] < 2.0:
            sounds.append(heard - before[-1])
    return pictures, sounds


def _row(case: str, pictures: list[float], sounds: list[float]) -> dict[str, object]:
    def ms(samples: list[float], pct: float) -> float | None:
        return None if not samples else 1000 * percentile(samples, pct)
    return {"case": case, "pictures": len(pictures), "picture p50 ms": ms(pictures, 50),
            "picture p95 ms": ms(pictures, 95), "bursts": len(sounds),
            "sound p50 ms": ms(sounds, 50), "sound p95 ms": ms(sounds, 95)}


def _measure(rtmp: RtmpServer, in_key: str, out_key: str, seconds: float,
             size: tuple[int, int], out_size: tuple[int, int]) -> tuple[list[float], list[float]]:
    sender = TimedSender(rtmp.url(in_key), size, FPS)
    listener = Listener(rtmp.url(out_key), (out_size[1] // 4, out_size[0] // 4))
    try:
        time.sleep(seconds)
    finally:
        listener.stop()
        sender.stop()
    return _latencies(sender, listener)


def latency_compositor(rtmp: RtmpServer, folder: Path, seconds: float, size: tuple[int, int],
                       program: tuple[int, int], latency_ms: int) -> dict[str, object]:
    port = free_port()
    width, height = program
    serve = subprocess.Popen(
        [sys.executable, "-m", "control.service.cli", "serve", "--port", str(port),
         "--data-dir", str(folder / "data"), "--width", str(width), "--height", str(height),
         "--fps", str(FPS), "--encoder", "x264", "--output", rtmp.url("program")],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    api = f"http://127.0.0.1:{port}/api/v1"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                _http("GET", f"{api}/inputs")
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        _http("POST", f"{api}/inputs", {"id": "cam", "url": rtmp.url("cam"),
                                        "latency_ms": latency_ms})
        _http("POST", f"{api}/layers", {"id": "cam", "kind": "video",
                                        "content": {"input": "cam"},
                                        "transform": {"width": width, "height": height}})
        pictures, sounds = _measure(rtmp, "cam", "program", seconds, size, program)
        status = _http("GET", f"{api}/inputs/cam")
    finally:
        serve.terminate()
        serve.wait(30)
    row = _row(f"compositor serve {width}x{height} (input latency_ms={latency_ms})", pictures,
               sounds)
    row["late"] = status["late"]
    return row


def latency_ffmpeg_relay(rtmp: RtmpServer, seconds: float,
                         size: tuple[int, int]) -> dict[str, object]:
    relay = subprocess.Popen(
        ["ffmpeg", "-nostdin", "-v", "error", "-fflags", "nobuffer", "-rtmp_live", "live",
         "-i", rtmp.url("relay-in"), "-c:v", "libx264", "-preset", "ultrafast", "-tune",
         "zerolatency", "-g", str(FPS), "-c:a", "aac", "-f", "flv", rtmp.url("relay-out")],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        pictures, sounds = _measure(rtmp, "relay-in", "relay-out", seconds, size, size)
    finally:
        relay.kill()
        relay.wait(10)
    row = _row("baseline: ffmpeg CLI relay (re-encode)", pictures, sounds)
    row["late"] = None
    return row


def _cpu_child(url: str, readers: int, seconds: float) -> None:
    """In a child process: ``readers`` inputs of ``url`` for ``seconds``; prints JSON."""
    from compositor.inputs import InputHub, InputSpec

    hub = InputHub()
    for number in range(readers):
        hub.put(InputSpec(id=f"in{number}", url=url))
    deadline = time.monotonic() + 30
    while any(s.state != "live" for s in hub.statuses()) and time.monotonic() < deadline:
        time.sleep(0.1)
    before, started = time.process_time(), time.monotonic()
    frames = sum(s.frames for s in hub.statuses())
    time.sleep(seconds)
    used, wall = time.process_time() - before, time.monotonic() - started
    frames = sum(s.frames for s in hub.statuses()) - frames
    hub.close()
    print(json.dumps({"cpu_s": used, "wall_s": wall, "frames": frames}))


def cpu_rows(rtmp: RtmpServer, seconds: float, size: tuple[int, int]) -> list[dict[str, object]]:
    width, height = size
    sender = subprocess.Popen(
        ["ffmpeg", "-nostdin", "-v", "error", "-re", "-f", "lavfi", "-i",
         f"testsrc2=size={width}x{height}:rate={FPS}", "-f", "lavfi", "-i",
         "sine=f=1000:r=48000", "-c:v", "libx264", "-preset", "ultrafast", "-tune",
         "zerolatency", "-g", str(FPS), "-b:v", "3M", "-c:a", "aac", "-f", "flv",
         rtmp.url("cpu")], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    rows: list[dict[str, object]] = []
    try:
        time.sleep(3)
        for readers in (1, 2):
            out = subprocess.run([sys.executable, "-m", "benchmarks.inputs", "--cpu-child",
                                  rtmp.url("cpu"), str(readers), str(seconds)],
                                 capture_output=True, text=True, timeout=seconds + 120,
                                 check=True)
            got = json.loads(out.stdout.strip().splitlines()[-1])
            rows.append({"case": f"InputHub, {readers} reader(s)",
                         "cores per input": got["cpu_s"] / got["wall_s"] / readers,
                         "fps per input": got["frames"] / got["wall_s"] / readers})
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.monotonic()
        subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-rtmp_live", "live", "-i",
                        rtmp.url("cpu"), "-t", str(seconds), "-f", "null", "-"],
                       timeout=seconds + 60, check=False)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
        rows.append({"case": "baseline: ffmpeg -i URL -f null - (decode only)",
                     "cores per input": cpu / (time.monotonic() - started),
                     "fps per input": None})
    finally:
        sender.kill()
        sender.wait(10)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--input-size", default="1280x720")
    parser.add_argument("--program-size", default="640x360",
                        help="the compositor's canvas (the input is scaled into it)")
    parser.add_argument("--latency-ms", type=int, default=66)
    parser.add_argument("--cpu-child", nargs=3, metavar=("URL", "READERS", "SECONDS"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.cpu_child:
        url, readers, seconds = args.cpu_child
        _cpu_child(url, int(readers), float(seconds))
        return
    width, height = (int(v) for v in args.input_size.split("x"))
    pw, ph = (int(v) for v in args.program_size.split("x"))
    with RtmpServer() as rtmp, TemporaryDirectory() as folder:
        latency = [latency_compositor(rtmp, Path(folder), args.seconds, (width, height),
                                      (pw, ph), args.latency_ms),
                   latency_ffmpeg_relay(rtmp, args.seconds, (width, height))]
        print_table(f"End-to-end latency, {width}x{height} @ {FPS} in", latency)
        cpu = cpu_rows(rtmp, args.seconds, (width, height))
        print_table(f"CPU per live {width}x{height} @ {FPS} input", cpu)
    write_json("inputs", [*latency, *cpu], input_size=args.input_size,
               program_size=args.program_size, fps=FPS)


if __name__ == "__main__":
    main()
