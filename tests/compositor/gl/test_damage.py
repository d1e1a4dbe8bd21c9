"""The damage rules on plain footprints (no GL): what is redrawn for what change."""

from __future__ import annotations

from compositor.gl.damage import Footprint, Mark, bounds_of, damage, row_bands

SIZE = (100, 80)
BLACK = (0.0, 0.0, 0.0, 1.0)


def frame(*marks: Mark, background: tuple[float, float, float, float] = BLACK) -> Footprint:
    return Footprint(SIZE, background, marks)


A = Mark("a", "red", (10, 10, 30, 20))
B = Mark("b", "blue", (20, 15, 40, 30))
C = Mark("c", "text", (60, 60, 90, 70))


def test_no_previous_frame_size_or_background_change_is_the_whole_frame() -> None:
    whole = [(0, 0, 100, 80)]
    assert damage(None, frame(A)) == whole
    assert damage(frame(A), frame(A, background=(1.0, 0.0, 0.0, 1.0))) == whole
    assert damage(Footprint((50, 50), BLACK, (A,)), frame(A)) == whole


def test_nothing_changed_is_nothing() -> None:
    assert damage(frame(A, B, C), frame(A, B, C)) == []


def test_a_moved_layer_redraws_its_old_and_new_bounds_only() -> None:
    moved = Mark("c", "text", (62, 60, 92, 70))
    assert damage(frame(A, B, C), frame(A, B, moved)) == [(60, 60, 92, 70)]


def test_a_new_look_appearing_and_disappearing_layers() -> None:
    assert damage(frame(A, C), frame(A, Mark("c", "other text", C.bounds))) == [C.bounds]
    assert damage(frame(A), frame(A, C)) == [C.bounds]
    assert damage(frame(A, C), frame(A)) == [C.bounds]


def test_a_swap_of_order_redraws_where_the_swapped_layers_are() -> None:
    rects = damage(frame(A, B, C), frame(B, A, C))
    assert rects == [(10, 10, 40, 30)]  # A and B changed rank (joined: they overlap); C did not


def test_removing_a_layer_below_does_not_redraw_the_ones_above_for_their_new_index() -> None:
    assert damage(frame(A, C), frame(C)) == [A.bounds]


def test_many_rectangles_are_merged_down_to_the_limit() -> None:
    old = frame(*(Mark(f"m{i}", 0, (i * 10, 0, i * 10 + 5, 5)) for i in range(10)))
    new = frame(*(Mark(f"m{i}", 1, (i * 10, 0, i * 10 + 5, 5)) for i in range(10)))
    rects = damage(old, new, max_rects=3)
    assert len(rects) <= 3
    covered = {(x, y) for x0, y0, x1, y1 in rects for x in range(x0, x1) for y in range(y0, y1)}
    assert all((x, y) in covered for i in range(10) for x in range(i * 10, i * 10 + 5)
               for y in range(5))


def test_bounds_hold_the_shape_with_a_pixel_of_margin_and_clip_to_the_frame() -> None:
    assert bounds_of([(10.0, 10.0), (30.0, 10.0), (30.0, 20.0), (10.0, 20.0)], SIZE) == (
        9, 9, 31, 21)
    assert bounds_of([(10.000000001, 9.9999999999), (20.5, 15.5)], SIZE) == (9, 9, 22, 17)
    assert bounds_of([(-50.0, -50.0), (-10.0, -10.0)], SIZE) is None
    assert bounds_of([(90.0, 70.0), (500.0, 500.0)], SIZE) == (89, 69, 100, 80)
    assert bounds_of([(float("inf"), 0.0), (1.0, 1.0)], SIZE) == (0, 0, 100, 80)


def test_row_bands_are_even_sorted_and_joined() -> None:
    assert row_bands([(0, 5, 10, 9), (0, 8, 10, 11), (0, 30, 10, 31)], 80) == [(4, 12), (30, 32)]
    assert row_bands([(0, 77, 10, 80)], 80) == [(76, 80)]
    assert row_bands([], 80) == []
