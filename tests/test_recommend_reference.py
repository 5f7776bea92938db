"""The reference backlog's recommendations against values worked out by hand.

The backlog (examples/reference_backlog.json, from the seed priority plan): one owner, 'lead', 8 h a day
Mon-Fri from 09:00; the plan starts on Sunday 2025-11-23, which is not worked, so the working days are
Mon 24, Tue 25, Wed 26, Thu 27, Fri 28, Mon Dec 1, Tue Dec 2, ...
- M2 (due Wed Nov 19): #840 (P0, 2 h), then after a lag of 1 working day #841 (P0, 4 h).
- M3 (due Tue Nov 25): three P1 issues of 2 h.
- Reconstruction (due Thu Nov 27): the chain #970 (P0, 8 h) -> #972 (4 h) -> #973 (6 h) -> #974 (8 h)
  -> #975 (10 h) -> #976 (6 h), all P1 but #970: 42 h. Its other issues are unestimated.
54 h of estimated work in all.

The optimal plan (P0 lateness first): Mon #840 09-11 and M3 11-17; Tue 09-11 idle, because #841 may start
only at 11:00 (one working day after #840 ends, Mon 11:00) and no 2 h issue is left, #841 11-15, #970 from
15:00; Wed #970 until 15:00, #972 from 15:00; Thu #972 until 11:00, #973 11-17; Fri #974; Mon #975;
Tue Dec 2 #975 until 11:00 and #976 11-17. Reconstruction finishes Tue Dec 2: 3 working days late.
M3 finishes Mon 24 (on time), M2 Tue 25.

By hand:
- M2 is overdue: due Wed 19, four calendar days before the start, and two working days (Thu 20, Fri 21)
  already lost. Its earliest finish: #840 Mon 09-11, #841 Tue 11-15: Tue 2025-11-25, as planned.
- Extension: M2 and M3 keep their dates (Tue 25), so all 54 h must be done by the new date. Up to Mon
  Dec 1 the lead has 6 working days, 48 h < 54 h: impossible. Up to Tue Dec 2, 56 h, and the plan above
  does it. New date Tue 2025-12-02: +3 working days (Fri 28, Mon 1, Tue 2), +5 calendar days.
- Scope cut: Mon-Thu hold 32 h; M2 and M3 need 12 h of them, so reconstruction keeps at most 20 h.
  Deferring an issue defers the rest of the chain, so what stays is a prefix of it: 8, 12, 18, 26 h...
  26 h > 20 h, so #970, #972 and #973 stay (18 h; they fit: #970 Tue 15:00 - Wed 15:00, #972 until Thu
  11:00, #973 until Thu 17:00). Deferred: #974 (8 h), and because they depend on it #975 (10 h) and #976
  (6 h): 24 h, keeping 18/42 = 43%. The P0 issue #970 is never cut.
- Capacity: the chain alone is 42 h in a row. With 8 h days from Mon 09:00 it ends Mon Dec 1 11:00
  (8, 16, 24, 32, 40 h by Friday evening, 42 h on Monday): 6 working days, after the due date, so no
  number of extra owners helps (the team's common day is 8 h). Longer days for the lead: all 54 h must
  fit in Mon-Thu, 54 / 4 = 13.5 h a day, so +5.5 h; +5.25 h gives 4 x 13.25 = 53 h < 54 h. 13.5 h is
  enough with no idle time: #840, #970, #972 and one M3 issue (16 h) come before #841 may start (Tue
  11:00 is 15.5 h into the lead's time), then #841, the other M3 issues by Tue, then #973 to #976.
- Why: 42 h of work against 4 x 8 = 32 h before the due date: 131%.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from api_schemas import PlanRequest, PlanResult
from api_schemas.recommendations import ReasonKind, TargetStatus
from solver.planner import plan
from tests.test_recommend_support import (
    meets,
    moved_due,
    target,
    with_extra_owners,
    with_longer_days,
    without,
)

REFERENCE = Path(__file__).resolve().parent.parent / "examples" / "reference_backlog.json"
CHAIN = ["#970", "#972", "#973", "#974", "#975", "#976"]
DUE = date(2025, 11, 27)


@pytest.fixture(scope="module")
def request_() -> PlanRequest:
    # A generous time limit: every solve here ends with a proof long before it, even on a slow machine.
    data = json.loads(REFERENCE.read_text(encoding="utf-8"))
    data["options"]["time_limit_s"] = 60
    return PlanRequest.model_validate(data)


@pytest.fixture(scope="module")
def result(request_: PlanRequest) -> PlanResult:
    return plan(request_)


def test_only_m2_and_reconstruction_are_flagged(result: PlanResult) -> None:
    assert result.recommendations is not None
    assert [t.key for t in result.recommendations.targets] == ["milestone:M2", "milestone:reconstruction"]
    assert result.recommendations.complete


def test_m2_is_overdue_with_its_earliest_finish(result: PlanResult) -> None:
    m2 = target(result, "milestone:M2")
    assert m2.status == TargetStatus.OVERDUE
    assert m2.overdue is not None
    assert (m2.overdue.calendar_days_overdue, m2.overdue.working_days_overdue) == (4, 2)
    assert m2.overdue.earliest_finish == date(2025, 11, 25) == m2.overdue.planned_finish
    assert m2.overdue.earliest_finish_proven
    assert m2.extension is None and m2.scope_cut is None and m2.capacity is None
    assert any(reason.kind == ReasonKind.LAG and reason.ids == ["#841", "#840"] for reason in m2.why)


def test_reconstruction_extension_is_tuesday_december_2(request_: PlanRequest, result: PlanResult) -> None:
    extension = target(result, "milestone:reconstruction").extension
    assert extension is not None
    assert extension.new_date == date(2025, 12, 2)
    assert (extension.working_days, extension.calendar_days) == (3, 5)
    assert extension.proven_minimal and extension.verified
    assert meets(moved_due(request_, "reconstruction", date(2025, 12, 2)), "milestone", "reconstruction",
                 date(2025, 12, 2))
    # One working day less: Mon Dec 1 (48 h for 54 h of work).
    assert not meets(moved_due(request_, "reconstruction", date(2025, 12, 1)), "milestone", "reconstruction",
                     date(2025, 12, 1))


def test_reconstruction_cut_defers_phase_1_3_and_what_depends_on_it(request_: PlanRequest,
                                                                     result: PlanResult) -> None:
    cut = target(result, "milestone:reconstruction").scope_cut
    assert cut is not None
    assert [(d.id, d.because_of) for d in cut.deferred] == [("#974", []), ("#975", ["#974"]), ("#976", ["#975"])]
    assert (cut.hours_deferred, cut.hours_kept) == (24, 18)
    assert cut.share_kept == pytest.approx(18 / 42, abs=1e-4)
    assert cut.proven and cut.verified
    assert meets(without(request_, ["#974", "#975", "#976"]), "milestone", "reconstruction", DUE)
    # Keeping #974 as well (the only smaller cut the dependencies allow) misses the date.
    assert not meets(without(request_, ["#975", "#976"]), "milestone", "reconstruction", DUE)


def test_reconstruction_capacity_more_owners_cannot_help_longer_days_can(request_: PlanRequest,
                                                                        result: PlanResult) -> None:
    capacity = target(result, "milestone:reconstruction").capacity
    assert capacity is not None and capacity.extra_owners is None
    chain = capacity.owners_cannot_help
    assert chain is not None
    assert chain.ids == CHAIN
    assert (chain.hours, chain.working_days, chain.working_days_left) == (42, 6, 4)
    assert (chain.starts, chain.earliest_finish) == (date(2025, 11, 24), date(2025, 12, 1))
    assert not meets(with_extra_owners(request_, 3, 8, []), "milestone", "reconstruction", DUE)
    extra = capacity.extra_hours
    assert extra is not None
    assert (extra.hours_per_day, extra.owners) == (5.5, ["lead"])
    assert extra.proven_minimal and extra.verified
    assert meets(with_longer_days(request_, ["lead"], 5.5), "milestone", "reconstruction", DUE)
    assert not meets(with_longer_days(request_, ["lead"], 5.25), "milestone", "reconstruction", DUE)


def test_reconstruction_why_and_summary(result: PlanResult) -> None:
    reconstruction = target(result, "milestone:reconstruction")
    capacity = next(r for r in reconstruction.why if r.kind == ReasonKind.CAPACITY)
    assert capacity.message == "42 h of work, 32 h available before the due date: 131%"
    assert (capacity.hours, capacity.available_hours) == (42, 32)
    chain = next(r for r in reconstruction.why if r.kind == ReasonKind.CHAIN)
    assert chain.ids == CHAIN and chain.date == date(2025, 12, 1)
    line = reconstruction.summary
    assert line.startswith("Miyabi Reconstruction: extend to 2025-12-02 (+3 working days)")
    assert "defer #974, #975, #976 (24 h, keep 43%)" in line
    assert "work +5.5 h/day (lead)" in line
    assert f"more owners cannot help: the chain {' -> '.join(CHAIN)} needs 6 working days (42 h)" in line
    assert result.recommendations is not None and line in result.recommendations.summary
