"""The hub as the render thread's media source: program audio of input layers at their volume,
clips and inputs behind one router, metrics from the statuses, offline fallbacks said once."""

from __future__ import annotations

import time
from fractions import Fraction

import numpy as np
import pytest
from prometheus_client import CollectorRegistry, generate_latest

from compositor.inputs import InputHub, InputMetrics, InputSpec, LossPolicy, MediaRouter
from compositor.media.timeline import audio_samples_at
from compositor.scene import Layer, Scene, VideoContent
from tests.compositor.inputs.conftest import needs_ffmpeg
from tests.compositor.inputs.senders import Sender, free_port
from tests.polling import wait_for

FPS = Fraction(25)


def _layer(layer_id: str, input_id: str, **content: object) -> Layer:
    return Layer(id=layer_id, kind="video", content=VideoContent(input=input_id, **content))  # type: ignore[arg-type]


@needs_ffmpeg
@pytest.mark.slow
def test_mix_router_and_metrics(hub: InputHub) -> None:
    port = free_port(2)
    registry = CollectorRegistry()
    metrics = InputMetrics(registry)
    metrics.register(hub.statuses)
    hub.put(InputSpec(id="cam", url=f"udp://127.0.0.1:{port}", loss=LossPolicy(hold_ms=400)))
    with Sender(f"udp://127.0.0.1:{port}?pkt_size=1316", "mpegts"):
        reader = hub.reader("cam")
        assert reader is not None

        def frame_with_sound() -> int | None:
            frame = int(Fraction(time.time() - 0.3) * FPS)
            start = audio_samples_at(FPS, frame)
            pcm = reader.sound(start, audio_samples_at(FPS, frame + 1) - start)
            return frame if pcm is not None and float(np.abs(pcm).min()) > 0 else None

        frame = wait_for(frame_with_sound, 20, "a frame full of sound")
        start = audio_samples_at(FPS, frame)
        count = audio_samples_at(FPS, frame + 1) - start
        own = reader.sound(start, count)
        assert own is not None
        scene = Scene(fps=FPS, layers=(
            _layer("half", "cam", volume=0.5), _layer("muted", "cam", muted=True),
            Layer(id="hidden", kind="video", visible=False, content=VideoContent(input="cam")),
            _layer("other", "nope"), Layer(id="clip", kind="video",
                                           content=VideoContent(asset="a" * 64)),
        ))
        mixed = hub.mix(scene, FPS, frame)
        assert mixed.shape == (count, 2) and mixed.dtype == np.float32
        assert np.allclose(mixed, own * 0.5)
        router = MediaRouter(clips=None, inputs=hub)
        assert np.allclose(router.mix(scene, FPS, frame), own * 0.5)
        assert router.video_frame("clip", VideoContent(asset="a" * 64), FPS, frame) is None
        now = int(Fraction(time.time()) * FPS)
        picture = router.video_frame("half", VideoContent(input="cam"), FPS, now)
        assert picture is not None and picture.key[0] == "input:cam"
        both = MediaRouter(clips=router, inputs=hub)  # any media source sums into the program
        assert np.allclose(both.mix(scene, FPS, frame), own)

        text = generate_latest(registry).decode()
        assert 'compositor_input_state{input="cam",state="live"} 1.0' in text
        assert 'compositor_input_state{input="cam",state="lost"} 0.0' in text
        assert 'compositor_input_frames_total{input="cam"}' in text
        assert 'compositor_input_media_age_seconds{input="cam"}' in text
        assert "udp://" not in text
    hub.remove("cam")
    assert "cam" not in generate_latest(registry).decode()
    assert hub.mix(scene, FPS, frame).any() is np.False_
    metrics.unregister()


def test_offline_inputs_show_their_fallback() -> None:
    hub = InputHub(live=False)
    try:
        hub.put(InputSpec(id="cam", url="rtmp://127.0.0.1:1/live/k",
                          loss=LossPolicy(then="black")))
        hub.put(InputSpec(id="gone", url="rtmp://127.0.0.1:1/live/k"))  # freeze: nothing yet
        for frame in range(5):
            black = hub.video_frame("a", VideoContent(input="cam"), FPS, frame)
            assert black is not None and int(black.y.max()) == 16
            assert hub.video_frame("b", VideoContent(input="gone"), FPS, frame) is None
            assert hub.video_frame("c", VideoContent(input="nope"), FPS, frame) is None
        assert hub.offline_note(["gone", "cam", "nope", "cam"]) == (
            "offline render: live inputs are not read; their layers show their fallback "
            "(cam: black, gone: freeze, nope: nothing (no such input))")
        assert hub.status("cam").state == "connecting"  # type: ignore[union-attr]
        assert not hub.mix(Scene(fps=FPS, layers=(_layer("a", "cam"),)), FPS, 3).any()
    finally:
        hub.close()


def test_put_remove_sync_never_block() -> None:
    hub = InputHub()
    try:
        started = time.monotonic()
        for number in range(5):
            hub.put(InputSpec(id=f"in{number}", url=f"rtmp://127.0.0.1:{free_port()}/l/k"))
        same = hub.put(InputSpec(id="in0", url=hub.reader("in0").spec.url))  # type: ignore[union-attr]
        assert same.id == "in0"
        hub.sync([InputSpec(id="in1", url="udp://127.0.0.1:9"), InputSpec(id="new",
                                                                        url="udp://@:9")])
        assert hub.ids() == ["in1", "new"]
        assert hub.reader("in1").spec.url == "udp://127.0.0.1:9"  # type: ignore[union-attr]
        assert not hub.remove("in0") and hub.remove("new")
        assert time.monotonic() - started < 0.5
    finally:
        hub.close(timeout_s=10)
