"""CSS cubic-bezier easings against independent references."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import pytest

from compositor.errors import SceneValidationError
from compositor.scene.animation.easing import (
    CSS_KEYWORDS,
    canonical_easing,
    cubic_bezier,
    easing,
)

Penner = Callable[[float, float, float, float], float]

GRID = [i / 64 for i in range(65)]


# --- CSS cubic-bezier ----------------------------------------------------------------------------


def _bezier_reference(x1: float, y1: float, x2: float, y2: float, t: float) -> float:
    """Bisection on the parameter to 1e-15, then y: slow and obviously right."""
    lo, hi = 0.0, 1.0
    for _ in range(80):
        s = (lo + hi) / 2
        x = 3 * (1 - s) ** 2 * s * x1 + 3 * (1 - s) * s * s * x2 + s**3
        lo, hi = (s, hi) if x < t else (lo, s)
    s = (lo + hi) / 2
    return 3 * (1 - s) ** 2 * s * y1 + 3 * (1 - s) * s * s * y2 + s**3


def test_css_ease_at_one_half():
    assert easing("ease")(0.5) == pytest.approx(0.8024033877, abs=1e-7)
    assert easing("cubic-bezier(0.25,0.1,0.25,1)")(0.5) == pytest.approx(0.8024033877, abs=1e-7)


@pytest.mark.parametrize(
    "points",
    [(0.25, 0.1, 0.25, 1.0), (0.42, 0.0, 1.0, 1.0), (0.0, 0.0, 0.58, 1.0), (0.42, 0.0, 0.58, 1.0),
     (0.68, -0.55, 0.265, 1.55), (0.0, 0.0, 1.0, 1.0), (0.9, 0.1, 0.1, 0.9), (0.0, 1.0, 1.0, 0.0)],
)
def test_cubic_bezier_against_bisection(points: tuple[float, float, float, float]) -> None:
    curve = cubic_bezier(*points)
    for t in GRID:
        assert curve(t) == pytest.approx(_bezier_reference(*points, t), abs=1e-6), t
    assert curve(0.0) == 0.0 and curve(1.0) == 1.0


def test_bezier_with_a_flat_middle_still_solves():
    # x'(0.5) = 0 here: Newton's slope vanishes, bisection must take over.
    curve = cubic_bezier(1.0, 0.0, 0.0, 1.0)
    assert curve(0.5) == pytest.approx(0.5, abs=1e-4)
    values = [curve(t) for t in GRID]
    assert all(b >= a - 1e-9 for a, b in itertools.pairwise(values))


def test_css_keywords_and_identity_bezier():
    assert easing("cubic-bezier(0, 0, 1, 1)")(0.3) == pytest.approx(0.3, abs=1e-9)
    assert easing("ease-in-out")(0.5) == pytest.approx(0.5, abs=1e-9)
    for keyword, points in CSS_KEYWORDS.items():
        assert easing(keyword)(0.37) == pytest.approx(cubic_bezier(*points)(0.37))


def test_names_are_case_insensitive_and_canonicalised():
    assert canonical_easing("EASEOUTCUBIC") == "easeOutCubic"
    assert canonical_easing("Ease-In") == "ease-in"
    spaced = "cubic-bezier( .25 , 0.1, 0.25, 1.0 )"
    assert canonical_easing(spaced) == "cubic-bezier(0.25,0.1,0.25,1)"
    assert easing("easeoutbounce")(0.5) == easing("easeOutBounce")(0.5)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("easeOutWobble", "must be linear"),
        ("cubic-bezier(1.2, 0, 0.5, 1)", "between 0 and 1"),
        ("cubic-bezier(0.5, 0, -0.1, 1)", "between 0 and 1"),
        ("cubic-bezier(0.5, 0, 0.5)", "must be linear"),
        ("cubic-bezier(0.5, 1e999, 0.5, 1)", "finite"),
        ("", "must be linear"),
    ],
)
def test_bad_names_are_validation_errors_with_the_path(text, reason):
    with pytest.raises(SceneValidationError) as caught:
        easing(text, "ops[0].animate.easing")
    assert caught.value.path == "ops[0].animate.easing"
    assert reason in caught.value.reason


def test_a_non_string_is_a_validation_error():
    with pytest.raises(SceneValidationError) as caught:
        canonical_easing(3, "enter.easing")
    assert caught.value.path == "enter.easing"
