"""Per-frame audio bookkeeping: samples placed on the output timeline, and the peak meter."""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

import numpy as np
from prometheus_client import CollectorRegistry

from compositor.metrics import PipelineMetrics
from compositor.pipeline.audio import ProgramAudio, frame_samples, sample_at


def test_frames_own_contiguous_sample_ranges_at_fractional_rates() -> None:
    fps = Fraction(30000, 1001)
    counts = [frame_samples(f, fps) for f in range(10**9, 10**9 + 5005)]
    assert set(counts) == {1601, 1602}
    assert sum(counts) == 5005 * 8008 // 5  # 1601.6 samples a frame, exactly: no drift
    audio = ProgramAudio(fps, PipelineMetrics(CollectorRegistry()))
    start = 10**9 + 7  # pts 0 is this frame
    chunks = [audio.chunk(start + pts, pts, None) for pts in range(100)]
    assert chunks[0].start == 0
    assert all(a.end == b.start for a, b in itertools.pairwise(chunks))
    assert chunks[-1].end == sample_at(start + 100, fps) - sample_at(start, fps)


def test_pcm_of_the_wrong_length_is_cut_or_padded_and_none_is_silence() -> None:
    audio = ProgramAudio(Fraction(25), PipelineMetrics(CollectorRegistry()))
    assert not audio.chunk(0, 0, None).pcm.any()
    long = audio.chunk(1, 1, np.ones((5000, 2), np.float32))
    short = audio.chunk(2, 2, np.ones((10, 2), np.float32))
    assert long.pcm.shape == short.pcm.shape == (1920, 2)
    assert long.pcm.all() and short.pcm[:10].all() and not short.pcm[10:].any()


def test_peaks_are_the_last_seconds_per_channel_in_dbfs() -> None:
    registry = CollectorRegistry()
    audio = ProgramAudio(Fraction(25), PipelineMetrics(registry))
    assert audio.peak_dbfs() == [-120.0, -120.0]
    loud = np.zeros((1920, 2), np.float32)
    loud[100] = (0.5, -0.25)
    audio.chunk(0, 0, loud)
    left, right = audio.peak_dbfs()
    assert math.isclose(left, 20 * math.log10(0.5)) and math.isclose(right, 20 * math.log10(0.25))
    assert registry.get_sample_value("compositor_audio_peak_dbfs", {"channel": "left"}) == left
    for frame in range(1, 25):  # 24 more silent frames: the peak is still within the second
        audio.chunk(frame, frame, None)
    assert audio.peak_dbfs()[0] == left
    audio.chunk(25, 25, None)  # one second after it: gone
    assert audio.peak_dbfs() == [-120.0, -120.0]
    assert registry.get_sample_value("compositor_audio_peak_dbfs", {"channel": "right"}) == -120
