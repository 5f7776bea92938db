"""Planning-core behaviour that the oracle's tiny instances do not reach: pools, agents, calendars, horizons."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, time, timedelta

import pytest

from api_schemas import MilestoneStatus, PlanRequest, PlanResult, SolveStatus, Weekday
from benchmarks.evaluation import checked_result, level_names
from checker.schedule_checker import check_schedule
from solver.bounds.schedule_levels import level_values
from solver.calendars.clock import Clock
from solver.planner import plan, prepare_with_start
from solver.prepared.problem import prepare
from solver.result import build_result
from solver.search.lexicographic import SearchOutcome
from solver.starts.greedy import critical_path_priority, greedy_schedule


def _request(**overrides: object) -> PlanRequest:
    base: dict[str, object] = {
        "start_date": "2025-11-24",  # a Monday
        "owners": [{"id": "ann"}],
        "issues": [],
        "options": {"time_limit_s": 5},
    }
    base.update(overrides)
    return PlanRequest.model_validate(base)


def _solve_checked(request: PlanRequest) -> PlanResult:
    result = plan(request)
    assert result.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE)
    assert check_schedule(request, result) == []
    return result


def test_clock_maps_units_to_windows_over_a_weekend() -> None:
    # Mon..Sun, working Mon-Fri, 8 h (32 units) from 09:00 (unit 36 of the day).
    clock = Clock(units_per_day=32, window_start=36, working=(True, True, True, True, True, False, False, True))
    assert clock.total_units == 6 * 32
    assert clock.global_start(0) == 36
    assert clock.global_end(32) == 36 + 32  # Monday 17:00
    assert clock.day_of(5 * 32) == (7, 0)  # sixth working day is the next Monday
    assert clock.pieces(150, 170) == [(4, 36 + 22, 10), (7, 36, 10)]  # Friday afternoon, then Monday morning
    assert clock.first_unit_at_or_after(5 * 96) == 5 * 32  # Saturday 00:00 -> next working unit (Monday)
    assert clock.first_unit_at_or_after(36 + 96 + 4) == 32 + 4  # Tuesday 10:00


def test_identical_agents_are_pooled_and_split_back_onto_owners() -> None:
    agents = [
        {"id": f"agent-{n}", "hours_per_day": 24, "working_weekdays": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]}
        for n in range(3)
    ]
    issues = [{"id": f"#{n}", "estimate_hours": 30, "priority": "P1"} for n in range(6)]
    request = _request(owners=agents, issues=issues)
    problem = prepare(request)
    assert [r.capacity for r in problem.resources] == [3]
    result = plan(request)
    assert result.status == SolveStatus.OPTIMAL
    assert check_schedule(request, result) == []
    assert {i.owner for i in result.issues} == {"agent-0", "agent-1", "agent-2"}
    # Six 30 h issues on three round-the-clock agents: two rounds, the last finishing at hour 60.
    assert max(i.finish for i in result.issues if i.finish).isoformat() == "2025-11-26T12:00:00"


def test_pinned_owner_is_not_pooled() -> None:
    owners = [{"id": "a"}, {"id": "b"}]
    issues = [{"id": "#1", "estimate_hours": 4, "pinned_owner": "b"}, {"id": "#2", "estimate_hours": 4}]
    problem = prepare(_request(owners=owners, issues=issues))
    assert sorted(r.owner_ids for r in problem.resources) == [("a",), ("b",)]


def test_country_holiday_and_day_off_are_not_worked() -> None:
    # 2025-11-24 is a substitute public holiday in Japan; ann is also off on Tuesday.
    request = _request(
        calendar={"country": "JP"},
        owners=[{"id": "ann", "days_off": ["2025-11-25"]}],
        issues=[{"id": "#1", "estimate_hours": 4}],
    )
    result = _solve_checked(request)
    assert result.issues[0].slots[0].date == date(2025, 11, 26)


def test_lag_waits_whole_working_days_over_a_weekend() -> None:
    request = _request(
        start_date="2025-11-28",  # a Friday
        issues=[
            {"id": "#840", "estimate_hours": 8, "priority": "P0"},
            {"id": "#841", "estimate_hours": 2, "priority": "P0", "depends_on": [{"issue": "#840", "lag_days": 1}]},
        ],
    )
    result = _solve_checked(request)
    second = result.issues[1]
    # #840 ends Friday 17:00; one working day later is Monday 17:00; ann's window ends then, so Tuesday 09:00.
    assert (second.slots[0].date, second.slots[0].start) == (date(2025, 12, 2), time(9, 0))


def test_owner_hours_later_than_midnight_shift_the_window() -> None:
    request = _request(owners=[{"id": "bot", "hours_per_day": 20}], issues=[{"id": "#1", "estimate_hours": 20}])
    result = _solve_checked(request)
    assert result.issues[0].slots[0].start == time(4, 0)


def test_same_request_same_schedule() -> None:
    owners = [{"id": "a", "skills": ["db"]}, {"id": "b", "hours_per_day": 6}]
    issues = [
        {
            "id": f"#{n}",
            "estimate_hours": 3 + n % 5,
            "priority": f"P{n % 4}",
            "deadline": "2025-11-27",
            "skills": ["db"] if n % 3 == 0 else [],
            "depends_on": [f"#{n - 2}"] if n >= 2 else [],
        }
        for n in range(10)
    ]
    request = _request(owners=owners, issues=issues)
    first, second = plan(request), plan(request)
    assert [i.slots for i in first.issues] == [i.slots for i in second.issues]
    assert [i.owner for i in first.issues] == [i.owner for i in second.issues]


def test_solver_never_worse_than_its_greedy_start() -> None:
    owners = [{"id": "a"}, {"id": "b", "hours_per_day": 4}]
    issues = [
        {
            "id": f"#{n}",
            "estimate_hours": 2 + (7 * n) % 9,
            "priority": f"P{(3 * n) % 4}",
            "deadline": f"2025-11-{25 + n % 4}",
            "depends_on": [f"#{n - 3}"] if n >= 3 else [],
        }
        for n in range(9)
    ]
    request = _request(owners=owners, issues=issues)
    problem, start = prepare_with_start(request)
    assert start is not None
    result = _solve_checked(request)
    assert [s.value for s in result.objective] <= level_values(problem, start)


def test_greedy_alone_is_checker_clean() -> None:
    request = _request(
        owners=[{"id": "a"}, {"id": "b", "hours_per_day": 5.5}],
        issues=[{"id": f"#{n}", "estimate_hours": 1 + n, "depends_on": [f"#{n - 1}"] if n else []} for n in range(6)],
    )
    problem = prepare(request)
    schedule = greedy_schedule(problem)
    assert schedule is not None
    result, violations = checked_result(problem, schedule, SolveStatus.FEASIBLE, level_names(problem))
    assert violations == []
    assert [issue.owner for issue in result.issues].count(None) == 0


@pytest.mark.parametrize("pinned", ["2025-11-29", "2025-11-23"])
def test_pin_on_a_day_off_or_before_the_start_is_infeasible(pinned: str) -> None:
    request = _request(issues=[{"id": "#1", "estimate_hours": 2, "pinned_owner": "ann", "pinned_start": pinned}])
    result = plan(request)
    assert result.status == SolveStatus.INFEASIBLE
    assert all(not i.slots for i in result.issues)


def test_unplanned_and_done_issues_are_reported_not_dropped() -> None:
    request = _request(
        issues=[
            {"id": "#1"},
            {"id": "#2", "estimate_hours": 5, "remaining_hours": 0},
            {"id": "#3", "estimate_hours": 2, "depends_on": ["#1", "#2"]},
        ]
    )
    result = _solve_checked(request)
    assert [i.status for i in result.issues] == ["unplanned", "done", "planned"]
    codes = {w.code for w in result.warnings}
    assert {"unplanned_issue", "dependency_on_unplanned"} <= codes


def test_an_infeasible_result_lists_its_issues_unscheduled_with_the_reason() -> None:
    # #1 is pinned to a Saturday: no plan. #2 is done and #3 has no estimate; they keep those statuses.
    request = _request(
        issues=[
            {"id": "#1", "estimate_hours": 2, "pinned_start": "2025-11-29"},
            {"id": "#2", "estimate_hours": 5, "remaining_hours": 0},
            {"id": "#3"},
            {"id": "#4", "estimate_hours": 3},
        ]
    )
    result = plan(request)
    assert result.status == SolveStatus.INFEASIBLE
    assert [(i.status, i.owner, i.slots, i.hours) for i in result.issues] == [
        ("unscheduled", None, [], 2),
        ("done", None, [], 0),
        ("unplanned", None, [], 0),
        ("unscheduled", None, [], 3),
    ]
    assert [i.unscheduled_reason for i in result.issues] == [
        "no plan satisfies the hard rules: see infeasibility",
        None,
        None,
        "no plan satisfies the hard rules: see infeasibility",
    ]
    assert check_schedule(request, result) == []


def test_milestones_of_an_infeasible_result_say_unscheduled_not_on_track() -> None:
    # The pin on a Saturday leaves no plan: a milestone with estimated work left cannot be on track or late;
    # a milestone whose work is all done stays done, and one due before the start stays overdue.
    request = _request(
        milestones=[
            {"id": "open", "due": "2025-12-05"},
            {"id": "finished", "due": "2025-12-05"},
            {"id": "past", "due": "2025-11-20"},
        ],
        issues=[
            {"id": "#1", "estimate_hours": 2, "pinned_start": "2025-11-29", "milestone": "open"},
            {"id": "#2", "estimate_hours": 5, "remaining_hours": 0, "milestone": "finished"},
            {"id": "#3", "estimate_hours": 1, "milestone": "past"},
        ],
    )
    result = plan(request)
    assert result.status == SolveStatus.INFEASIBLE
    assert {m.id: (m.status, m.projected_finish, m.late) for m in result.milestones} == {
        "open": ("unscheduled", None, False),
        "finished": ("done", None, False),
        "past": ("overdue", None, False),
    }
    assert check_schedule(request, result) == []


def test_a_result_with_no_plan_found_in_time_says_so() -> None:
    request = _request(issues=[{"id": "#1", "estimate_hours": 2}])
    outcome = SearchOutcome(SolveStatus.UNKNOWN, None, [], 0.0)
    result = build_result(prepare(request), outcome)
    assert result.issues[0].status == "unscheduled"
    assert result.issues[0].unscheduled_reason == "no plan was found within the time limit"
    assert check_schedule(request, result) == []


def test_milestone_with_only_unestimated_work_is_unestimated_not_on_track() -> None:
    request = _request(
        milestones=[{"id": "web", "due": "2025-12-19"}, {"id": "api", "due": "2025-12-19"}],
        issues=[
            {"id": "#1", "milestone": "web"},
            {"id": "#2", "milestone": "api", "estimate_hours": 3},
            {"id": "#3", "milestone": "api"},
        ],
    )
    result = _solve_checked(request)
    assert [m.status for m in result.milestones] == ["unestimated", "on_track"]
    # A checker fed the old answer catches it: the status is what the slots and estimates say.
    result.milestones[0].status = MilestoneStatus.ON_TRACK
    assert [v.rule for v in check_schedule(request, result)] == ["reported_value"]


def test_limited_candidates_keep_the_start_plan_and_drop_the_optimal_claim(monkeypatch: pytest.MonkeyPatch) -> None:
    import solver.starts.candidates as candidates

    monkeypatch.setattr(candidates, "CANDIDATE_PAIR_LIMIT", 5)
    monkeypatch.setattr(candidates, "CANDIDATES_PER_ISSUE", 2)
    owners = [{"id": "a", "hours_per_day": 8}, {"id": "b", "hours_per_day": 6}, {"id": "c", "hours_per_day": 4}]
    request = _request(owners=owners, issues=[{"id": f"#{n}", "estimate_hours": 2 + n} for n in range(6)])
    problem, start = prepare_with_start(request)
    assert start is not None
    limited = candidates.limit_candidates(problem, start)
    assert limited.restricted and "candidates_limited" in {w.code for w in limited.warnings}
    assert all(len(t.resources) == 2 and start[t.index].resource in t.resources for t in limited.tasks)
    assert not problem.restricted and all(len(t.resources) == 3 for t in problem.tasks)  # a copy: prepare's stays
    result = plan(request, with_recommendations=False)
    assert result.status == SolveStatus.FEASIBLE  # the narrowed search may miss the optimum: never OPTIMAL
    assert "candidates_limited" in {w.code for w in result.warnings}
    assert check_schedule(request, result) == []


def test_cached_lateness_tables_match_the_day_by_day_count() -> None:
    # The model's per-deadline tables (prefix counts) against TeamCalendar's direct count, for deadlines
    # before, at and after the start, over JP holidays and an extra team holiday.
    request = PlanRequest.model_validate(
        {
            "start_date": "2025-11-20",
            "calendar": {"country": "JP", "holidays": ["2025-12-03"]},
            "owners": [{"id": "a"}],
            "issues": [{"id": "#1", "estimate_hours": 400}],
        }
    )
    problem = prepare(request)
    for offset in range(-20, 60):
        deadline = date(2025, 11, 20) + timedelta(days=offset)
        table = problem.lateness_table(replace(problem.tasks[0], deadline=deadline))
        assert table is not None
        finishes = [problem.date_of(d) for d in range(problem.horizon_days)]
        expected = [problem.team.lateness_working_days(deadline, finish) for finish in finishes]
        assert table == expected


@pytest.mark.parametrize(
    ("owner", "estimates", "lag_days", "grain"),
    [
        ({"id": "ann"}, [2, 3], 0, 4),  # whole hours on a 09:00 day of 8 h: whole hours
        ({"id": "ann"}, [2, 3], 1, 4),  # a lag after team-calendar work keeps the grain
        ({"id": "ann"}, [2, 0.5], 0, 2),  # a half hour
        ({"id": "ann"}, [2, 0.25], 0, 1),  # a quarter hour
        ({"id": "ann", "hours_per_day": 6.5}, [2, 3], 0, 2),  # 6.5 h days end on a half hour
        # A 7-day owner over a weekend: whole hours without lags, every quarter hour after a lag.
        ({"id": "ann", "working_weekdays": list(Weekday)}, [40, 3], 0, 4),
        ({"id": "ann", "working_weekdays": list(Weekday)}, [40, 3], 1, 1),
    ],
)
def test_time_grain_is_the_common_step_of_work_and_windows(
    owner: dict[str, object], estimates: list[float], lag_days: int, grain: int
) -> None:
    request = _request(
        owners=[owner],
        issues=[
            {"id": "a", "estimate_hours": estimates[0]},
            {"id": "b", "estimate_hours": estimates[1], "depends_on": [{"issue": "a", "lag_days": lag_days}]},
        ],
    )
    assert prepare(request).grain == grain


def test_starts_fall_on_the_time_grain() -> None:
    request = _request(
        owners=[{"id": "ann"}, {"id": "bob"}],
        issues=[{"id": f"i{k}", "estimate_hours": 1 + k % 3} for k in range(8)],
    )
    result = _solve_checked(request)
    for issue in result.issues:
        assert issue.start is not None
        assert issue.start.minute == 0, issue


def test_critical_path_priority_puts_the_longest_chain_of_work_first() -> None:
    request = _request(
        issues=[
            {"id": "a", "estimate_hours": 1},
            {"id": "b", "estimate_hours": 2, "depends_on": [{"issue": "a"}]},
            {"id": "c", "estimate_hours": 3, "depends_on": [{"issue": "b"}]},
            {"id": "d", "estimate_hours": 5},
            {"id": "e", "estimate_hours": 1, "depends_on": [{"issue": "a"}]},
        ],
    )
    problem = prepare(request)
    priority = critical_path_priority(problem)
    by_id = {task.issue.id: -priority[task.index] / 4 for task in problem.tasks}
    assert by_id == {"a": 6, "b": 5, "c": 3, "d": 5, "e": 1}
    schedule = greedy_schedule(problem, priority=priority)
    assert schedule is not None
    assert min(schedule, key=lambda index: schedule[index].start) == next(
        t.index for t in problem.tasks if t.issue.id == "a"
    )
