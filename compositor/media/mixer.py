"""Program audio: the sum of every audible clip layer's sound for one house frame."""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction

import numpy as np

from compositor.media.info import MediaInfo
from compositor.media.pcm import Pcm
from compositor.media.timeline import audio_samples_at, clip_sample_range
from compositor.scene.model import AudioContent, Scene, VideoContent

__all__ = ["mix_frame"]

ClipLookup = Callable[[str], tuple[MediaInfo, Pcm] | None]


def mix_frame(scene: Scene, fps: Fraction, frame: int, lookup: ClipLookup) -> Pcm:
    """Samples ``[S(frame), S(frame + 1))`` of program audio, shape (n, 2) float32: for every
    layer of the evaluated ``scene`` that is visible, not muted, at a volume above 0 and plays a
    prepared clip (``lookup`` gives its info and PCM, None when not prepared: silence), the
    clip's samples (``timeline.clip_sample_range``) times the layer's volume. Samples past the
    end of a clip's PCM are silence. Zeros when nothing plays; no clipping is applied here."""
    out = np.zeros((audio_samples_at(fps, frame + 1) - audio_samples_at(fps, frame), 2),
                   np.float32)
    for layer in scene.layers:
        content = layer.content
        if not isinstance(content, (VideoContent, AudioContent)) or content.asset is None:
            continue
        if not layer.visible or content.muted or content.volume <= 0:
            continue
        clip = lookup(content.asset)
        if clip is None:
            continue
        info, pcm = clip
        for offset, start, count in clip_sample_range(content, info, fps, frame):
            lo, hi = max(start, 0), min(start + count, len(pcm))
            if hi > lo:
                target = out[offset + lo - start: offset + hi - start]
                target += pcm[lo:hi] * np.float32(content.volume)
    return out
