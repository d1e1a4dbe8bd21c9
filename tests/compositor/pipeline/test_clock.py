"""The frame clock against a fake time source: absolute frames, exact pts, no drift, drops."""

from __future__ import annotations

from fractions import Fraction

import pytest

from compositor.pipeline.clock import FrameClock, frame_at, frame_time

RATES = [Fraction(25), Fraction(30), Fraction(50), Fraction(60),
         Fraction(30000, 1001), Fraction(60000, 1001)]


class FakeTime:
    """Time that only moves when slept on (plus an optional oversleep per sleep)."""

    def __init__(self, start: float, oversleep_s: float = 0.0) -> None:
        self.now = start
        self.oversleep_s = oversleep_s
        self.sleeps = 0

    def time(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps += 1
        self.now += seconds + self.oversleep_s


@pytest.mark.parametrize("fps", RATES, ids=str)
def test_frame_numbers_are_absolute_house_clock(fps: Fraction) -> None:
    unix = 1_763_700_000.123
    frame = frame_at(unix, fps)
    assert frame_time(frame, fps) <= unix < frame_time(frame + 1, fps)
    clock = FrameClock(fps, time_source=lambda: unix, paced=False)
    assert clock.start_frame == frame
    assert clock.time_base == 1 / fps


@pytest.mark.parametrize("fps", RATES, ids=str)
def test_paced_ticks_hit_absolute_deadlines_without_drift(fps: Fraction) -> None:
    # Each sleep overshoots by 30% of a frame: relative sleeping would drift by that every
    # frame; absolute deadlines absorb it.
    period = float(1 / fps)
    fake = FakeTime(1_763_700_000.0, oversleep_s=0.3 * period)
    clock = FrameClock(fps, time_source=fake.time, sleep=fake.sleep)
    ticks = [clock.tick() for _ in range(int(fps) * 60)]  # one minute
    assert [t.pts for t in ticks] == list(range(len(ticks)))
    start = clock.start_frame
    assert [t.frame for t in ticks] == list(range(start, start + len(ticks)))
    assert clock.dropped == 0
    assert clock.late == 0
    # the last tick came out less than one oversleep after its deadline
    assert 0 <= fake.now - clock.deadline(ticks[-1].frame) <= 0.3 * period + 1e-6


def test_falling_behind_skips_to_real_time_and_counts_drops() -> None:
    fps = Fraction(30)
    fake = FakeTime(1000.0)
    clock = FrameClock(fps, time_source=fake.time, sleep=fake.sleep)
    first = clock.tick()
    fake.now += 0.21  # a 210 ms stall: now inside frame first+6; first+1 .. first+5 are gone
    tick = clock.tick()
    assert tick.skipped == 5
    assert tick.frame == first.frame + 6
    assert tick.pts == 6
    assert clock.dropped == 5
    assert clock.next_frame == tick.frame + 1


def test_a_frame_started_past_half_a_period_is_late_but_kept() -> None:
    fps = Fraction(50)
    fake = FakeTime(2000.0)
    clock = FrameClock(fps, time_source=fake.time, sleep=fake.sleep)
    clock.tick()
    fake.now = clock.deadline(clock.next_frame) + 0.6 / 50  # 60% of a period late
    tick = clock.tick()
    assert tick.late and tick.skipped == 0
    assert clock.late == 1 and clock.dropped == 0
    fake.now = clock.deadline(clock.next_frame) + 0.1 / 50  # within tolerance
    assert not clock.tick().late


def test_unpaced_clock_never_sleeps_and_starts_where_told() -> None:
    fake = FakeTime(5000.0)
    clock = FrameClock(Fraction(60000, 1001), start_frame=0, paced=False,
                       time_source=fake.time, sleep=fake.sleep)
    ticks = [clock.tick() for _ in range(1000)]
    assert fake.sleeps == 0
    assert ticks[-1].frame == 999 and ticks[-1].pts == 999
    assert clock.deadline(60000) == pytest.approx(1001.0)


def test_nonpositive_rate_is_rejected() -> None:
    with pytest.raises(ValueError):
        FrameClock(Fraction(0))
