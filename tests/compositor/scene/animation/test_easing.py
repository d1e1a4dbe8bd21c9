"""Easing curves against Robert Penner's equations (written here in their original
``(t, b, c, d)`` form, independently of the module), and CSS cubic-bezier against known values."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable

import pytest

from compositor.scene.animation.easing import (
    EASINGS,
    easing,
)

Penner = Callable[[float, float, float, float], float]

# --- Penner's equations, transcribed (b = start, c = change, d = duration) ----------------------


def linear(t: float, b: float, c: float, d: float) -> float:
    return c * t / d + b


def in_quad(t: float, b: float, c: float, d: float) -> float:
    t /= d
    return c * t * t + b


def out_quad(t: float, b: float, c: float, d: float) -> float:
    t /= d
    return -c * t * (t - 2) + b


def in_out_quad(t: float, b: float, c: float, d: float) -> float:
    t /= d / 2
    if t < 1:
        return c / 2 * t * t + b
    t -= 1
    return -c / 2 * (t * (t - 2) - 1) + b


def in_cubic(t: float, b: float, c: float, d: float) -> float:
    t /= d
    return c * t**3 + b


def out_cubic(t: float, b: float, c: float, d: float) -> float:
    t = t / d - 1
    return c * (t**3 + 1) + b


def in_out_cubic(t: float, b: float, c: float, d: float) -> float:
    t /= d / 2
    if t < 1:
        return c / 2 * t**3 + b
    t -= 2
    return c / 2 * (t**3 + 2) + b


def in_quart(t: float, b: float, c: float, d: float) -> float:
    t /= d
    return c * t**4 + b


def out_quart(t: float, b: float, c: float, d: float) -> float:
    t = t / d - 1
    return -c * (t**4 - 1) + b


def in_out_quart(t: float, b: float, c: float, d: float) -> float:
    t /= d / 2
    if t < 1:
        return c / 2 * t**4 + b
    t -= 2
    return -c / 2 * (t**4 - 2) + b


def in_quint(t: float, b: float, c: float, d: float) -> float:
    t /= d
    return c * t**5 + b


def out_quint(t: float, b: float, c: float, d: float) -> float:
    t = t / d - 1
    return c * (t**5 + 1) + b


def in_out_quint(t: float, b: float, c: float, d: float) -> float:
    t /= d / 2
    if t < 1:
        return c / 2 * t**5 + b
    t -= 2
    return c / 2 * (t**5 + 2) + b


def in_sine(t: float, b: float, c: float, d: float) -> float:
    return -c * math.cos(t / d * (math.pi / 2)) + c + b


def out_sine(t: float, b: float, c: float, d: float) -> float:
    return c * math.sin(t / d * (math.pi / 2)) + b


def in_out_sine(t: float, b: float, c: float, d: float) -> float:
    return -c / 2 * (math.cos(math.pi * t / d) - 1) + b


def in_expo(t: float, b: float, c: float, d: float) -> float:
    return b if t == 0 else c * 2 ** (10 * (t / d - 1)) + b


def out_expo(t: float, b: float, c: float, d: float) -> float:
    return b + c if t == d else c * (-(2 ** (-10 * t / d)) + 1) + b


def in_out_expo(t: float, b: float, c: float, d: float) -> float:
    if t == 0:
        return b
    if t == d:
        return b + c
    t /= d / 2
    if t < 1:
        return c / 2 * 2 ** (10 * (t - 1)) + b
    t -= 1
    return c / 2 * (-(2 ** (-10 * t)) + 2) + b


def in_circ(t: float, b: float, c: float, d: float) -> float:
    t /= d
    return -c * (math.sqrt(1 - t * t) - 1) + b


def out_circ(t: float, b: float, c: float, d: float) -> float:
    t = t / d - 1
    return c * math.sqrt(1 - t * t) + b


def in_out_circ(t: float, b: float, c: float, d: float) -> float:
    t /= d / 2
    if t < 1:
        return -c / 2 * (math.sqrt(1 - t * t) - 1) + b
    t -= 2
    return c / 2 * (math.sqrt(1 - t * t) + 1) + b


def in_elastic(t: float, b: float, c: float, d: float) -> float:
    if t == 0:
        return b
    t /= d
    if t == 1:
        return b + c
    p = d * 0.3
    a = c
    s = p / 4
    t -= 1
    return -(a * 2 ** (10 * t) * math.sin((t * d - s) * (2 * math.pi) / p)) + b


def out_elastic(t: float, b: float, c: float, d: float) -> float:
    if t == 0:
        return b
    t /= d
    if t == 1:
        return b + c
    p = d * 0.3
    a = c
    s = p / 4
    return a * 2 ** (-10 * t) * math.sin((t * d - s) * (2 * math.pi) / p) + c + b


def in_out_elastic(t: float, b: float, c: float, d: float) -> float:
    if t == 0:
        return b
    t /= d / 2
    if t == 2:
        return b + c
    p = d * (0.3 * 1.5)
    a = c
    s = p / 4
    if t < 1:
        t -= 1
        return -0.5 * (a * 2 ** (10 * t) * math.sin((t * d - s) * (2 * math.pi) / p)) + b
    t -= 1
    return a * 2 ** (-10 * t) * math.sin((t * d - s) * (2 * math.pi) / p) * 0.5 + c + b


S = 1.70158


def in_back(t: float, b: float, c: float, d: float) -> float:
    t /= d
    return c * t * t * ((S + 1) * t - S) + b


def out_back(t: float, b: float, c: float, d: float) -> float:
    t = t / d - 1
    return c * (t * t * ((S + 1) * t + S) + 1) + b


def in_out_back(t: float, b: float, c: float, d: float) -> float:
    s = S * 1.525
    t /= d / 2
    if t < 1:
        return c / 2 * (t * t * ((s + 1) * t - s)) + b
    t -= 2
    return c / 2 * (t * t * ((s + 1) * t + s) + 2) + b


def out_bounce(t: float, b: float, c: float, d: float) -> float:
    t /= d
    if t < 1 / 2.75:
        return c * (7.5625 * t * t) + b
    if t < 2 / 2.75:
        t -= 1.5 / 2.75
        return c * (7.5625 * t * t + 0.75) + b
    if t < 2.5 / 2.75:
        t -= 2.25 / 2.75
        return c * (7.5625 * t * t + 0.9375) + b
    t -= 2.625 / 2.75
    return c * (7.5625 * t * t + 0.984375) + b


def in_bounce(t: float, b: float, c: float, d: float) -> float:
    return c - out_bounce(d - t, 0, c, d) + b


def in_out_bounce(t: float, b: float, c: float, d: float) -> float:
    if t < d / 2:
        return in_bounce(t * 2, 0, c, d) * 0.5 + b
    return out_bounce(t * 2 - d, 0, c, d) * 0.5 + c * 0.5 + b


def out_in(out: Penner, in_: Penner) -> Penner:
    """Tweener's easeOutIn*: the Out curve on the first half, the In curve on the second."""

    def curve(t: float, b: float, c: float, d: float) -> float:
        if t < d / 2:
            return out(t * 2, b, c / 2, d)
        return in_(t * 2 - d, b + c / 2, c / 2, d)

    return curve


REFERENCE: dict[str, Penner] = {"linear": linear}
for _family, (_in, _out, _in_out) in {
    "Quad": (in_quad, out_quad, in_out_quad),
    "Cubic": (in_cubic, out_cubic, in_out_cubic),
    "Quart": (in_quart, out_quart, in_out_quart),
    "Quint": (in_quint, out_quint, in_out_quint),
    "Sine": (in_sine, out_sine, in_out_sine),
    "Expo": (in_expo, out_expo, in_out_expo),
    "Circ": (in_circ, out_circ, in_out_circ),
    "Elastic": (in_elastic, out_elastic, in_out_elastic),
    "Back": (in_back, out_back, in_out_back),
    "Bounce": (in_bounce, out_bounce, in_out_bounce),
}.items():
    REFERENCE[f"easeIn{_family}"] = _in
    REFERENCE[f"easeOut{_family}"] = _out
    REFERENCE[f"easeInOut{_family}"] = _in_out
    REFERENCE[f"easeOutIn{_family}"] = out_in(_out, _in)

GRID = [i / 64 for i in range(65)]


def test_there_are_exactly_the_41_casparcg_names():
    assert len(EASINGS) == 41
    assert set(EASINGS) == set(REFERENCE)


@pytest.mark.parametrize("name", EASINGS)
def test_every_easing_matches_penner(name):
    curve, reference = easing(name), REFERENCE[name]
    for t in GRID:
        assert curve(t) == pytest.approx(reference(t, 0.0, 1.0, 1.0), abs=1e-12), t
    # Penner's equations scale: b + c * f(t/d) for any start, change and duration.
    assert 10.0 + 40.0 * curve(0.3) == pytest.approx(reference(9.0, 10.0, 40.0, 30.0), abs=1e-9)


@pytest.mark.parametrize("name", EASINGS)
def test_every_easing_starts_at_0_and_ends_at_1(name):
    assert easing(name)(0.0) == 0.0
    assert easing(name)(1.0) == 1.0


@pytest.mark.parametrize(
    ("name", "t", "expected"),
    [
        ("linear", 0.25, 0.25),
        ("easeInQuad", 0.5, 0.25),
        ("easeOutQuad", 0.5, 0.75),
        ("easeInCubic", 0.5, 0.125),
        ("easeOutCubic", 0.5, 0.875),
        ("easeInQuart", 0.5, 0.0625),
        ("easeInQuint", 0.5, 0.03125),
        ("easeOutQuint", 0.5, 0.96875),
        ("easeInSine", 0.5, 1 - math.sqrt(0.5)),
        ("easeOutSine", 0.5, math.sqrt(0.5)),
        ("easeInExpo", 0.5, 2**-5),
        ("easeInCirc", 0.5, 1 - math.sqrt(0.75)),
        ("easeInBounce", 0.5, 0.234375),
        ("easeOutBounce", 0.5, 0.765625),
        ("easeInQuad", 0.25, 0.0625),
        ("easeInOutQuad", 0.25, 0.125),
        ("easeOutInQuad", 0.25, 0.375),
    ],
)
def test_known_values(name, t, expected):
    assert easing(name)(t) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize("family", ["Quad", "Cubic", "Quart", "Quint", "Sine", "Expo", "Circ",
                                    "Elastic", "Back", "Bounce"])
def test_in_out_and_out_in_cross_the_middle_at_one_half(family):
    assert easing(f"easeInOut{family}")(0.5) == pytest.approx(0.5, abs=1e-12)
    assert easing(f"easeOutIn{family}")(0.5) == pytest.approx(0.5, abs=1e-12)


def test_back_overshoots_both_ways():
    assert min(easing("easeInBack")(t) for t in GRID) == pytest.approx(-0.1, abs=0.001)
    assert max(easing("easeOutBack")(t) for t in GRID) == pytest.approx(1.1, abs=0.001)
    values = [easing("easeInOutBack")(t) for t in GRID]
    assert min(values) < -0.09 and max(values) > 1.09


def test_elastic_oscillates_around_the_target():
    out = [easing("easeOutElastic")(t) for t in GRID]
    assert max(out) > 1.3  # first overshoot of Penner's easeOutElastic is ~1.37
    assert min(easing("easeInElastic")(t) for t in GRID) < -0.3
    # It crosses 1 several times before settling.
    crossings = sum(1 for a, b in itertools.pairwise(out) if (a - 1) * (b - 1) < 0)
    assert crossings >= 4


def test_bounce_stays_in_range_and_touches_down_three_times():
    curve = easing("easeOutBounce")
    fine = [curve(i / 1100) for i in range(1101)]
    assert all(0.0 <= v <= 1.0 for v in fine)
    # Touchdowns (value 1) at t = 1/2.75, 2/2.75 and 2.5/2.75, with a rebound after each.
    for t in (1 / 2.75, 2 / 2.75, 2.5 / 2.75):
        assert curve(t) == pytest.approx(1.0, abs=1e-12)
        assert curve(t + 0.02) < 1.0
    # Rebound heights shrink: 0.25, 0.0625, 0.015625 below 1.
    assert 1 - curve(1.5 / 2.75) == pytest.approx(0.25)
    assert 1 - curve(2.25 / 2.75) == pytest.approx(0.0625)
    assert 1 - curve(2.625 / 2.75) == pytest.approx(0.015625)


def test_quad_family_is_monotonic_and_non_overshooting():
    for name in EASINGS:
        if any(k in name for k in ("Elastic", "Back", "Bounce")):
            continue
        values = [easing(name)(t) for t in GRID]
        assert all(b >= a for a, b in itertools.pairwise(values)), name
        assert all(0.0 <= v <= 1.0 for v in values), name
