"""The jitter buffer's parts on their own: placement on the house clock, the nearest-frame
choice of pictures, and the audio ring (pure, no network)."""

from __future__ import annotations

import numpy as np

from compositor.inputs.audio_ring import SNAP_SAMPLES, AudioRing
from compositor.inputs.frame_queue import FrameQueue
from compositor.inputs.placement import Placement
from compositor.media.frame import VideoFrame


def _picture(serial: int) -> VideoFrame:
    plane = np.zeros((2, 2), np.uint8)
    return VideoFrame(key=("input:t", serial), width=2, height=2, y=plane, u=plane[:1, :1],
                      v=plane[:1, :1], matrix="bt601", full_range=False)


def test_jitter_within_the_latency_keeps_the_senders_pace() -> None:
    placement = Placement(latency_s=0.066)
    jitter = [0.0, 0.03, 0.01, 0.06, 0.0, 0.02]
    dues = [placement.place(i * 0.04, 1000.0 + i * 0.04 + j) for i, j in enumerate(jitter)]
    assert np.allclose(np.diff(dues), 0.04)  # evenly spaced, as sent
    assert dues[0] == 1000.0 + 0.066
    assert all(due >= 1000.0 + i * 0.04 + j for i, (due, j) in enumerate(zip(dues, jitter)))


def test_a_backwards_jump_re_anchors_and_is_counted() -> None:
    placement = Placement(latency_s=0.05)
    placement.place(100.0, 10.0)
    placement.place(100.04, 10.04)
    due = placement.place(3.0, 10.08)  # the sender's clock restarted
    assert placement.discontinuities == 1
    assert due == 10.08 + 0.05
    assert placement.place(3.04, 10.12) == 10.12 + 0.05


def test_the_offset_follows_a_lasting_change_of_delay() -> None:
    placement = Placement(latency_s=0.0, window_s=1.0)
    for i in range(50):  # 2 s at a delay of 0.1 s, then 0.3 s
        delay = 0.1 if i < 25 else 0.3
        due = placement.place(i * 0.04, 50.0 + i * 0.04 + delay)
    assert placement.discontinuities == 0
    assert abs(due - (50.0 + 49 * 0.04 + 0.3)) < 1e-9


def test_nearest_frame_rule_and_holding() -> None:
    queue = FrameQueue()
    queue.half_period_s = 0.02  # 25 fps input
    for serial in range(5):
        queue.push(10.0 + serial * 0.04, _picture(serial), now_s=9.9)
    assert queue.pick(9.9) is None  # nothing due yet
    assert queue.pick(10.0).key == ("input:t", 0)  # type: ignore[union-attr]
    assert queue.pick(10.021).key == ("input:t", 1)  # type: ignore[union-attr]  # nearer to 1
    assert queue.pick(10.019).key == ("input:t", 1)  # type: ignore[union-attr]  # never back
    assert queue.pick(10.5).key == ("input:t", 4)  # type: ignore[union-attr]  # skips, holds
    assert queue.last.key == ("input:t", 4)  # type: ignore[union-attr]


def test_a_restarted_timeline_drops_what_waits() -> None:
    queue = FrameQueue()
    queue.push(20.0, _picture(1), now_s=14.0)
    queue.push(15.0, _picture(2), now_s=14.0)  # earlier due time: the newest picture wins
    assert queue.pick(15.0).key == ("input:t", 2)  # type: ignore[union-attr]


def test_pictures_nobody_asks_for_do_not_pile_up() -> None:
    queue = FrameQueue(max_frames=1000)
    for serial in range(300):  # 10 s at 30 fps, each arriving 66 ms before it is due
        queue.push(100.0 + serial / 30 + 0.066, _picture(serial), now_s=100.0 + serial / 30)
    assert len(queue) <= 12  # what is due within STALE_S + the latency, no more
    assert queue.last.key == ("input:t", 299)  # type: ignore[union-attr]
    assert queue.pick(100.0 + 299 / 30 + 0.066).key == ("input:t", 299)  # type: ignore[union-attr]


def test_audio_ring_exact_samples_and_silence_elsewhere() -> None:
    ring = AudioRing(seconds=1.0)
    block = np.ones((480, 2), np.float32)
    assert ring.write(48_000 * 100, block) == 4_800_000
    assert ring.write(48_000 * 100 + 480 + SNAP_SAMPLES // 2, block * 2) == 4_800_480  # snapped
    out = ring.read(4_800_000 - 10, 980)
    assert not out[:10].any()
    assert (out[10:490] == 1).all() and (out[490:970] == 2).all()
    assert not out[970:].any()
    assert not ring.read(4_800_000 + 48_000, 480).any()  # the same slots, a second later: stale
