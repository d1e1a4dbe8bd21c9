"""Easing curves: maps of animation progress ``t`` (0..1) to eased progress. Pure.

Named easings are Robert Penner's equations (the set Tweener and CasparCG operators know):
``linear`` and ``ease{In,Out,InOut,OutIn}`` +
``{Quad,Cubic,Quart,Quint,Sine,Expo,Circ,Elastic,Back,Bounce}`` (41 names). Every curve goes
through ``f(0) = 0`` and ``f(1) = 1``; Back and Elastic overshoot (values outside 0..1 in
between), Bounce does not. ``OutIn`` is Tweener's: the ``Out`` curve on the
first half, the ``In`` curve on the second.

``cubic-bezier(x1, y1, x2, y2)`` is the CSS timing function (x1 and x2 in 0..1, y any finite
number); so are the CSS keywords ``ease``, ``ease-in``, ``ease-out`` and ``ease-in-out``.

Names are matched case-insensitively (CasparCG writes ``EASEOUTCUBIC``); :func:`canonical_easing`
returns the spelling stored in scenes. This module imports nothing of ours but the errors.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable

from compositor.errors import SceneValidationError

__all__ = [
    "CSS_KEYWORDS",
    "EASINGS",
    "Easing",
    "canonical_easing",
    "cubic_bezier",
    "easing",
]

Easing = Callable[[float], float]
"""Progress in 0..1 to eased progress (0 at 0, 1 at 1, may leave 0..1 in between)."""

_FAMILIES = ("Quad", "Cubic", "Quart", "Quint", "Sine", "Expo", "Circ", "Elastic", "Back", "Bounce")
_MODES = ("In", "Out", "InOut", "OutIn")

EASINGS: tuple[str, ...] = ("linear", *(f"ease{m}{f}" for f in _FAMILIES for m in _MODES))
"""The 41 Penner names, in their canonical spelling."""

CSS_KEYWORDS: dict[str, tuple[float, float, float, float]] = {
    "ease": (0.25, 0.1, 0.25, 1.0),
    "ease-in": (0.42, 0.0, 1.0, 1.0),
    "ease-out": (0.0, 0.0, 0.58, 1.0),
    "ease-in-out": (0.42, 0.0, 0.58, 1.0),
}
"""CSS keyword easings and the cubic Béziers that define them."""

_NUMBER = r"\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*"
_BEZIER = re.compile(rf"cubic-bezier\({_NUMBER},{_NUMBER},{_NUMBER},{_NUMBER}\)", re.IGNORECASE)
_MAX_BEZIER_Y = 100.0  # CSS allows any y; a bound keeps values (and overshoots) sane


# --- Penner's "in" curves; out, in-out and out-in are derived from them --------------------------

_BACK_S = 1.70158


def _in_power(power: int) -> Easing:
    return lambda t: t**power


def _in_sine(t: float) -> float:
    return 1.0 - math.cos(t * math.pi / 2.0)


def _in_expo(t: float) -> float:
    # Penner special-cases 0: 2**-10 would otherwise leave a visible jump at the start.
    return 0.0 if t <= 0.0 else math.pow(2.0, 10.0 * (t - 1.0))


def _in_circ(t: float) -> float:
    return 1.0 - math.sqrt(max(0.0, 1.0 - t * t))


def _in_back(t: float) -> float:
    return t * t * ((_BACK_S + 1.0) * t - _BACK_S)


def _in_elastic(t: float) -> float:
    # Penner with amplitude 1 and period 0.3 (so s = period / 4).
    if t <= 0.0 or t >= 1.0:
        return 0.0 if t <= 0.0 else 1.0
    period = 0.3
    s = period / 4.0
    return -math.pow(2.0, 10.0 * (t - 1.0)) * math.sin((t - 1.0 - s) * 2.0 * math.pi / period)


def _out_bounce(t: float) -> float:
    if t < 1.0 / 2.75:
        return 7.5625 * t * t
    if t < 2.0 / 2.75:
        t -= 1.5 / 2.75
        return 7.5625 * t * t + 0.75
    if t < 2.5 / 2.75:
        t -= 2.25 / 2.75
        return 7.5625 * t * t + 0.9375
    t -= 2.625 / 2.75
    return 7.5625 * t * t + 0.984375


def _in_bounce(t: float) -> float:
    return 1.0 - _out_bounce(1.0 - t)


def _reverse(curve: Easing) -> Easing:
    """The ``out`` curve of an ``in`` curve: the same motion played backwards."""
    return lambda t: 1.0 - curve(1.0 - t)


def _halves(first: Easing, second: Easing) -> Easing:
    """``first`` squeezed into t < 0.5, ``second`` into the rest (Penner's InOut, Tweener's
    OutIn)."""
    return lambda t: first(2.0 * t) / 2.0 if t < 0.5 else 0.5 + second(2.0 * t - 1.0) / 2.0


def _in_out_back(t: float) -> float:
    # Penner's easeInOutBack uses a larger overshoot (s * 1.525), not two plain Back halves.
    s = _BACK_S * 1.525
    t2 = 2.0 * t
    if t2 < 1.0:
        return t2 * t2 * ((s + 1.0) * t2 - s) / 2.0
    t2 -= 2.0
    return (t2 * t2 * ((s + 1.0) * t2 + s) + 2.0) / 2.0


def _in_out_elastic(t: float) -> float:
    # Penner's easeInOutElastic uses period 0.3 * 1.5 on the doubled time, not two halves.
    if t <= 0.0 or t >= 1.0:
        return 0.0 if t <= 0.0 else 1.0
    period = 0.45
    s = period / 4.0
    t2 = 2.0 * t - 1.0
    wave = math.sin((t2 - s) * 2.0 * math.pi / period)
    if t2 < 0.0:
        return -0.5 * math.pow(2.0, 10.0 * t2) * wave
    return 0.5 * math.pow(2.0, -10.0 * t2) * wave + 1.0


def _in_out_expo(t: float) -> float:
    if t <= 0.0 or t >= 1.0:
        return 0.0 if t <= 0.0 else 1.0
    if t < 0.5:
        return math.pow(2.0, 20.0 * t - 10.0) / 2.0
    return (2.0 - math.pow(2.0, -20.0 * t + 10.0)) / 2.0


_IN: dict[str, Easing] = {
    "Quad": _in_power(2),
    "Cubic": _in_power(3),
    "Quart": _in_power(4),
    "Quint": _in_power(5),
    "Sine": _in_sine,
    "Expo": _in_expo,
    "Circ": _in_circ,
    "Elastic": _in_elastic,
    "Back": _in_back,
    "Bounce": _in_bounce,
}
_IN_OUT_SPECIAL: dict[str, Easing] = {
    "Back": _in_out_back,
    "Elastic": _in_out_elastic,
    "Expo": _in_out_expo,
}


def _family(family: str) -> dict[str, Easing]:
    ease_in = _IN[family]
    ease_out = _out_bounce if family == "Bounce" else _reverse(ease_in)
    in_out = _IN_OUT_SPECIAL.get(family) or _halves(ease_in, ease_out)
    return {"In": ease_in, "Out": ease_out, "InOut": in_out, "OutIn": _halves(ease_out, ease_in)}


def _linear(t: float) -> float:
    return min(1.0, max(0.0, t))


def _pinned(curve: Easing) -> Easing:
    """``curve`` made exact at the ends (cos(pi/2) is not exactly 0 in floats), and flat outside
    0..1."""
    return lambda t: 0.0 if t <= 0.0 else 1.0 if t >= 1.0 else curve(t)


_NAMED: dict[str, Easing] = {
    "linear": _linear,
    **{
        f"ease{mode}{f}": _pinned(curve)
        for f in _FAMILIES
        for mode, curve in _family(f).items()
    },
}
_BY_LOWER: dict[str, str] = {name.lower(): name for name in (*_NAMED, *CSS_KEYWORDS)}


# --- CSS cubic-bezier ----------------------------------------------------------------------------


def cubic_bezier(x1: float, y1: float, x2: float, y2: float) -> Easing:
    """The CSS ``cubic-bezier(x1, y1, x2, y2)`` timing function (x1, x2 must lie in 0..1).

    x(s) is monotonic for such control points, so for each t the curve parameter s with x(s) = t
    is unique: Newton's method finds it in a few steps, bisection takes over where the slope is
    too flat for Newton to be safe.
    """
    if not (0.0 <= x1 <= 1.0 and 0.0 <= x2 <= 1.0):
        raise ValueError("cubic-bezier x1 and x2 must be in 0..1")
    # Polynomial coefficients of B(s) = a s^3 + b s^2 + c s, with P0 = 0 and P3 = 1.
    cx = 3.0 * x1
    bx = 3.0 * (x2 - x1) - cx
    ax = 1.0 - cx - bx
    cy = 3.0 * y1
    by = 3.0 * (y2 - y1) - cy
    ay = 1.0 - cy - by

    def x_of(s: float) -> float:
        return ((ax * s + bx) * s + cx) * s

    def solve(t: float) -> float:
        s = t
        for _ in range(8):
            error = x_of(s) - t
            if abs(error) < 1e-9:
                return s
            slope = (3.0 * ax * s + 2.0 * bx) * s + cx
            if abs(slope) < 1e-6:
                break
            s -= error / slope
        lo, hi = 0.0, 1.0
        s = t
        for _ in range(60):
            error = x_of(s) - t
            if abs(error) < 1e-9:
                break
            if error > 0.0:
                hi = s
            else:
                lo = s
            s = (lo + hi) / 2.0
        return s

    def curve(t: float) -> float:
        if t <= 0.0 or t >= 1.0:
            return 0.0 if t <= 0.0 else 1.0
        s = solve(t)
        return ((ay * s + by) * s + cy) * s

    return curve


# --- names ---------------------------------------------------------------------------------------


def canonical_easing(name: object, path: str = "easing") -> str:
    """The stored spelling of an easing name, or :class:`SceneValidationError` at ``path``.

    Penner names and CSS keywords in any case become their canonical spelling;
    ``cubic-bezier(...)`` becomes ``cubic-bezier(x1,y1,x2,y2)`` with the shortest exact numbers.
    """
    if not isinstance(name, str):
        raise SceneValidationError(path, "must be an easing name or cubic-bezier(x1,y1,x2,y2)")
    known = _BY_LOWER.get(name.lower())
    if known is not None:
        return known
    points = _bezier_points(name, path)
    return "cubic-bezier(" + ",".join(_short(v) for v in points) + ")"


def _bezier_points(text: str, path: str) -> tuple[float, float, float, float]:
    match = _BEZIER.fullmatch(text.strip())
    if match is None:
        raise SceneValidationError(
            path, "must be linear, easeInQuad ... easeOutInBounce, or cubic-bezier(x1,y1,x2,y2)"
        )
    x1, y1, x2, y2 = (float(g) for g in match.groups())
    if not all(math.isfinite(v) for v in (x1, y1, x2, y2)):
        raise SceneValidationError(path, "cubic-bezier values must be finite")
    if not (0.0 <= x1 <= 1.0 and 0.0 <= x2 <= 1.0):
        raise SceneValidationError(path, "cubic-bezier x1 and x2 must be between 0 and 1")
    if abs(y1) > _MAX_BEZIER_Y or abs(y2) > _MAX_BEZIER_Y:
        raise SceneValidationError(
            path, f"cubic-bezier y1 and y2 must be within ±{_MAX_BEZIER_Y:g}"
        )
    return (x1, y1, x2, y2)


def _short(value: float) -> str:
    text = repr(value)
    return text[:-2] if text.endswith(".0") else text


def easing(name: str, path: str = "easing") -> Easing:
    """The curve for an easing name (any accepted spelling); unknown names raise
    :class:`SceneValidationError` at ``path``."""
    named = _NAMED.get(name)  # the fast path: Penner names, as stored in scenes
    if named is not None:
        return named
    curve = _parsed(name)
    if curve is None:
        canonical_easing(name, path)  # raises, with the reason and the path
        raise AssertionError(f"{name!r} is both unknown and valid")  # pragma: no cover
    return curve


# Scenes store easings as text and evaluation runs per frame: memoising by the text keeps a
# cubic-bezier as cheap as a named curve. The cache is pure (same text, same curve) and bounded.
@functools.lru_cache(maxsize=512)
def _parsed(name: str) -> Easing | None:
    try:
        canonical = canonical_easing(name)
    except SceneValidationError:
        return None
    named = _NAMED.get(canonical)
    if named is not None:
        return named
    if canonical in CSS_KEYWORDS:
        return cubic_bezier(*CSS_KEYWORDS[canonical])
    return cubic_bezier(*_bezier_points(canonical, "easing"))
