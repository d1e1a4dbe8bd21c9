"""The playback rule: which clip frame and which clip samples belong to a house-clock frame.

Pure arithmetic on exact ``Fraction``s, the one place the rule lives (the renderer, the mixer,
the decoders' read-ahead and the tests all ask here).

Pictures. At absolute house frame ``F`` of a channel at ``fps``, a clip layer whose content has
``start_frame`` ``S`` shows media time::

    t = (F - S) / fps                       (F < S, or S None: nothing)
    m = in_s + t                            (no loop; m >= out: "hold" the last frame, "hide")
    m = in_s + (t mod (out - in_s))         (loop: plays in_s..out again and again, no gap)

and the clip frame whose time is nearest: ``index = floor(m * clip_fps + 1/2)`` (a tie goes to
the later frame), clamped to the last frame of the trimmed range. ``out`` is ``out_s`` or the
clip's end (``frames / clip_fps``). Examples from the tests:

* a 25 fps clip on a 30 fps channel shows 0, 1, 2, 3, 3, 4, 5, 6, 7, 8, 8, ... (one clip frame
  in six is shown twice: frame F shows floor(5F/6 + 1/2));
* a 60 fps clip on a 30 fps channel shows 0, 2, 4, ... (every other clip frame);
* a 30 fps clip on a 30 fps channel shows 0, 1, 2, ... (F - S, plus the in point).

Sound. Program audio frame ``F`` is the output samples ``[S(F), S(F + 1))`` with
``S(F) = floor(F * 48000 / fps)``. Output sample ``s`` of a clip that started at ``S`` plays
clip sample ``round(in_s * 48000) + (s - S(start))``, wrapping by the exact loop length (in
samples, a Fraction, so loops never drift), or nothing once past ``out`` without loop ("hold"
and "hide" are both silence). Clip sample 0 is media time 0 of the video (``pcm``), so a
clip's sound plays in step with its pictures.
"""

from __future__ import annotations

import math
from fractions import Fraction

from compositor.media.info import AUDIO_RATE, MediaInfo
from compositor.scene.model import AudioContent, VideoContent

__all__ = [
    "audio_samples_at",
    "clip_end",
    "clip_frame_index",
    "clip_sample_range",
    "exact",
    "trim",
]

ClipContent = VideoContent | AudioContent


def exact(seconds: float) -> Fraction:
    """A float from the scene as the decimal a person wrote (0.1 -> 1/10, not the binary
    approximation), so that trims on frame boundaries land on them."""
    return Fraction(repr(seconds))


def clip_end(info: MediaInfo) -> Fraction:
    """Media time of the clip's end: frames / fps for video, the probed duration for sound."""
    if info.fps is not None and info.frames is not None:
        return Fraction(info.frames) / info.fps
    return exact(info.duration_s)


def trim(content: ClipContent, info: MediaInfo) -> tuple[Fraction, Fraction] | None:
    """The trimmed range ``(in, out)`` in media seconds, or None when it is empty."""
    end = clip_end(info)
    start = exact(content.in_s)
    out = end if content.out_s is None else min(end, exact(content.out_s))
    return (start, out) if out > start else None


def _media_time(content: ClipContent, info: MediaInfo, fps: Fraction,
                frame: int) -> tuple[Fraction, Fraction, Fraction] | None:
    """``(m, in, out)`` for house ``frame``; m may be >= out (ended, no loop)."""
    if content.start_frame is None or frame < content.start_frame:
        return None
    span = trim(content, info)
    if span is None:
        return None
    start, out = span
    t = Fraction(frame - content.start_frame) / fps
    if content.loop:
        return start + t % (out - start), start, out
    return start + t, start, out


def clip_frame_index(content: ClipContent, info: MediaInfo, fps: Fraction,
                     frame: int) -> int | None:
    """The clip frame shown at absolute house frame ``frame`` on a channel at ``fps``, or None
    (nothing: not landed, before ``start_frame``, after the end with ``on_end="hide"``, sound
    only). The rule is the module's docstring."""
    if info.fps is None or info.frames is None or info.frames <= 0:
        return None
    timed = _media_time(content, info, fps, frame)
    if timed is None:
        return None
    media, start, out = timed
    last = min(info.frames - 1, math.ceil(out * info.fps) - 1)
    if media >= out:
        if content.on_end == "hide":
            return None
        return last
    first = min(last, math.floor(start * info.fps + Fraction(1, 2)))
    return max(first, min(last, math.floor(media * info.fps + Fraction(1, 2))))


def audio_samples_at(fps: Fraction, frame: int) -> int:
    """S(frame): the first program-audio sample of house ``frame``."""
    return math.floor(Fraction(frame) * AUDIO_RATE / fps)


def _round(value: Fraction) -> int:
    return math.floor(value + Fraction(1, 2))


def clip_sample_range(content: ClipContent, info: MediaInfo, fps: Fraction,
                      frame: int) -> list[tuple[int, int, int]]:
    """The clip's sound in program-audio frame ``frame``: segments ``(output_offset,
    media_sample_start, count)`` to copy from the clip's 48 kHz PCM into the frame's
    ``S(frame + 1) - S(frame)`` samples (several when a loop wraps inside the frame; empty
    before the start and after the end). Media samples may lie past the PCM's end when the
    sound is shorter than the video: the mixer reads those as silence."""
    if content.start_frame is None or frame < content.start_frame:
        return []
    span = trim(content, info)
    if span is None:
        return []
    start, out = span
    first_out, end_out = audio_samples_at(fps, frame), audio_samples_at(fps, frame + 1)
    origin = audio_samples_at(fps, content.start_frame)
    in_sample = start * AUDIO_RATE
    length = (out - start) * AUDIO_RATE  # samples per pass, exact
    segments: list[tuple[int, int, int]] = []
    rel = first_out - origin  # samples since the clip started, >= 0
    stop = end_out - origin
    while rel < stop:
        passes = math.floor(rel / length)
        if passes > 0 and not content.loop:
            break
        pass_end = math.ceil((passes + 1) * length)  # first rel of the next pass
        count = min(stop, pass_end) - rel
        if count > 0:
            media = _round(in_sample + rel - passes * length)
            segments.append((rel - (first_out - origin), media, count))
        rel += count
    return segments
