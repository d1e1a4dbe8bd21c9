"""Command lines of the ffmpeg and GStreamer contenders of ``benchmarks/versus.py``.

Both take a run: a scene spec (:meth:`benchmarks.versus_scenes.VersusScene.spec`) plus
``start``, ``frames``, ``out`` and ``encoder``. Both encode with libx264 at the settings every
contender shares (:data:`ENCODER`: CBR 6 Mbit/s, veryfast, zerolatency, profile high, a 2 s GOP
with no scene-cut keyframes, yuv420p BT.709 limited range) into an .mp4 (faststart), no audio.

- ffmpeg: what a careful user hand-builds. A ``color=`` source for the background and for each
  unrotated colour box (with alpha); every other plate is a PNG decoded once, converted once to
  yuva420p (BT.709) and repeated with the ``loop`` filter; a chain of ``overlay`` filters, whose
  ``x``/``y`` are expressions of the frame number ``n`` (``eval=frame``) for moving plates.
  (The textbook ``-loop 1 -framerate 30 -i x.png`` re-decodes and re-converts every PNG on every
  frame: in a quick 1080p test it cost 2.7× the CPU of this chain; ``versus.py`` runs it as the
  optional contender ``ffmpeg-loop1``.)
  ``overlay`` blends in yuv420p, its default and fastest format, which puts every layer on an
  even pixel (the chroma grid): on odd frames of the moving scenes layers sit up to 1 px off
  ours (a ``diff`` of a few levels); that is ffmpeg's picture, not an error of the benchmark.
- GStreamer: ``gst-launch-1.0`` with the ``compositor`` element; each plate is ``pngdec !
  imagefreeze`` (or ``videotestsrc pattern=solid-color`` for colour boxes) on its own pad at its
  position. gst-launch cannot animate pad positions (that needs a GstController from code), so
  a moving plate is replaced, in the timed run, by the honest closest equivalent: a source of
  the same size whose content moves every frame (``videotestsrc pattern=smpte75``, colour bars
  scrolling ``horizontal-speed`` px per frame, alpha 0.85: ``smpte`` would add a noise block
  that x264 pays dearly for), composited at the plate's position at the middle of the run. The
  compositing work (blend the plate's area every frame) and the encoder's work (that area
  changes every frame) match; the picture does not. With ``still_layout=True`` (the frame
  comparison) moving plates are their own image at that frame's position instead.
"""

from __future__ import annotations

from typing import Any

__all__ = ["BITRATE_BPS", "ENCODER", "GOP_SECONDS", "PRESET", "ffmpeg_command", "gst_command"]

BITRATE_BPS = 6_000_000
PRESET = "veryfast"
GOP_SECONDS = 2
ENCODER: dict[str, object] = {"bitrate_bps": BITRATE_BPS, "preset": PRESET,
                              "gop_seconds": GOP_SECONDS}


def _gop(run: dict[str, Any]) -> int:
    return int(run["encoder"]["gop_frames"])


def ffmpeg_command(run: dict[str, Any], *, decode_every_frame: bool = False) -> list[str]:
    """The overlay chain; ``decode_every_frame``: the textbook ``-loop 1 -framerate 30 -i``
    inputs instead (each PNG decoded and converted again on every frame)."""
    width, height, fps, start = run["width"], run["height"], run["fps"], run["start"]
    size, rate = f"{width}x{height}", f"{fps}"
    r, g, b = run["background"]
    inputs: list[str] = []
    graph = [f"color=c=0x{r:02x}{g:02x}{b:02x}:s={size}:r={rate},format=yuv420p[b0]"]
    for index, plate in enumerate(run["plates"]):
        label = f"p{index}"
        if plate["color"] is not None:
            cr, cg, cb, ca = plate["color"]
            graph.append(f"color=c=0x{cr:02x}{cg:02x}{cb:02x}@{ca / 255:.4f}"
                         f":s={plate['width']}x{plate['height']}:r={rate},format=yuva420p[{label}]")
        else:
            source = inputs.count("-i")
            repeat = f"loop=loop=-1:size=1,setpts=N/({rate}*TB)"
            if decode_every_frame:
                inputs += ["-loop", "1", "-framerate", rate]
                repeat = "null"
            inputs += ["-i", plate["png"]]
            graph.append(f"[{source}:v]scale=out_color_matrix=bt709:out_range=tv,"
                         f"format=yuva420p,{repeat}[{label}]")
        x, y = (_position(plate, axis, start, fps) for axis in "xy")
        graph.append(f"[b{index}][{label}]overlay=x={x}:y={y}:eval=frame:format=yuv420"
                     f"[b{index + 1}]")
    bitrate = str(run["encoder"]["bitrate_bps"])
    gop = str(_gop(run))
    return ["ffmpeg", "-nostdin", "-v", "error", "-y", *inputs,
            "-filter_complex", ";".join(graph), "-map", f"[b{len(run['plates'])}]",
            "-frames:v", str(run["frames"]), "-an",
            "-c:v", "libx264", "-preset", run["encoder"]["preset"], "-tune", "zerolatency",
            "-profile:v", "high", "-b:v", bitrate, "-maxrate", bitrate, "-bufsize", bitrate,
            "-x264-params", "nal-hrd=cbr", "-g", gop, "-keyint_min", gop, "-sc_threshold", "0",
            "-pix_fmt", "yuv420p", "-colorspace", "bt709", "-color_primaries", "bt709",
            "-color_trc", "bt709", "-color_range", "tv", "-movflags", "+faststart", run["out"]]


def _position(plate: dict[str, Any], axis: str, start: int, fps: int) -> str:
    step = plate[f"v{axis}"]
    if not step:
        return str(plate[axis])
    # The frame number from the main input's timestamp: overlay's own ``n`` is already 1 on
    # the first frame in ffmpeg 5.1.
    return f"'{plate[axis]}+{step}*(round(t*{fps})+{start})'"


def gst_command(run: dict[str, Any], *, still_layout: bool = False) -> list[str]:
    width, height, fps, frames = run["width"], run["height"], run["fps"], run["frames"]
    middle = run["start"] + (frames - 1) // 2 if not still_layout else run["start"]
    enc = run["encoder"]
    kbps = enc["bitrate_bps"] // 1000
    pads = ["sink_0::xpos=0 sink_0::ypos=0"]
    branches = [*_solid(run["background"] + [255], width, height, frames, fps), "!", "mix.sink_0"]
    for index, plate in enumerate(run["plates"], start=1):
        x, y = plate["x"] + plate["vx"] * middle, plate["y"] + plate["vy"] * middle
        pads.append(f"sink_{index}::xpos={x} sink_{index}::ypos={y}")
        if plate["color"] is not None:
            branches += _solid(plate["color"], plate["width"], plate["height"], frames, fps)
        elif (plate["vx"] or plate["vy"]) and not still_layout:
            branches += _scrolling(plate, frames, fps)
        else:
            branches += ["filesrc", f"location={plate['png']}", "!", "pngdec", "!",
                         "imagefreeze", f"num-buffers={frames}", "!",
                         f"video/x-raw,framerate={fps}/1"]
        branches += ["!", f"mix.sink_{index}"]
    return ["gst-launch-1.0", "-q",
            "compositor", "name=mix", "background=black", *" ".join(pads).split(), "!",
            f"video/x-raw,width={width},height={height},framerate={fps}/1", "!",
            "videoconvert", "!", "video/x-raw,format=I420,colorimetry=bt709", "!",
            "x264enc", f"bitrate={kbps}", f"speed-preset={enc['preset']}", "tune=zerolatency",
            "pass=cbr", "vbv-buf-capacity=1000", f"key-int-max={_gop(run)}",
            f"option-string=keyint-min={_gop(run)}:scenecut=0:nal-hrd=cbr", "!",
            "video/x-h264,profile=high", "!", "mp4mux", "faststart=true", "!",
            "filesink", f"location={run['out']}", *branches]


def _solid(rgba: list[int], width: int, height: int, frames: int, fps: int) -> list[str]:
    r, g, b, a = rgba
    return ["videotestsrc", "pattern=solid-color", f"num-buffers={frames}",
            f"foreground-color=0x{a:02x}{r:02x}{g:02x}{b:02x}", "!",
            f"video/x-raw,format=RGBA,width={width},height={height},framerate={fps}/1"]


def _scrolling(plate: dict[str, Any], frames: int, fps: int) -> list[str]:
    speed = plate["vx"] or plate["vy"]
    return ["videotestsrc", "pattern=smpte75", f"horizontal-speed={speed}",
            f"num-buffers={frames}", "!",
            f"video/x-raw,format=RGBA,width={plate['width']},height={plate['height']},"
            f"framerate={fps}/1", "!", "alpha", "alpha=0.85"]
