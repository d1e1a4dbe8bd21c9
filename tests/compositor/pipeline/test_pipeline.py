"""The pipeline end to end with the real renderer (llvmpipe), libx264 and nginx-rtmp."""

from __future__ import annotations

import itertools
import threading
import time
from dataclasses import dataclass, field, replace
from fractions import Fraction
from pathlib import Path

import av
import av.error
import msgspec
import numpy as np
import pytest
from prometheus_client import CollectorRegistry

from compositor.errors import EncoderUnavailableError
from compositor.metrics import PipelineMetrics
from compositor.pipeline import AppliedFrame, Pipeline, PipelineConfig
from compositor.scene import Color, ColorContent, ImageContent, Layer, Scene, Transform
from tests.compositor.media import decode_file
from tests.polling import wait_for
from tests.rtmp_server import RtmpServer, open_live, rtmp_available

W, H, FPS = 320, 180, Fraction(30)
BLUE, RED = (0, 0, 255), (255, 0, 0)
BOX = 40
AAC_PRIMING_S = 1024 / 48_000
needs_rtmp = pytest.mark.skipif(not rtmp_available(), reason="nginx with the RTMP module missing")


def no_assets(asset_id: str) -> bytes | None:
    return None


def box_scene(version: int = 1, x: float = 0.0, background: Color | None = None) -> Scene:
    box = Layer(id="box", kind="color", content=ColorContent(Color(*RED)),
                transform=Transform(x_px=x, y_px=70, width_px=BOX, height_px=BOX))
    return Scene(version=version, width=W, height=H, fps=FPS,
                 background=background or Color(*BLUE),
                 layers=(box,))


def box_x(frame: int) -> int:
    return (frame % 60) * 4


def moving(scene: Scene, frame: int) -> Scene:
    """Stand-in animation: the box moves 4 px per absolute frame (a pure function of frame)."""
    layer = scene.layers[0]
    put = msgspec.structs.replace  # the model is frozen msgspec.Struct
    return put(scene, layers=(put(layer, transform=put(layer.transform,
                                                       x_px=float(box_x(frame)))),))


def config(**overrides: object) -> PipelineConfig:
    base = PipelineConfig(width=W, height=H, fps=FPS, encoder="x264", bitrate_bps=800_000,
                          keyframe_interval_s=1.0)
    return replace(base, **overrides)  # type: ignore[arg-type]



@dataclass
class Reader:
    """Plays an RTMP URL on a thread, keeping every decoded frame's time, pixels and metadata."""

    url: str
    times: list[float] = field(default_factory=list)
    frames: list[np.ndarray] = field(default_factory=list)
    keyframes: list[int] = field(default_factory=list)  # indexes into frames
    color: tuple[int, int, int, int] | None = None
    average_rate: Fraction | None = None
    audio: tuple[str, int] | None = None
    error: str | None = None

    def __post_init__(self) -> None:
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        container = open_live(self.url, self._stop, time.monotonic() + 15)
        if container is not None:
            with container:
                self._read(container)

    def _read(self, container: av.container.InputContainer) -> None:
        video = container.streams.video[0]
        self.average_rate = video.average_rate
        if container.streams.audio:
            ctx = container.streams.audio[0].codec_context
            self.audio = (ctx.name, ctx.sample_rate)
        try:
            for frame in container.decode(video=0):
                self.times.append(float(frame.time))
                if frame.key_frame:
                    self.keyframes.append(len(self.frames))
                self.frames.append(frame.to_ndarray(format="rgb24"))
                self.color = (frame.color_primaries, frame.color_trc, frame.colorspace,
                              frame.color_range)
                if self._stop.is_set():
                    return
        except av.error.FFmpegError as exc:  # the publisher went away: end of stream
            self.error = str(exc)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(20)


def close_to(pixel: np.ndarray, rgb: tuple[int, int, int], tolerance: int = 40) -> bool:
    return int(np.abs(pixel.astype(int) - rgb).max()) <= tolerance


@needs_rtmp
def test_rtmp_round_trip_moving_box(rtmp: RtmpServer) -> None:
    url = rtmp.url("round-trip-key")
    pipeline = Pipeline(config(outputs=(url,), evaluate=lambda scene, frame, size: moving(
        scene, frame), is_animating=lambda scene, frame: True), no_assets,
        PipelineMetrics(CollectorRegistry()))
    pipeline.publish(box_scene())
    pipeline.start()
    reader = Reader(url)
    try:
        wait_for(lambda: len(reader.frames) >= 75, 30, "75 frames read back over RTMP")
    finally:
        pipeline.stop()
        reader.close()
    status = pipeline.status()
    assert status["encoder"] == "libx264" and status["renderer"]
    assert "round-trip-key" not in str(status)
    times = reader.times
    assert len(times) >= 75
    assert all(b > a for a, b in itertools.pairwise(times)), "timestamps must increase"
    # pts step by whole frames of 1/30 s (flv keeps ms); a step of more than one frame is a
    # frame the live pipeline dropped to keep real time on a loaded machine (counted).
    frames_per_step = np.diff(times) * 30
    assert np.all(np.abs(frames_per_step - np.round(frames_per_step)) < 0.07)
    assert np.mean(np.round(frames_per_step) == 1) >= 0.8
    assert reader.average_rate is not None and abs(float(reader.average_rate) - 30) < 0.5
    assert reader.color == (1, 1, 1, 1)  # BT.709 primaries, transfer, matrix; limited range
    assert reader.audio == ("aac", 48_000)
    # the GOP is 1 s = 30 encoded frames; nginx starts players at a keyframe
    assert reader.keyframes[0] == 0 and len(reader.keyframes) >= 2
    assert set(np.diff(reader.keyframes)) == {30}
    start = pipeline.start_frame
    assert start is not None
    # The FLV muxer shifts every timestamp by the AAC encoder's priming delay (1024 samples at
    # 48 kHz, 0.64 of a frame here), so a frame's pts is round((t - priming) * fps).
    for t, rgb in list(zip(times, reader.frames))[5::10]:
        frame = start + round((t - AAC_PRIMING_S) * 30)
        x = box_x(frame)
        assert close_to(rgb[90, x + BOX // 2], RED), f"box at x={x} in frame {frame}"
        assert close_to(rgb[20, (x + BOX + 60) % W], BLUE)


@needs_rtmp
def test_rtmp_server_restart_reconnects_while_rendering_goes_on(rtmp: RtmpServer) -> None:
    url = rtmp.url("restart-key")
    registry = CollectorRegistry()
    pipeline = Pipeline(config(outputs=(url,)), no_assets, PipelineMetrics(registry))
    pipeline.publish(box_scene())
    pipeline.start()
    try:
        [output] = pipeline.outputs
        wait_for(lambda: output.state == "live" and output.bytes_sent > 0, 15, "live")
        rtmp.stop()
        encoded_at_stop = pipeline.frames_encoded
        wait_for(lambda: output.reconnects >= 1, 15, "the output to notice")
        assert pipeline.status()["state"] in ("reconnecting", "connecting")
        time.sleep(0.5)  # a real outage: the output waits out its backoff meanwhile
        assert pipeline.frames_encoded > encoded_at_stop, "encoding must go on without a server"
        rtmp.start()
        bytes_before = output.bytes_sent
        wait_for(lambda: output.state == "live" and output.bytes_sent > bytes_before, 20,
                 "the output to come back live")
        reader = Reader(url)
        wait_for(lambda: len(reader.frames) >= 10, 20, "frames after the restart")
        reader.close()
        status = pipeline.status()
    finally:
        pipeline.stop()
    assert status["state"] == "live"
    assert status["outputs"][0]["reconnects"] >= 1
    value = registry.get_sample_value("compositor_output_reconnects_total",
                                      {"output": output.name})
    assert value is not None and value >= 1
    assert close_to(reader.frames[-1][90, 20], RED)


def test_explicit_nvenc_fails_at_start_and_auto_runs_libx264(tmp_path: Path) -> None:
    pytest.importorskip("compositor.encode")
    from importlib.util import find_spec

    if find_spec("PyNvVideoCodec") is not None:
        pytest.skip("this machine has PyNvVideoCodec")
    metrics = PipelineMetrics(CollectorRegistry())
    with pytest.raises(EncoderUnavailableError, match="NVENC"):
        Pipeline(config(encoder="nvenc"), no_assets, metrics).start()
    pipeline = Pipeline(config(encoder="auto").offline(0, 3), no_assets,
                        PipelineMetrics(CollectorRegistry()))
    pipeline.start()
    assert pipeline.wait(30)
    pipeline.stop()
    assert pipeline.status()["encoder"] == "libx264"


def test_scheduled_scene_lands_on_its_frame_and_static_frames_are_reused(tmp_path: Path) -> None:
    path = str(tmp_path / "sched.mkv")
    applied: list[AppliedFrame] = []
    registry = CollectorRegistry()
    pipeline = Pipeline(config(outputs=(path,), audio=False, on_applied=applied.append
                               ).offline(1000, 40), no_assets, PipelineMetrics(registry))
    pipeline.publish(box_scene(version=1, x=0))
    pipeline.publish(box_scene(version=2, x=200, background=Color(0, 255, 0)), at_frame=1020)
    pipeline.start()
    assert pipeline.wait(60)
    pipeline.stop()
    got = decode_file(path)
    assert len(got.frames) == 40
    assert all(close_to(f[20, 300], BLUE) and close_to(f[90, 20], RED) for f in got.frames[:20])
    assert all(close_to(f[20, 10], (0, 255, 0)) and close_to(f[90, 220], RED)
               for f in got.frames[20:])
    assert [(a.version, a.frame, a.pts, a.late_frames) for a in applied] == [
        (1, 1000, 0, 0), (2, 1020, 20, 0)]
    status = pipeline.status()
    assert status["rendered"] + status["reused"] == 40
    assert status["reused"] >= 30  # two scenes, nothing animating: almost every frame reused
    assert registry.get_sample_value("compositor_frames_reused_total") == status["reused"]
    assert registry.get_sample_value("compositor_scene_version") == 2


def test_publish_never_blocks_and_preview_shows_the_program() -> None:
    pipeline = Pipeline(config(), no_assets, PipelineMetrics(CollectorRegistry()))
    pipeline.start()
    try:
        started = time.perf_counter()
        for version in range(1, 2001):
            pipeline.publish(box_scene(version=version))
        assert time.perf_counter() - started < 1.0
        wait_for(lambda: pipeline.status()["frames"] >= 10, 15, "frames")
        wait_for(lambda: pipeline.preview_jpeg() is not None, 5, "a preview")
        jpeg = pipeline.preview_jpeg(160)
    finally:
        pipeline.stop()
    assert jpeg is not None and jpeg[:2] == b"\xff\xd8"
    status = pipeline.status()
    assert status["state"] == "idle" and status["fps"] > 0


def test_held_scenes_are_the_one_on_air_and_those_waiting_for_their_frame() -> None:
    """What the clip sweeper keeps ready (``control/service/clips.py``)."""
    pipeline = Pipeline(config(), no_assets, PipelineMetrics(CollectorRegistry()))
    first, later, second = box_scene(1), box_scene(2, x=100), box_scene(3, x=50)
    pipeline.publish(first)
    pipeline.publish(later, at_frame=10**15)  # scheduled far ahead: waits all along
    assert pipeline.held_scenes() == [first, later]  # nothing on air before the start
    pipeline.start()
    try:
        wait_for(lambda: pipeline.status()["frames"] >= 2, 15, "frames")
        held = pipeline.held_scenes()
        assert held[0] is first and held[1:] == [later]  # on air, then waiting
        pipeline.publish(second)
        wait_for(lambda: pipeline.held_scenes()[0] is second, 5, "the new scene on air")
        assert pipeline.held_scenes()[1:] == [later]
    finally:
        pipeline.stop()


def test_a_layer_with_a_missing_asset_is_skipped_reported_and_counted() -> None:
    registry = CollectorRegistry()
    pipeline = Pipeline(config(audio=False).offline(0, 5), no_assets, PipelineMetrics(registry))
    broken = Layer(id="logo", kind="image", content=ImageContent("f" * 64))
    scene = box_scene()
    pipeline.publish(msgspec.structs.replace(scene, layers=(*scene.layers, broken)))
    pipeline.start()
    assert pipeline.wait(30)
    pipeline.stop()
    assert set(pipeline.problems()) >= {"logo"}
    assert registry.get_sample_value("compositor_layers_skipped") == 1
    assert pipeline.status()["frames"] == 5  # the frame and the loop went on


def test_damage_tracking_redraws_a_share_of_each_frame_and_whole_frames_when_off() -> None:
    """The moving box covers a few percent of the frame: with damage tracking each rendered
    frame redraws about that much (compositor_frame_damage_ratio); with ``damage=False`` every
    rendered frame is whole. The NV12 frames are the same either way."""
    results = []
    for damage in (True, False):
        registry = CollectorRegistry()
        frames: list[np.ndarray] = []
        pipeline = Pipeline(config(audio=False, damage=damage,
                                   on_frame=lambda f, nv12, kept=frames: kept.append(nv12.copy()),
                                   evaluate=lambda scene, frame, size: moving(scene, frame),
                                   is_animating=lambda scene, frame: True).offline(0, 12),
                            no_assets, PipelineMetrics(registry))
        pipeline.publish(box_scene())
        pipeline.start()
        assert pipeline.wait(60)
        pipeline.stop()
        total = registry.get_sample_value("compositor_frame_damage_ratio_sum")
        count = registry.get_sample_value("compositor_frame_damage_ratio_count")
        assert count == 12 and total is not None
        results.append((total / count, frames))
    (damaged_share, damaged), (whole_share, whole) = results
    assert whole_share == 1.0
    assert 0.0 < damaged_share < 0.2
    assert len(damaged) == len(whole) == 12
    assert all(np.array_equal(a, b) for a, b in zip(damaged, whole, strict=True))
