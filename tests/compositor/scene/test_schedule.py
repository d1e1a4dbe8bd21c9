"""resolve_at: a commit's "at" to an absolute frame on the house clock."""

from __future__ import annotations

from fractions import Fraction

import pytest

from compositor.errors import SceneValidationError
from compositor.scene.schedule import MAX_FRAME, frame_at, resolve_at

SIX_PM = 1_795_284_000  # 2026-11-21T18:00:00Z in Unix seconds
NOW = 107_717_000_000


def test_absolute_frames_pass_through():
    assert resolve_at({"frame": 123}, NOW, Fraction(60)) == 123
    assert resolve_at({"frame": 5.0}, NOW, Fraction(60)) == 5


def test_in_frames_counts_from_now():
    assert resolve_at({"in_frames": 30}, NOW, Fraction(60)) == NOW + 30
    assert resolve_at({"in_frames": 0}, NOW, Fraction(60)) == NOW


@pytest.mark.parametrize(
    ("utc", "fps", "frame"),
    [
        ("2026-11-21T18:00:00.000Z", Fraction(60), SIX_PM * 60),
        ("2026-11-21T18:00:00Z", Fraction(25), SIX_PM * 25),
        ("2026-11-21T19:00:00+01:00", Fraction(60), SIX_PM * 60),
        ("2026-11-21T13:00:00-0500", Fraction(60), SIX_PM * 60),
        # Between two frames: the first frame that starts at or after the instant.
        ("2026-11-21T18:00:00.001Z", Fraction(60), SIX_PM * 60 + 1),
        ("2026-11-21T18:00:00.016666667Z", Fraction(60), SIX_PM * 60 + 2),  # just after 1/60
        ("2026-11-21T18:00:00.016666666Z", Fraction(60), SIX_PM * 60 + 1),
        ("2026-11-21T18:00:00.0166Z", Fraction(60), SIX_PM * 60 + 1),
        ("2026-11-21t18:00:00.5z", Fraction(50), SIX_PM * 50 + 25),
    ],
)
def test_utc_maps_to_the_first_frame_at_or_after_it(utc, fps, frame):
    assert resolve_at({"utc": utc}, NOW, fps) == frame


def test_ntsc_rates_are_exact():
    fps = Fraction(30000, 1001)
    frame = resolve_at({"utc": "2026-11-21T18:00:00Z"}, NOW, fps)
    # Exact rational arithmetic: frame F starts at F * 1001 / 30000 s, the last before 18:00 is
    # earlier, F itself is not.
    assert Fraction(frame) / fps >= SIX_PM > Fraction(frame - 1) / fps
    assert frame_at(Fraction(SIX_PM), fps) == frame


@pytest.mark.parametrize(
    ("at", "path", "reason"),
    [
        ({}, "at", "one of"),
        ({"frame": 1, "in_frames": 2}, "at", "one of"),
        ([1], "at", "one of"),
        ({"when": 3}, "at.when", "unknown field"),
        ({"frame": -1}, "at.frame", "between"),
        ({"frame": 1.5}, "at.frame", "whole number"),
        ({"frame": True}, "at.frame", "whole number"),
        ({"frame": MAX_FRAME + 1}, "at.frame", "between"),
        ({"in_frames": "10"}, "at.in_frames", "whole number"),
        ({"utc": 1795284000}, "at.utc", "string"),
        ({"utc": "2026-11-21 18:00"}, "at.utc", "ISO 8601"),
        ({"utc": "2026-11-21T18:00:00"}, "at.utc", "zone"),
        ({"utc": "2026-02-30T18:00:00Z"}, "at.utc", "not a valid time"),
        ({"utc": "2026-11-21T24:00:00Z"}, "at.utc", "not a valid time"),
        ({"utc": "2026-11-21T18:00:00+25:00"}, "at.utc", "offset"),
        ({"utc": "1960-01-01T00:00:00Z"}, "at.utc", "house clock"),
    ],
)
def test_bad_at_names_its_path(at, path, reason):
    with pytest.raises(SceneValidationError) as caught:
        resolve_at(at, NOW, Fraction(60))
    assert caught.value.path == path
    assert reason in caught.value.reason


def test_the_path_prefix_is_the_callers():
    with pytest.raises(SceneValidationError) as caught:
        resolve_at({"frame": -2}, NOW, Fraction(60), path="commits[3].at")
    assert caught.value.path == "commits[3].at.frame"
