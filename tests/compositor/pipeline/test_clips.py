"""Clips and program audio through the whole pipeline (llvmpipe, libx264, AAC), read back with PyAV.

The media source is :class:`tests.compositor.pipeline.tone_media.ToneMedia`: a clip whose media
frame 10 is a white flash and whose sound is a 1 kHz beep from that frame on.
"""

from __future__ import annotations

import math
from fractions import Fraction
from pathlib import Path

import numpy as np
import numpy.typing as npt
from msgspec.structs import replace
from prometheus_client import CollectorRegistry

from compositor.metrics import PipelineMetrics
from compositor.pipeline import Pipeline, PipelineConfig
from compositor.scene import AudioContent, Color, Layer, Scene, Transform, Tween, VideoContent
from tests.compositor.media import decode_audio, decode_file
from tests.compositor.pipeline.tone_media import ToneMedia

W, H, FPS = 160, 90, Fraction(30)
START, FRAMES = 1000, 40
SPF = 48_000 // 30  # samples per frame at 30 fps


def no_assets(asset_id: str) -> bytes | None:
    return None


def clip(start_frame: int, **content: object) -> Layer:
    return Layer("clip", "video", VideoContent(asset="c", start_frame=start_frame,
                                               **content),  # type: ignore[arg-type]
                 transform=Transform(width_px=W, height_px=H))


def bed(start_frame: int, **content: object) -> Layer:
    return Layer("bed", "audio", AudioContent(asset="b", start_frame=start_frame,
                                              **content))  # type: ignore[arg-type]


def render(tmp_path: Path, media: ToneMedia | None, *layers: Layer,
           registry: CollectorRegistry | None = None) -> tuple[Pipeline, str]:
    path = str(tmp_path / "out.mp4")
    config = PipelineConfig(width=W, height=H, fps=FPS, encoder="x264", bitrate_bps=400_000,
                            outputs=(path,)).offline(START, FRAMES)
    pipeline = Pipeline(config, no_assets, PipelineMetrics(registry or CollectorRegistry()),
                        media)
    pipeline.publish(Scene(version=1, width=W, height=H, fps=FPS,
                           background=Color(0, 0, 255), layers=layers))
    pipeline.start()
    assert pipeline.wait(120)
    pipeline.stop()
    return pipeline, path


def onset(samples: npt.NDArray[np.float32], threshold: float) -> int:
    loud = np.flatnonzero(np.abs(samples[:, 0]) > threshold)
    assert loud.size, "no sound"
    return int(loud[0])


def level_db(samples: npt.NDArray[np.float32]) -> float:
    """The level of a steady sine as its peak amplitude from its RMS (robust to AAC ripple)."""
    rms = float(np.sqrt(np.mean(samples.astype(np.float64) ** 2)))
    return 20 * math.log10(rms * math.sqrt(2))


def test_beep_is_on_air_with_its_flash_at_the_clip_frame_and_level(tmp_path: Path) -> None:
    media = ToneMedia(flash=10, amplitude=0.5)
    registry = CollectorRegistry()
    pipeline, path = render(tmp_path, media, clip(START + 5), registry=registry)
    first, samples = decode_audio(path)
    video = decode_file(path)
    # picture: the flash is on absolute frame start + 10 = pts 15, and only there
    white = [i for i, f in enumerate(video.frames) if f[H // 2, W // 2].min() > 200]
    assert white == [15]
    # sound: the beep's onset is sample S(1015) - S(1000) = 15 * 1600 (within one frame)
    beep = first + onset(samples, 0.25)
    assert abs(beep - 15 * SPF) <= SPF, (beep, 15 * SPF)
    assert abs(beep / 48_000 - video.pts_s[15]) <= 1 / 30  # A/V sync from the decoded output
    assert np.abs(samples[: 14 * SPF - first]).max() < 0.01  # silence before
    steady = samples[beep - first + 2 * SPF: beep - first + 20 * SPF]
    assert abs(level_db(steady) - 20 * math.log10(0.5)) < 0.5
    assert np.allclose(steady[:, 0], steady[:, 1], atol=0.02)  # the mono clip on both sides
    # audio covers the whole video: no hole at the end
    assert first + len(samples) >= FRAMES * SPF
    status = pipeline.status()
    assert status["rendered"] == FRAMES and status["reused"] == 0  # a clip plays: no reuse
    assert abs(status["audio"]["peak_dbfs"][0] - 20 * math.log10(0.5)) < 0.01
    value = registry.get_sample_value("compositor_audio_peak_dbfs", {"channel": "right"})
    assert value is not None and abs(value - 20 * math.log10(0.5)) < 0.01
    assert set(media.waits) == {10.0}  # offline waits for each picture
    assert media.mixed == list(range(START, START + FRAMES))
    assert media.playing[-1] == {"clip"}


def test_volume_halves_mute_silences_and_reused_frames_still_carry_sound(
        tmp_path: Path) -> None:
    media = ToneMedia(flash=0, amplitude=0.5)
    pipeline, path = render(tmp_path, media, bed(START, volume=0.5),
                            replace(clip(START), content=VideoContent(
                                asset="c", start_frame=START, muted=True), visible=False))
    first, samples = decode_audio(path)
    assert first + onset(samples, 0.1) < SPF
    level = level_db(samples[2 * SPF - first: 38 * SPF - first])
    assert abs(level - 20 * math.log10(0.25)) < 0.5  # 0.5 x 0.5; the muted clip adds nothing
    status = pipeline.status()
    assert status["reused"] >= FRAMES - 2  # nothing visible changes: frames reused...
    assert media.mixed == list(range(START, START + FRAMES))  # ...but every tick is mixed
    assert media.playing[-1] == {"bed"}  # the invisible clip layer does not play


def test_without_media_the_audio_is_silence_and_clips_draw_nothing(tmp_path: Path) -> None:
    pipeline, path = render(tmp_path, None, clip(START), bed(START))
    first, samples = decode_audio(path)
    assert first == 0 and first + len(samples) >= FRAMES * SPF
    assert np.abs(samples).max() < 1e-4
    assert pipeline.status()["audio"] == {"peak_dbfs": [-120.0, -120.0]}
    assert all(f[H // 2, W // 2, 2] > 200 for f in decode_file(path).frames)  # the background


def test_clip_problems_join_the_pipeline_problems(tmp_path: Path) -> None:
    media = ToneMedia(failing={"clip": "decoding failed at 1.2 s"})
    pipeline, _ = render(tmp_path, media, clip(START))
    assert pipeline.problems()["clip"] == "decoding failed at 1.2 s"
    assert pipeline.status()["frames"] == FRAMES  # the program went on


class BrokenMedia(ToneMedia):
    """A library that raises from every picture and mix (as a bug would)."""

    def video_frame(self, *args: object, **kwargs: object) -> None:
        raise RuntimeError("decoder exploded")

    def mix(self, *args: object, **kwargs: object) -> npt.NDArray[np.float32]:
        raise RuntimeError("mixer exploded")


def test_a_failing_library_costs_the_layer_and_the_sound_not_the_program(
        tmp_path: Path) -> None:
    pipeline, path = render(tmp_path, BrokenMedia(), clip(START))
    assert "decoder exploded" in pipeline.problems()["clip"]
    assert pipeline.status()["frames"] == FRAMES
    assert len(decode_file(path).frames) == FRAMES
    _, samples = decode_audio(path)
    assert np.abs(samples).max() < 1e-4


def test_a_volume_tween_fades_the_sound_sample_by_frame(tmp_path: Path) -> None:
    media = ToneMedia(flash=0, amplitude=0.5)
    fade = Tween("content.volume", 1.0, 0.0, START + 10, 20, "linear")
    _, path = render(tmp_path, media, replace(bed(START), tweens=(fade,)))
    first, samples = decode_audio(path)
    assert first == 0

    def level(frame: int) -> float:
        return level_db(samples[frame * SPF: (frame + 1) * SPF])

    assert abs(level(5) - 20 * math.log10(0.5)) < 0.5  # full volume before the fade
    assert abs(level(20) - 20 * math.log10(0.5 * 0.5)) < 0.5  # half way: volume 0.5
    assert level(5) > level(15) > level(20) > level(25)  # it ramps
    assert np.abs(samples[31 * SPF: FRAMES * SPF]).max() < 0.01  # faded out
