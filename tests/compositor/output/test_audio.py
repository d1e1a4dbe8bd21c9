"""Program audio in the outputs: PCM chunks encoded to AAC in step with the video, silence where
none came, in files and through the isolated RTMP child (nginx-rtmp), decoded back with PyAV."""

from __future__ import annotations

import math
from fractions import Fraction
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest
from prometheus_client import CollectorRegistry

from compositor.encode import EncoderConfig, X264Encoder
from compositor.metrics import PipelineMetrics
from compositor.output import Output, VideoParams, open_output
from compositor.output.audio import AudioChunk
from compositor.pipeline import Pipeline, PipelineConfig
from compositor.scene import AudioContent, Layer, Scene
from tests.compositor.media import decode_audio, decode_file, flat_nv12
from tests.compositor.pipeline.tone_media import ToneMedia
from tests.polling import wait_for
from tests.rtmp_server import RtmpServer

W, H, FPS = 160, 90, Fraction(25)
SPF = 48_000 // 25  # samples per frame
VIDEO = VideoParams(W, H, FPS)


def tone(start: int, count: int, amplitude: float = 0.5) -> npt.NDArray[np.float32]:
    n = np.arange(start, start + count)
    wave = amplitude * np.sin(2 * math.pi * 1000 * n / 48_000)
    return np.stack([wave, -wave], axis=1).astype(np.float32)


def feed(output: Output, frames: range, skip_audio: range = range(0)) -> None:
    """Frames ``frames`` (pts = index) with a continuous tone, each frame's audio first."""
    encoder = X264Encoder(EncoderConfig(W, H, FPS, 400_000, keyframe_interval_s=1.0))
    for pts in frames:
        if pts not in skip_audio:
            output.offer_audio(AudioChunk(pts * SPF, tone(pts * SPF, SPF)))
        for packet in encoder.encode(flat_nv12(W, H, (200, 50, 50)), pts):
            output.offer(packet)
    for packet in encoder.flush():
        output.offer(packet)


def on_timeline(first: int, samples: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    """Decoded ``samples`` starting at container sample ``first``, re-indexed from sample 0."""
    if first >= 0:
        return np.concatenate([np.zeros((first, 2), np.float32), samples])
    return samples[-first:]


def windows_db(samples: npt.NDArray[np.float32], size: int = 480) -> npt.NDArray[np.float64]:
    """The level (dB of peak-from-RMS) of the left channel in consecutive windows."""
    count = len(samples) // size
    blocks = samples[: count * size, 0].astype(np.float64).reshape(count, size)
    rms = np.sqrt(np.mean(blocks**2, axis=1)) * math.sqrt(2)
    return np.asarray(20 * np.log10(np.maximum(rms, 1e-9)))


@pytest.mark.parametrize("suffix", [".mp4", ".mkv", ".ts"])
def test_file_carries_the_pcm_with_silence_where_a_frame_had_none(tmp_path: Path,
                                                                 suffix: str) -> None:
    path = str(tmp_path / f"out{suffix}")
    output = open_output(path, VIDEO, PipelineMetrics(CollectorRegistry()), lossless=True)
    output.start()
    feed(output, range(50), skip_audio=range(20, 23))  # frames 20..22 lost their audio
    output.stop()
    assert output.state == "idle" and output.last_error is None
    first, samples = decode_audio(path)
    assert len(decode_file(path).frames) == 50
    assert first + len(samples) >= 50 * SPF  # as long as the video: no hole at the end
    level = windows_db(on_timeline(first, samples))  # index = container sample / 480
    per_frame = SPF // 480
    tone_db = 20 * math.log10(0.5)
    # the tone where audio came (away from the AAC transitions), silence where it did not
    assert np.all(np.abs(level[2 * per_frame: 19 * per_frame] - tone_db) < 0.5)
    assert np.all(level[21 * per_frame: 22 * per_frame] < -40)  # AAC smears ~1024 samples
    assert np.all(np.abs(level[24 * per_frame: 48 * per_frame] - tone_db) < 0.5)
    # the right channel is the inverted left: the stereo layout survives
    middle = samples[10 * SPF - first: 12 * SPF - first]
    assert np.allclose(middle[:, 0], -middle[:, 1], atol=0.02)


def test_without_audio_chunks_the_track_is_silence_as_long_as_the_video(
        tmp_path: Path) -> None:
    path = str(tmp_path / "silent.mp4")
    output = open_output(path, VIDEO, PipelineMetrics(CollectorRegistry()), lossless=True)
    output.start()
    feed(output, range(50), skip_audio=range(50))
    output.stop()
    first, samples = decode_audio(path)
    assert first + len(samples) >= 50 * SPF
    assert np.abs(samples).max() < 1e-4


def test_rtmp_through_the_isolated_child_carries_the_program_audio(rtmp: RtmpServer) -> None:
    url = rtmp.url("audio-key")
    media = ToneMedia(flash=0, amplitude=0.5)
    config = PipelineConfig(width=W, height=H, fps=FPS, encoder="x264", bitrate_bps=400_000,
                            keyframe_interval_s=1.0, outputs=(url,))
    pipeline = Pipeline(config, lambda asset_id: None, PipelineMetrics(CollectorRegistry()),
                        media)
    pipeline.publish(Scene(version=1, width=W, height=H, fps=FPS,
                           layers=(Layer("bed", "audio", AudioContent("b", start_frame=0)),)))
    pipeline.start()
    try:
        [output] = pipeline.outputs
        wait_for(lambda: output.state == "live", 15, "the RTMP output to go live")
        _, samples = decode_audio(url, {"rtmp_live": "live", "rw_timeout": "10000000"},
                                  max_seconds=2.0)
    finally:
        pipeline.stop()
    assert len(samples) >= 2 * 48_000 * 0.9
    level = windows_db(samples[2048:])
    # a live run on a busy machine may skip a frame (its audio is silence): most is the tone
    assert np.mean(np.abs(level - 20 * math.log10(0.5)) < 0.5) > 0.8
    assert pipeline.status()["audio"]["peak_dbfs"][0] == pytest.approx(20 * math.log10(0.5),
                                                                       abs=0.01)
