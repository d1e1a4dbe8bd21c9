"""The clip sound path: PCM rendering (rates, layouts, start times) and the program mix."""

from __future__ import annotations

import subprocess
import threading
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from compositor.media import AUDIO_RATE, MediaLibrary, audio_samples_at, clip_frame_index
from compositor.scene.model import AudioContent, Layer, Scene, VideoContent
from tests.media_factory import MediaCache, samples_at

F30 = Fraction(30)


def onset(pcm: npt.NDArray[np.float32], threshold: float = 0.05) -> int:
    loud = np.flatnonzero(np.abs(pcm[:, 0]) > threshold)
    assert len(loud), "no sound at all"
    return int(loud[0])


def db(ratio: float) -> float:
    return 20 * float(np.log10(ratio))


def rms(samples: npt.NDArray[np.float32]) -> float:
    return float(np.sqrt(np.mean(np.square(samples.astype(np.float64)))))


def program(library: MediaLibrary, layers: list[Layer], frames: range) -> npt.NDArray[np.float32]:
    scene = Scene(width=64, height=36, fps=F30, layers=tuple(layers))
    return np.concatenate([library.mix(scene, F30, f) for f in frames])


def sound_layer(asset: str, **fields: object) -> Layer:
    return Layer(id=f"l-{asset}", kind="audio",
                 content=AudioContent(asset=asset, **fields))  # type: ignore[arg-type]


@pytest.fixture
def library(tmp_path: Path) -> Iterator[MediaLibrary]:
    lib = MediaLibrary(tmp_path / "pcm")
    yield lib
    lib.close()


def test_beep_lands_on_its_frame_and_flash(media: MediaCache, library: MediaLibrary) -> None:
    info = library.prepare("beep", media.counter(fps=25, seconds=2, beep_frame=10))
    content = VideoContent(asset="beep", start_frame=30)
    layer = Layer(id="v", kind="video", content=content)
    out = program(library, [layer], range(0, 60))
    expected = audio_samples_at(F30, 30) + samples_at(10, Fraction(25))  # 48000 + 19200
    assert abs(onset(out) - expected) <= 48  # AAC smears an onset by well under a millisecond
    flash_house_frame = 30 + 12  # 0.4 s after the start
    assert clip_frame_index(content, info, F30, flash_house_frame) == 10
    assert onset(out) // 1600 == flash_house_frame


def test_wav_onset_is_sample_exact(media: MediaCache, library: MediaLibrary) -> None:
    library.prepare("w", media.audio(".wav", seconds=1.0, onset_s=Fraction(1, 4)))
    out = program(library, [sound_layer("w", start_frame=0)], range(0, 30))
    assert not out[: 12000].any()
    assert onset(out, threshold=1e-4) == 12001  # sin(0) = 0 at sample 12000


@pytest.mark.parametrize(("suffix", "rate", "channels"), [
    (".wav", 44_100, "mono"), (".flac", 48_000, "5.1"), (".wav", 22_050, "stereo"),
    (".mp3", 44_100, "stereo"), (".ogg", 48_000, "mono"),
])
def test_any_rate_and_layout_keeps_its_level(media: MediaCache, library: MediaLibrary,
                                             suffix: str, rate: int, channels: str) -> None:
    library.prepare("s", media.audio(suffix, seconds=1.0, rate=rate, channels=channels))
    out = program(library, [sound_layer("s", start_frame=0)], range(3, 27))
    for side in (0, 1):  # a 0.5 sine has an RMS of 0.5 / sqrt(2)
        assert db(rms(out[:, side]) / (0.5 / np.sqrt(2))) == pytest.approx(0, abs=0.5)
    assert len(library.mix(Scene(fps=F30), F30, 0)) == 1600


def test_5_1_and_mono_44k_clips_with_video(media: MediaCache, library: MediaLibrary) -> None:
    surround = media.counter(fps=30, seconds=1, channels="5.1", audio_codec="flac", suffix=".mkv")
    mono = media.counter(fps=30, seconds=1, channels="mono", audio_rate=44_100)
    for asset, path in (("surround", surround), ("mono", mono)):
        library.prepare(asset, path)
        layer = Layer(id=asset, kind="video", content=VideoContent(asset=asset, start_frame=0))
        out = program(library, [layer], range(3, 27))
        for side in (0, 1):
            assert db(rms(out[:, side]) / (0.5 / np.sqrt(2))) == pytest.approx(0, abs=0.5)


def test_volume_half_is_minus_6_db(media: MediaCache, library: MediaLibrary) -> None:
    library.prepare("t", media.audio(".wav", seconds=1.0))
    full = program(library, [sound_layer("t", start_frame=0)], range(0, 30))
    half = program(library, [sound_layer("t", start_frame=0, volume=0.5)], range(0, 30))
    assert db(rms(half) / rms(full)) == pytest.approx(-6.02, abs=0.5)
    assert np.allclose(half, full * 0.5)


def test_muted_hidden_unprepared_and_ended_are_silent(media: MediaCache,
                                                      library: MediaLibrary) -> None:
    library.prepare("t", media.audio(".wav", seconds=1.0))
    silent = [
        sound_layer("t", start_frame=0, muted=True),
        Layer(id="hidden", kind="audio", content=AudioContent(asset="t", start_frame=0),
              visible=False),
        sound_layer("nowhere", start_frame=0),
        sound_layer("t", start_frame=None),
    ]
    assert not program(library, silent, range(0, 10)).any()
    ended = program(library, [sound_layer("t", start_frame=0)], range(30, 40))
    assert not ended.any()  # "hold" after the end is silence


def test_two_clips_sum(media: MediaCache, library: MediaLibrary) -> None:
    library.prepare("a", media.audio(".wav", seconds=1.0, tone_hz=440.0, amplitude=0.25))
    library.prepare("b", media.audio(".flac", seconds=1.0, tone_hz=1000.0, amplitude=0.25))
    first = program(library, [sound_layer("a", start_frame=0)], range(0, 20))
    second = program(library, [sound_layer("b", start_frame=5)], range(0, 20))
    both = program(library, [sound_layer("a", start_frame=0), sound_layer("b", start_frame=5)],
                   range(0, 20))
    assert np.array_equal(both, first + second)
    assert first.any() and second[audio_samples_at(F30, 5):].any()
    assert not second[: audio_samples_at(F30, 5)].any()


def test_sound_that_starts_late_is_placed_late(media: MediaCache, tmp_path: Path,
                                               library: MediaLibrary) -> None:
    video = media.counter(fps=30, seconds=2, audio=False)
    sound = media.audio(".wav", seconds=1.0, onset_s=Fraction(1, 10))
    muxed = tmp_path / "late.mkv"
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-i", str(video), "-itsoffset", "0.5",
                    "-i", str(sound), "-map", "0:v", "-map", "1:a", "-c:v", "copy", "-c:a", "flac",
                    str(muxed)], check=True, timeout=60)
    library.prepare("late", muxed)
    layer = Layer(id="v", kind="video", content=VideoContent(asset="late", start_frame=0))
    out = program(library, [layer], range(0, 45))
    assert abs(onset(out, threshold=1e-3) - int(0.6 * AUDIO_RATE)) <= 2


def test_pcm_is_cached_on_disk_and_reused(media: MediaCache, tmp_path: Path) -> None:
    path = media.audio(".wav", seconds=1.0)
    first = MediaLibrary(tmp_path / "cache")
    first.prepare("t", path)
    cache = tmp_path / "cache" / "t.f32"
    assert cache.stat().st_size == AUDIO_RATE * 2 * 4
    stamp = cache.stat().st_mtime_ns
    assert first.prepare("t", path) is first.info("t")
    second = MediaLibrary(tmp_path / "cache")
    second.prepare("t", path)
    assert cache.stat().st_mtime_ns == stamp
    layer = [sound_layer("t", start_frame=0)]
    assert np.array_equal(program(first, layer, range(5)), program(second, layer, range(5)))
    for library in (first, second):
        library.close()


def test_in_memory_without_cache_dir(media: MediaCache) -> None:
    library = MediaLibrary(None)
    library.prepare("t", media.audio(".wav", seconds=1.0))
    assert program(library, [sound_layer("t", start_frame=0)], range(3)).any()
    assert library.info("unknown") is None
    library.close()


def test_loop_wraps_the_sound(media: MediaCache, library: MediaLibrary) -> None:
    library.prepare("w", media.audio(".wav", seconds=1.0, onset_s=Fraction(1, 10)))
    out = program(library, [sound_layer("w", start_frame=0, loop=True, out_s=0.5)],
                  range(0, 30))
    quiet = np.abs(out[:, 0]) <= 1e-4
    assert quiet[:4800].all() and not quiet[4802:24000].all()
    assert quiet[24000:28800].all()  # the second pass starts with the same silence
    assert not quiet[28802:28900].all()


def test_concurrent_prepares_render_once(media: MediaCache, tmp_path: Path) -> None:
    path = media.counter(fps=25, seconds=2)
    library = MediaLibrary(tmp_path / "cache")
    results: list[object] = []
    threads = [threading.Thread(target=lambda: results.append(library.prepare("c", path)))
               for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(results) == 4 and all(info is results[0] for info in results)
    assert [p.name for p in (tmp_path / "cache").iterdir()] == ["c.f32"]
    library.close()
