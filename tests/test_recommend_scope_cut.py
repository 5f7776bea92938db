"""Scope cuts: applied by re-planning they meet the date, and no cheaper cut the dependencies allow does."""

from __future__ import annotations

from datetime import date
from itertools import combinations

from api_schemas import PlanRequest
from solver.planner import plan
from tests.test_recommend_support import make_request, meets, target, without

DUE = date(2025, 11, 25)
PRIORITY = {"a": "P0", "b": "P1", "c": "P1", "d": "P2", "e": "P2"}
HOURS = {"a": 6, "b": 4, "c": 4, "d": 4, "e": 2}


def cut_request() -> PlanRequest:
    # ann, 8 h Mon-Fri; milestone m due Tue: 16 h of capacity for 20 h of work. b needs a, e needs d.
    # Cutting P0 or P1 work is never needed while P2 work can go: e alone (2 h) leaves 18 h > 16 h; d
    # defers e with it (6 h), leaving 14 h. So the cut is d and, because it depends on d, e.
    issues = [
        {"id": issue, "estimate_hours": HOURS[issue], "priority": PRIORITY[issue], "milestone": "m"}
        for issue in "abcde"
    ]
    issues[1]["depends_on"] = ["a"]
    issues[4]["depends_on"] = ["d"]
    return make_request(issues, milestones=[{"id": "m", "due": DUE.isoformat()}])


def cost(cut: set[str]) -> tuple[float, ...]:
    """Deferred hours per priority, most important first, then the number of issues: the order minimised."""
    return (*(sum(HOURS[i] for i in cut if PRIORITY[i] == p) for p in ("P0", "P1", "P2", "P3")), len(cut))


def closed_cuts() -> list[set[str]]:
    """Every set of issues that can be deferred: with an issue go the issues that depend on it."""
    needs = {"b": "a", "e": "d"}
    cuts = []
    for size in range(6):
        for chosen in combinations("abcde", size):
            cut = set(chosen)
            if all(needs[i] not in cut or i in cut for i in needs):
                cuts.append(cut)
    return cuts


def test_cut_defers_lowest_priority_work_and_its_dependents() -> None:
    request = cut_request()
    cut = target(plan(request), "milestone:m").scope_cut
    assert cut is not None
    assert [(d.id, d.because_of) for d in cut.deferred] == [("d", []), ("e", ["d"])]
    assert (cut.hours_deferred, cut.hours_kept, cut.share_kept) == (6, 14, 0.7)
    assert cut.proven and cut.verified
    assert meets(without(request, ["d", "e"]), "milestone", "m", DUE)


def test_no_cheaper_cut_meets_the_date() -> None:
    request = cut_request()
    cut = target(plan(request), "milestone:m").scope_cut
    assert cut is not None
    chosen = {d.id for d in cut.deferred}
    cheaper = [c for c in closed_cuts() if cost(c) < cost(chosen)]
    assert cheaper  # at least the empty cut and deferring e alone
    for other in cheaper:
        assert not meets(without(request, other), "milestone", "m", DUE), other


def test_work_outside_the_milestone_keeps_what_it_needs() -> None:
    # x (milestone m) is needed by y (milestone n, on time): it cannot be deferred, so the cut takes w.
    request = make_request(
        [
            {"id": "x", "estimate_hours": 6, "priority": "P2", "milestone": "m"},
            {"id": "w", "estimate_hours": 6, "priority": "P1", "milestone": "m"},
            {"id": "y", "estimate_hours": 2, "priority": "P1", "milestone": "n", "depends_on": ["x"]},
        ],
        milestones=[{"id": "m", "due": "2025-11-24"}, {"id": "n", "due": "2025-11-28"}],
    )
    cut = target(plan(request), "milestone:m").scope_cut
    assert cut is not None
    assert [d.id for d in cut.deferred] == ["w"]
    assert cut.verified
    assert meets(without(request, ["w"]), "milestone", "m", date(2025, 11, 24))
