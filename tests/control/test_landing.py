"""The landing of a commit: its journal form, the control plane's rule and the render side's."""

from __future__ import annotations

from fractions import Fraction

from control.landing import Landing, Landings, OnAirOrder, landing_of
from control.store.base import CommitRecord


def _record(meta: dict[str, object] | None, frame: int | None = 7) -> CommitRecord:
    return CommitRecord(3, (), 0.0, meta=meta, frame=frame)


def test_a_journal_written_with_meta_at_frame_still_reads() -> None:
    assert landing_of(_record({"at_frame": 12})) == Landing(7, 12, None)
    assert landing_of(_record({"at_frame": 12, "schedule_id": "sched-a"})) == \
        Landing(7, 12, "sched-a")
    assert landing_of(_record(None, None)) == Landing()
    assert landing_of(None) == Landing()
    assert landing_of(_record({"at_frame": True, "schedule_id": 5})) == Landing(7, None, None)


def test_meta_is_the_journal_form_and_reads_back() -> None:
    for landing in (Landing(5), Landing(5, 9), Landing(9, 9, "sched-b")):
        assert landing_of(_record(landing.meta(), landing.frame)) == landing
    assert Landing(5).meta() is None
    assert Landing(9, 9, "sched-b").meta() == {"at_frame": 9, "schedule_id": "sched-b"}


def _landings(now_s: float) -> Landings:
    return Landings(lambda: Fraction(10), lambda: now_s)


def test_an_immediate_commit_lands_on_the_next_frame_or_behind_a_waiting_one() -> None:
    landings = _landings(100.0)  # frame 1000 on air
    assert landings.immediate() == Landing(1001, None)
    landings.seen(Landing(1020, 1020, "sched-a"))
    landings.seen(Landing(1001))  # an immediate commit does not lower it
    assert landings.immediate() == Landing(1020, 1020)


def test_a_scheduled_commit_lands_on_its_frame_or_at_once_when_late() -> None:
    landings = _landings(100.0)
    assert landings.scheduled(1010, "sched-a") == Landing(1010, 1010, "sched-a")
    assert landings.scheduled(990, "sched-b") == Landing(1001, 990, "sched-b")


def test_the_render_side_holds_later_scenes_behind_a_scheduled_one() -> None:
    order = OnAirOrder()
    assert order.publish_frame(Landing(1001), 1000) is None
    assert order.publish_frame(Landing(1010, 1010), 1000) == 1010
    assert order.publish_frame(Landing(1002), 1001) == 1010  # held behind it
    assert order.publish_frame(Landing(1012), 1011) is None  # its frame has passed
