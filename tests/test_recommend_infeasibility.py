"""Infeasible requests: every independent conflict, each minimal, and fixes that each remove one.

Minimality, independence, completeness and every fix are checked by re-planning requests changed by hand
(`solver.plan`), not by trusting the finder.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given, settings

from api_schemas import PlanRequest, PlanResult, SolveStatus
from api_schemas.recommendations import ConflictFix, ConflictKind, ConflictSet, FixKind, Infeasibility
from solver.planner import plan
from solver.recommend import infeasibility as infeasibility_module
from solver.recommend.switches import SwitchModel
from tests.strategies import tiny_requests
from tests.test_recommend_support import MONDAY, make_request, replan

#: How a planner drops each kind of constraint from an issue.
RELAX: dict[ConflictKind, Callable[[dict[str, Any]], None]] = {
    ConflictKind.PINNED_START: lambda issue: issue.update(pinned_start=None),
    ConflictKind.PINNED_OWNER: lambda issue: issue.update(pinned_owner=None),
    ConflictKind.HARD_DEADLINE: lambda issue: issue.update(hard_deadline=False),
    ConflictKind.NOT_BEFORE: lambda issue: issue.update(not_before=None),
    ConflictKind.SKILLS: lambda issue: issue.update(skills=[]),
}

CASES: dict[str, tuple[PlanRequest, set[tuple[ConflictKind, str]]]] = {
    # Saturday 2025-11-29 is not one of ann's working days.
    "pin on a day off": (
        make_request([{"id": "#841", "estimate_hours": 4, "pinned_start": "2025-11-29"},
                      {"id": "x", "estimate_hours": 2, "deadline": "2025-11-24", "hard_deadline": True}]),
        {(ConflictKind.PINNED_START, "#841")},
    ),
    # May not start before Wednesday, must finish by Tuesday.
    "not before after the deadline": (
        make_request([{"id": "a", "estimate_hours": 1, "not_before": "2025-11-26", "deadline": "2025-11-25",
                       "hard_deadline": True}]),
        {(ConflictKind.NOT_BEFORE, "a"), (ConflictKind.HARD_DEADLINE, "a")},
    ),
    # Only bob has 'infra' and he is off Monday and Tuesday; the work is due Tuesday. ann is free.
    "skill held by an absent owner": (
        make_request(
            [{"id": "a", "estimate_hours": 2, "skills": ["infra"], "deadline": "2025-11-25", "hard_deadline": True}],
            owners=[{"id": "ann"}, {"id": "bob", "skills": ["infra"], "days_off": ["2025-11-24", "2025-11-25"]}],
        ),
        {(ConflictKind.SKILLS, "a"), (ConflictKind.HARD_DEADLINE, "a")},
    ),
    # p and q, 6 h each, both pinned to ann and both due Monday: she has 8 h. Without either owner pin bob
    # takes one; without either deadline one waits for Tuesday. All four are needed for the conflict.
    "two issues pinned to one owner on one day": (
        make_request([
            {"id": issue, "estimate_hours": 6, "pinned_owner": "ann", "deadline": "2025-11-24", "hard_deadline": True}
            for issue in ("p", "q")
        ], owners=[{"id": "ann"}, {"id": "bob"}]),
        {(ConflictKind.PINNED_OWNER, "p"), (ConflictKind.PINNED_OWNER, "q"), (ConflictKind.HARD_DEADLINE, "p"),
         (ConflictKind.HARD_DEADLINE, "q")},
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_the_conflict_is_named_and_each_part_of_it_is_needed(name: str) -> None:
    request, expected = CASES[name]
    result = plan(request)
    assert result.status == SolveStatus.INFEASIBLE
    assert result.recommendations is not None
    assert result.recommendations is not None
    infeasibility = result.recommendations.infeasibility
    assert infeasibility is not None and infeasibility.smallest and infeasibility.complete
    found = {(conflict.kind, conflict.ids[0]) for conflict in infeasibility.conflicts}
    assert found == expected
    assert len(infeasibility.sets) == 1
    assert result.infeasibility == [conflict_set.message for conflict_set in infeasibility.sets]
    for kind, issue_id in found:
        data = request.model_dump()
        RELAX[kind](next(issue for issue in data["issues"] if issue["id"] == issue_id))
        relaxed = replan(PlanRequest.model_validate(data))
        assert relaxed.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE), (kind, issue_id)


def test_a_pin_on_a_day_off_says_who_does_not_work_then() -> None:
    request, _ = CASES["pin on a day off"]
    result = plan(request)
    assert result.infeasibility == ["#841 is pinned to start 2025-11-29, a Saturday, which ann does not work"]


def test_a_deadline_the_lagged_chain_cannot_meet_names_the_chain() -> None:
    # a ends Monday 11:00 at the earliest; a lag of 2 lets b start Wednesday 11:00, after its Tuesday deadline.
    request = make_request([
        {"id": "a", "estimate_hours": 2},
        {"id": "b", "estimate_hours": 2, "deadline": "2025-11-25", "hard_deadline": True,
         "depends_on": [{"issue": "a", "lag_days": 2}]},
    ])
    result = plan(request)
    assert result.infeasibility == [
        "b must finish by 2025-11-25 (Tuesday, hard deadline), which its chain a -> b cannot meet before 2025-11-26"
    ]


# --- several independent conflicts -------------------------------------------------------------------------

Key = tuple[ConflictKind, str]

#: Work that fits whatever else happens: a pin, an owner pin, a not-before date and a hard deadline that all
#: hold (Wednesday 2 h on ann), so that "the rest has a plan" is a claim about real constraints.
FITTING = {
    "id": "ok",
    "estimate_hours": 2,
    "pinned_start": "2025-11-26",
    "pinned_owner": "ann",
    "not_before": "2025-11-25",
    "deadline": "2025-11-28",
    "hard_deadline": True,
}
#: Pinned to Saturday 2025-11-29, which nobody works.
SATURDAY_PIN = {"id": "#841", "estimate_hours": 4, "pinned_start": "2025-11-29"}
#: Three 4 h issues due Monday on ann's 8 h: any two fit, not all three.
THREE_DEADLINES = [{"id": i, "estimate_hours": 4, "deadline": "2025-11-24", "hard_deadline": True} for i in "xyz"]
#: May not start before Wednesday, must finish by Tuesday.
NOT_BEFORE_THE_DEADLINE = {
    "id": "a",
    "estimate_hours": 1,
    "not_before": "2025-11-26",
    "deadline": "2025-11-25",
    "hard_deadline": True,
}
#: Needs infra, which only bob has, and bob is off until Wednesday; due Tuesday.
ABSENT_SKILL = {"id": "s", "estimate_hours": 2, "skills": ["infra"], "deadline": "2025-11-25", "hard_deadline": True}
TEAM = [{"id": "ann"}, {"id": "bob", "skills": ["infra"], "days_off": ["2025-11-24", "2025-11-25"]}]

PIN = {(ConflictKind.PINNED_START, "#841")}
DEADLINES = {(ConflictKind.HARD_DEADLINE, i) for i in "xyz"}
DATES = {(ConflictKind.NOT_BEFORE, "a"), (ConflictKind.HARD_DEADLINE, "a")}
SKILL = {(ConflictKind.SKILLS, "s"), (ConflictKind.HARD_DEADLINE, "s")}

MANY: dict[str, tuple[PlanRequest, list[set[Key]]]] = {
    "two": (make_request([SATURDAY_PIN, *THREE_DEADLINES, FITTING]), [PIN, DEADLINES]),
    "three": (
        make_request([SATURDAY_PIN, *THREE_DEADLINES, NOT_BEFORE_THE_DEADLINE, FITTING]),
        [PIN, DEADLINES, DATES],
    ),
    "four, with a skill": (
        make_request([SATURDAY_PIN, *THREE_DEADLINES, NOT_BEFORE_THE_DEADLINE, ABSENT_SKILL, FITTING], owners=TEAM),
        [PIN, DEADLINES, DATES, SKILL],
    ),
}


def constraints(request: PlanRequest) -> set[Key]:
    """Every pin, owner pin, hard deadline, not-before date and skill requirement of the request."""
    found: set[Key] = set()
    for issue in request.issues:
        present = {
            ConflictKind.PINNED_START: issue.pinned_start is not None,
            ConflictKind.PINNED_OWNER: issue.pinned_owner is not None,
            ConflictKind.HARD_DEADLINE: issue.hard_deadline,
            ConflictKind.NOT_BEFORE: issue.not_before is not None,
            ConflictKind.SKILLS: bool(issue.skills),
        }
        found |= {(kind, issue.id) for kind, there in present.items() if there}
    return found


def relaxed(request: PlanRequest, dropped: set[Key]) -> dict[str, Any]:
    """The request (as data) with the listed constraints dropped, as a planner would edit it."""
    data = request.model_dump()
    for kind, issue_id in dropped:
        RELAX[kind](next(issue for issue in data["issues"] if issue["id"] == issue_id))
    return data


def status_of(data: dict[str, Any]) -> SolveStatus:
    return replan(PlanRequest.model_validate(data)).status


def has_plan(data: dict[str, Any]) -> bool:
    return status_of(data) in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE)


def reported(result: PlanResult) -> Infeasibility:
    assert result.status == SolveStatus.INFEASIBLE
    assert result.recommendations is not None and result.recommendations.infeasibility is not None
    return result.recommendations.infeasibility


def keys(conflict: ConflictSet) -> set[Key]:
    return {(c.kind, c.ids[0]) for c in conflict.conflicts}


@pytest.mark.parametrize("name", list(MANY))
def test_every_independent_conflict_is_reported_and_each_is_minimal(name: str) -> None:
    request, expected = MANY[name]
    result = plan(request)
    infeasibility = reported(result)
    sets = [keys(conflict) for conflict in infeasibility.sets]
    assert sorted(sets, key=sorted) == sorted(expected, key=sorted)
    assert infeasibility.complete and infeasibility.smallest and result.recommendations is not None
    assert result.recommendations.complete
    assert result.infeasibility == [conflict.message for conflict in infeasibility.sets]
    assert [(c.kind, c.ids[0]) for c in infeasibility.conflicts] == [
        (c.kind, c.ids[0]) for conflict in infeasibility.sets for c in conflict.conflicts
    ]
    everything = constraints(request)
    # Independent: no constraint is in two sets.
    assert sum(len(found) for found in sets) == len(set().union(*sets))
    for found in sets:
        # The set alone (every other constraint dropped) leaves no plan; without any one member it does.
        assert status_of(relaxed(request, everything - found)) == SolveStatus.INFEASIBLE, found
        for member in found:
            assert has_plan(relaxed(request, everything - found | {member})), (found, member)
    # Complete: without the sets' constraints the request has a plan (FITTING's constraints stay).
    assert has_plan(relaxed(request, set().union(*sets)))


def applied(data: dict[str, Any], fix: ConflictFix) -> dict[str, Any]:
    """The request data with one fix made by hand."""
    issue = next((i for i in data["issues"] if fix.ids and i["id"] == fix.ids[0]), None)
    if fix.kind == FixKind.ADD_OWNER:
        data["owners"].append({"id": "new", "hours_per_day": fix.hours_per_day, "skills": fix.skills})
    elif fix.kind == FixKind.ADD_HOURS:
        assert fix.hours_per_day is not None
        for owner in data["owners"]:
            if owner["id"] in fix.owners:
                owner["hours_per_day"] += fix.hours_per_day
    else:
        assert issue is not None
        changes: dict[FixKind, dict[str, Any]] = {
            FixKind.DROP_PIN: {"pinned_start": None},
            FixKind.MOVE_PIN: {"pinned_start": fix.date},
            FixKind.DROP_OWNER_PIN: {"pinned_owner": None},
            FixKind.MOVE_DEADLINE: {"deadline": fix.date} if fix.date else {"hard_deadline": False},
            FixKind.MOVE_NOT_BEFORE: {"not_before": fix.date},
            FixKind.DROP_SKILLS: {"skills": [k for k in issue["skills"] if k not in fix.skills]},
        }
        issue.update(changes[fix.kind])
    return data


def nearer(fix: ConflictFix, data: dict[str, Any]) -> list[ConflictFix]:
    """The smaller changes a proven-minimal move or addition claims do not work."""
    if fix.kind == FixKind.ADD_HOURS:
        assert fix.hours_per_day is not None
        return [fix.model_copy(update={"hours_per_day": fix.hours_per_day - 0.25})] if fix.hours_per_day > 0.25 else []
    assert fix.date is not None
    issue = next(i for i in data["issues"] if i["id"] == fix.ids[0])
    if fix.kind == FixKind.MOVE_DEADLINE:
        return [fix.model_copy(update={"date": fix.date - timedelta(days=1)})]
    if fix.kind == FixKind.MOVE_NOT_BEFORE:
        return [fix.model_copy(update={"date": fix.date + timedelta(days=1)})]
    pinned: date = issue["pinned_start"]
    distance = abs((fix.date - pinned).days)
    closer = [pinned + timedelta(days=d) for d in range(1 - distance, distance) if d != 0]
    return [fix.model_copy(update={"date": day}) for day in closer]


@pytest.mark.parametrize("name", list(MANY))
def test_each_fix_removes_its_conflict_and_a_proven_one_is_the_least(name: str) -> None:
    request, _ = MANY[name]
    infeasibility = reported(plan(request))
    everything = constraints(request)
    kinds: set[FixKind] = set()
    for conflict in infeasibility.sets:
        alone = relaxed(request, everything - keys(conflict))
        for fix in conflict.fixes:
            kinds.add(fix.kind)
            assert fix.verified, fix
            assert has_plan(applied(PlanRequest.model_validate(alone).model_dump(), fix)), fix
            if fix.proven_minimal:
                for smaller in nearer(fix, alone):
                    changed = applied(PlanRequest.model_validate(alone).model_dump(), smaller)
                    assert status_of(changed) == SolveStatus.INFEASIBLE, (fix, smaller)
    expected = {FixKind.DROP_PIN, FixKind.MOVE_PIN, FixKind.MOVE_DEADLINE, FixKind.ADD_HOURS}
    if name != "two":
        expected.add(FixKind.MOVE_NOT_BEFORE)
    if name == "four, with a skill":
        expected |= {FixKind.DROP_SKILLS, FixKind.ADD_OWNER}
    assert kinds == expected


def test_the_fixes_are_concrete() -> None:
    request, _ = MANY["four, with a skill"]
    by_set = {frozenset(keys(c)): [f.message for f in c.fixes] for c in reported(plan(request)).sets}
    assert by_set[frozenset(PIN)] == ["drop the pin of #841", "move the pin of #841 to 2025-11-28 (Friday)"]
    assert by_set[frozenset(DEADLINES)] == [
        "move the deadline of x to 2025-11-25 (Tuesday)",
        "move the deadline of y to 2025-11-25 (Tuesday)",
        "move the deadline of z to 2025-11-25 (Tuesday)",
        "add 4 h by 2025-11-24: ann works +4 h/day",
    ]
    assert by_set[frozenset(DATES)] == [
        "move the not-before date of a to 2025-11-25 (Tuesday)",
        "move the deadline of a to 2025-11-26 (Wednesday)",
    ]
    assert by_set[frozenset(SKILL)] == [
        "remove the skill requirement infra from s",
        "add an owner with infra (8 h/day, team calendar)",
        "move the deadline of s to 2025-11-26 (Wednesday)",
    ]


def test_when_the_budget_ends_the_list_says_there_may_be_more(monkeypatch: pytest.MonkeyPatch) -> None:
    # After the first set is found, every further solve is left undecided, as when the time budget ends.
    real = infeasibility_module._shrink

    def shrink_then_run_out(*args: Any) -> Any:
        found = real(*args)
        monkeypatch.setattr(SwitchModel, "conflicting", lambda *_: (None, []))
        return found

    monkeypatch.setattr(infeasibility_module, "_shrink", shrink_then_run_out)
    request, _ = MANY["two"]
    result = plan(request)
    infeasibility = reported(result)
    assert len(infeasibility.sets) == 1 and not infeasibility.complete
    assert "There may be more" in infeasibility.message
    assert result.recommendations is not None and not result.recommendations.complete
    assert result.recommendations.summary[-1].startswith("There may be more conflicts")


@settings(max_examples=30, deadline=None, derandomize=True)
@given(tiny_requests())
def test_on_random_requests_the_conflicts_are_independent_minimal_and_their_fixes_work(request: PlanRequest) -> None:
    result = plan(request)
    if result.status != SolveStatus.INFEASIBLE:
        return
    infeasibility = reported(result)
    sets = [keys(conflict) for conflict in infeasibility.sets]
    assert sum(len(found) for found in sets) == len(set().union(*sets))
    everything = constraints(request)
    for conflict, found in zip(infeasibility.sets, sets, strict=True):
        alone = relaxed(request, everything - found)
        assert status_of(alone) == SolveStatus.INFEASIBLE, found
        if conflict.minimal:
            for member in found:
                assert has_plan(relaxed(request, everything - found | {member})), (found, member)
        for fix in conflict.fixes:
            if fix.verified:
                assert has_plan(applied(PlanRequest.model_validate(alone).model_dump(), fix)), fix
    if infeasibility.complete and sets:
        assert has_plan(relaxed(request, set().union(*sets)))


@pytest.mark.parametrize("days_before", [1, 4, 2000])
@pytest.mark.parametrize("splittable", [False, True])
def test_a_hard_deadline_already_passed_is_infeasible_with_its_fix(days_before: int, splittable: bool) -> None:
    # A deadline days before the start once read as a day near the horizon (a negative index): the plan failed its
    # check (4 days) or the model could not be built (2000 days).
    deadline = (MONDAY - timedelta(days=days_before)).isoformat()
    request = make_request([{"id": "#1", "estimate_hours": 4, "deadline": deadline, "hard_deadline": True},
                            {"id": "#2", "estimate_hours": 2}],
                           options={"time_limit_s": 2, "splittable": splittable})
    result = plan(request)
    assert result.status is SolveStatus.INFEASIBLE and result.checked
    assert result.recommendations is not None
    infeasibility = result.recommendations.infeasibility
    assert infeasibility is not None and infeasibility.sets
    fixes = [fix for conflict in infeasibility.sets for fix in conflict.fixes]
    assert any(fix.kind is FixKind.MOVE_DEADLINE and fix.date == MONDAY and fix.ids[0] == "#1" for fix in fixes), fixes


@pytest.mark.parametrize("days_before", [1, 2, 3, 30])
def test_a_pinned_start_already_passed_is_infeasible_with_its_fix(days_before: int) -> None:
    # A pin two or more days before the start read a day near the horizon (a negative index), so the model placed
    # the issue there and the plan failed its check: PlanCheckError, a 500 in the service (one day before worked).
    pinned = (MONDAY - timedelta(days=days_before)).isoformat()
    issues = [{"id": "#1", "estimate_hours": 4}, {"id": "n", "estimate_hours": 2, "pinned_start": pinned}]
    request = make_request(issues, options={"time_limit_s": 2})
    result = plan(request)
    assert result.status is SolveStatus.INFEASIBLE and result.checked
    assert result.recommendations is not None and result.recommendations.infeasibility is not None
    fixes = [fix for conflict in result.recommendations.infeasibility.sets for fix in conflict.fixes]
    assert any(fix.kind is FixKind.MOVE_PIN and fix.date == MONDAY for fix in fixes), fixes
