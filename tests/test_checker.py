"""The independent schedule checker: one hand-made valid plan, then one mutation per rule it must catch.

Every expected value below is worked out by hand in the comments, from docs/model.md.
The plan starts Friday 2025-11-21 on a Mon-Fri calendar with Japan's public holidays:
Sunday 2025-11-23 (Labour Thanksgiving) and Monday 2025-11-24 (its observed substitute) are holidays,
so the team's working days are Fri 21, Tue 25, Wed 26, Thu 27, Fri 28, Mon Dec 1, ...
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from datetime import date, datetime, time
from pathlib import Path

import pytest

from api_schemas import (
    Calendar,
    Dependency,
    Issue,
    IssuePlan,
    IssueStatus,
    Milestone,
    MilestonePlan,
    MilestoneStatus,
    ObjectiveStage,
    Owner,
    PlanRequest,
    PlanResult,
    Priority,
    Slot,
    SolveStatus,
    Weekday,
)
from checker.calendar import CheckCalendar
from checker.schedule_checker import RULES, Violation, assert_valid, check_schedule

ALL_WEEK = list(Weekday)
REPO = Path(__file__).resolve().parent.parent


def nov(day: int) -> date:
    return date(2025, 11, day)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute))


def slot(day: date, hour: int, hours: float, minute: int = 0) -> Slot:
    return Slot(date=day, start=time(hour, minute), hours=hours)


DEC1 = date(2025, 12, 1)


def make_request() -> PlanRequest:
    """Two owners (a person, a 24 h agent working 7 days), three milestones, nine issues."""
    return PlanRequest(
        start_date=nov(21),
        calendar=Calendar(country="JP"),
        owners=[
            Owner(id="alice", hours_per_day=8, skills=["infra", "backend"]),
            Owner(id="agent-1", hours_per_day=24, skills=["backend"], working_weekdays=ALL_WEEK),
        ],
        milestones=[
            Milestone(id="M2", due=nov(19)),
            Milestone(id="recon", due=nov(27)),
            Milestone(id="later"),
        ],
        issues=[
            Issue(id="#840", estimate_hours=2, priority=Priority.P0, milestone="M2", skills=["infra"]),
            Issue(
                id="#841",
                estimate_hours=4,
                priority=Priority.P0,
                milestone="M2",
                depends_on=[Dependency(issue="#840", lag_days=1)],
            ),
            Issue(id="#900", estimate_hours=3, remaining_hours=0, priority=Priority.P3, milestone="M2"),
            Issue(
                id="#970",
                estimate_hours=12,
                priority=Priority.P0,
                milestone="recon",
                pinned_owner="alice",
                pinned_start=nov(21),
                hard_deadline=True,
            ),
            Issue(
                id="#972",
                estimate_hours=30,
                priority=Priority.P1,
                milestone="recon",
                depends_on=[Dependency(issue="#970")],
            ),
            Issue(
                id="#973",
                estimate_hours=27,
                priority=Priority.P1,
                milestone="recon",
                depends_on=[Dependency(issue="#972")],
            ),
            Issue(id="#977", priority=Priority.P1, milestone="recon"),
            Issue(
                id="#974",
                estimate_hours=5,
                priority=Priority.P2,
                deadline=nov(28),
                depends_on=[Dependency(issue="#973", lag_days=1)],
            ),
            Issue(
                id="#975",
                estimate_hours=4,
                priority=Priority.P2,
                milestone="later",
                deadline=nov(28),
                depends_on=[Dependency(issue="#974", lag_days=1)],
            ),
        ],
    )


def planned(
    issue_id: str,
    priority: Priority,
    owner: str,
    slots: list[Slot],
    start: datetime,
    finish: datetime,
    *,
    milestone: str | None = None,
    deadline: date | None = None,
    late_working: int = 0,
    late_calendar: int = 0,
) -> IssuePlan:
    return IssuePlan(
        id=issue_id,
        priority=priority,
        milestone=milestone,
        status=IssueStatus.PLANNED,
        owner=owner,
        hours=sum(s.hours for s in slots),
        start=start,
        finish=finish,
        slots=slots,
        deadline=deadline,
        lateness_working_days=late_working,
        lateness_calendar_days=late_calendar,
        late=late_working > 0,
    )


def make_result() -> PlanResult:
    """A valid plan for `make_request()`, every reported value worked out by hand."""
    issues = [
        # alice Fri 21 09:00-11:00. Deadline M2 due Wed 19; finish Fri 21:
        # working days in (19, 21] = Thu 20, Fri 21 -> 2; calendar 2.
        planned(
            "#840",
            Priority.P0,
            "alice",
            [slot(nov(21), 9, 2)],
            at(nov(21), 9),
            at(nov(21), 11),
            milestone="M2",
            deadline=nov(19),
            late_working=2,
            late_calendar=2,
        ),
        # Lag 1 after #840 (Fri 21 11:00): the next team working day after Fri 21 is Tue 25
        # (Sat, Sun holiday, Mon observed holiday), so the release is Tue 25 11:00.
        # Finish Tue 25: working days in (19, 25] = Thu 20, Fri 21, Tue 25 -> 3; calendar 6.
        planned(
            "#841",
            Priority.P0,
            "agent-1",
            [slot(nov(25), 11, 4)],
            at(nov(25), 11),
            at(nov(25), 15),
            milestone="M2",
            deadline=nov(19),
            late_working=3,
            late_calendar=6,
        ),
        IssuePlan(id="#900", priority=Priority.P3, milestone="M2", status=IssueStatus.DONE, deadline=nov(19)),
        # Split over two of alice's days around the weekend and the holidays: 6 h + 6 h = 12 h.
        planned(
            "#970",
            Priority.P0,
            "alice",
            [slot(nov(21), 11, 6), slot(nov(25), 9, 6)],
            at(nov(21), 11),
            at(nov(25), 15),
            milestone="recon",
            deadline=nov(27),
        ),
        # The agent picks up right at #970's finish (lag 0): 9 h to 24:00, then 21 h: 30 h.
        planned(
            "#972",
            Priority.P1,
            "agent-1",
            [slot(nov(25), 15, 9), slot(nov(26), 0, 21)],
            at(nov(25), 15),
            at(nov(26), 21),
            milestone="recon",
            deadline=nov(27),
        ),
        # 3 h + 24 h = 27 h, ending Thu 27 at 24:00: reported finish is midnight of Fri 28,
        # but the finish date F is Thu 27 = due, so it is on time.
        planned(
            "#973",
            Priority.P1,
            "agent-1",
            [slot(nov(26), 21, 3), slot(nov(27), 0, 24)],
            at(nov(26), 21),
            at(nov(28), 0),
            milestone="recon",
            deadline=nov(27),
        ),
        IssuePlan(id="#977", priority=Priority.P1, milestone="recon", status=IssueStatus.UNPLANNED, deadline=nov(27)),
        # Lag 1 after #973 (F = Thu 27, c = 24:00): F' = Fri 28, and c = 24:00 means 00:00 of Sat 29.
        # Deadline Fri 28, finish Sat 29: 0 working days in (28, 29] + 1 (Sat not worked) = 1; calendar 1.
        planned(
            "#974",
            Priority.P2,
            "agent-1",
            [slot(nov(29), 0, 5)],
            at(nov(29), 0),
            at(nov(29), 5),
            deadline=nov(28),
            late_working=1,
            late_calendar=1,
        ),
        # Lag 1 over the weekend: #974 ends Sat 29 05:00, the next working day is Mon Dec 1 -> 05:00.
        # Deadline Fri 28, finish Mon Dec 1: working days in (28, Dec 1] = Mon -> 1; calendar 3.
        planned(
            "#975",
            Priority.P2,
            "alice",
            [slot(DEC1, 9, 4)],
            at(DEC1, 9),
            at(DEC1, 13),
            milestone="later",
            deadline=nov(28),
            late_working=1,
            late_calendar=3,
        ),
    ]
    milestones = [
        # Due before the start with work left: overdue; projected finish Tue 25 (#841) -> 3 / 6 days late.
        MilestonePlan(
            id="M2",
            due=nov(19),
            projected_finish=nov(25),
            status=MilestoneStatus.OVERDUE,
            late=True,
            lateness_working_days=3,
            lateness_calendar_days=6,
            issues=3,
            unplanned_issues=0,
            work_hours=6,
            capacity_hours_before_due=0,
        ),
        # Capacity Fri 21 .. Thu 27: alice works Fri, Tue, Wed, Thu = 4 x 8 h = 32 h; the agent
        # (holidays apply) Fri, Sat, Tue, Wed, Thu = 5 x 24 h = 120 h -> 152 h. Work 12 + 30 + 27 = 69 h.
        MilestonePlan(
            id="recon",
            due=nov(27),
            projected_finish=nov(27),
            status=MilestoneStatus.ON_TRACK,
            issues=4,
            unplanned_issues=1,
            work_hours=69,
            capacity_hours_before_due=152,
            load_ratio=69 / 152,
        ),
        MilestonePlan(
            id="later",
            projected_finish=DEC1,
            status=MilestoneStatus.NO_DUE_DATE,
            issues=1,
            work_hours=4,
        ),
    ]
    # Finishes in team time (docs/model.md): 96 per team working day before the finish date, plus the clock
    # time when that date is a team working day. Team days from Fri 21: Fri 21 (0 before it), then Tue 25 (1),
    # Wed 26 (2), Thu 27 (3), Fri 28 (4), Mon Dec 1 (5); Sat 22 - Mon 24 and Sat 29 are not team days.
    # P0: #840 Fri 21 11:00 = 44, #841 Tue 25 15:00 = 96 + 60, #970 Tue 25 15:00 = 156 -> 356; lateness 2 + 3 = 5.
    # P1: #972 Wed 26 21:00 = 192 + 84 = 276, #973 Thu 27 24:00 = 288 + 96 = 384 -> 660; lateness 0.
    # P2: #974 Sat 29 05:00 (not a team day: counts as Mon Dec 1 00:00) = 480, #975 Mon Dec 1 13:00 = 480 + 52
    # -> 1012; lateness 1 + 1 = 2.
    # No P3 stages: the only P3 issue is done.
    values = [
        ("P0 lateness", 5),
        ("P1 lateness", 0),
        ("P2 lateness", 2),
        ("P0 finish", 356),
        ("P1 finish", 660),
        ("P2 finish", 1012),
    ]
    return PlanResult(
        status=SolveStatus.OPTIMAL,
        objective=[ObjectiveStage(name=f"{name} (x)", value=v, bound=v, proven=True) for name, v in values],
        solve_time_s=0.1,
        start_date=nov(21),
        horizon_end=date(2025, 12, 31),
        issues=issues,
        milestones=milestones,
    )


def plan_of(result: PlanResult, issue_id: str) -> IssuePlan:
    return next(plan for plan in result.issues if plan.id == issue_id)


def issue_of(request: PlanRequest, issue_id: str) -> Issue:
    return next(issue for issue in request.issues if issue.id == issue_id)


def milestone_of(result: PlanResult, milestone_id: str) -> MilestonePlan:
    return next(plan for plan in result.milestones if plan.id == milestone_id)


def stage_of(result: PlanResult, prefix: str) -> ObjectiveStage:
    return next(stage for stage in result.objective if stage.name.startswith(prefix))


def found(violations: list[Violation], rule: str, ids: list[str]) -> Violation:
    """The violation with this rule and these ids (fails, listing all, when there is none)."""
    matching = [v for v in violations if v.rule == rule and sorted(v.ids) == sorted(ids)]
    assert matching, f"no {rule} violation for {ids} in {violations}"
    return matching[0]


def rules(violations: list[Violation]) -> set[str]:
    return {v.rule for v in violations}


# --- the valid plan --------------------------------------------------------------------------------------


def test_hand_made_plan_is_valid() -> None:
    assert check_schedule(make_request(), make_result()) == []
    assert_valid(make_request(), make_result())


def test_infeasible_result_without_slots_is_valid() -> None:
    result = PlanResult(
        status=SolveStatus.INFEASIBLE, solve_time_s=0, start_date=nov(21), horizon_end=nov(21), issues=[]
    )
    assert check_schedule(make_request(), result) == []


def test_assert_valid_lists_every_violation() -> None:
    result = make_result()
    plan_of(result, "#840").owner = None
    plan_of(result, "#841").slots[0].start = time(9, 5)
    with pytest.raises(AssertionError) as raised:
        assert_valid(make_request(), result)
    text = str(raised.value)
    assert "[owner]" in text and "#840" in text
    assert "[slot_grid]" in text and "#841" in text


# --- calendar arithmetic, hand-worked --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("finish", "working", "calendar_days"),
    [
        (nov(27), 0, 0),  # before the deadline: on time
        (nov(28), 0, 0),  # on the deadline: on time
        (nov(29), 1, 1),  # Saturday: no working day in (Fri, Sat], +1 because Saturday is not worked
        (nov(30), 1, 2),  # Sunday: likewise 0 + 1
        (DEC1, 1, 3),  # next Monday: Monday is the one working day in (Fri, Mon]
        (date(2025, 12, 2), 2, 4),  # Tuesday: Monday and Tuesday
        (date(2025, 12, 5), 5, 7),  # Friday a week later: Mon-Fri
        (date(2025, 12, 6), 6, 8),  # Saturday a week later: Mon-Fri = 5, +1 because Saturday is not worked
    ],
)
def test_lateness_on_a_plain_workweek(finish: date, working: int, calendar_days: int) -> None:
    # Deadline Friday 2025-11-28, Mon-Fri, no holidays.
    lateness = CheckCalendar(Calendar()).lateness(finish, nov(28))
    assert (lateness.working_days, lateness.calendar_days) == (working, calendar_days)
    assert lateness.late == (finish > nov(28))


def test_lateness_counts_japanese_holidays() -> None:
    calendar = CheckCalendar(Calendar(country="JP"))
    # Deadline Fri 21. Finish Mon 24 (observed holiday): no working day in (21, 24], +1 -> 1; calendar 3.
    monday = calendar.lateness(nov(24), nov(21))
    assert (monday.working_days, monday.calendar_days) == (1, 3)
    # Finish Tue 25: only Tuesday is worked in (21, 25] -> 1; calendar 4.
    tuesday = calendar.lateness(nov(25), nov(21))
    assert (tuesday.working_days, tuesday.calendar_days) == (1, 4)
    # Without the country the same Tuesday is 2 working days late (Mon 24 and Tue 25).
    plain = CheckCalendar(Calendar()).lateness(nov(25), nov(21))
    assert plain.working_days == 2


def test_lag_days_skip_weekends_and_holidays() -> None:
    jp = CheckCalendar(Calendar(country="JP"))
    assert jp.is_team_holiday(nov(24)) and jp.is_team_holiday(nov(23))
    assert jp.nth_team_working_day_after(nov(21), 1) == nov(25)
    assert jp.nth_team_working_day_after(nov(21), 2) == nov(26)
    plain = CheckCalendar(Calendar(holidays=[nov(25)]))
    assert plain.nth_team_working_day_after(nov(21), 1) == nov(24)
    assert plain.nth_team_working_day_after(nov(21), 2) == nov(26)


def test_owner_working_days() -> None:
    calendar = CheckCalendar(Calendar(country="JP"))
    agent = Owner(id="agent", hours_per_day=24, working_weekdays=ALL_WEEK)
    tireless = Owner(id="tireless", working_weekdays=ALL_WEEK, works_holidays=True)
    person = Owner(id="bob", days_off=[nov(26)])
    assert calendar.is_owner_working_day(agent, nov(22))  # Saturday, no holiday
    assert not calendar.is_owner_working_day(agent, nov(24))  # observed holiday applies
    assert calendar.is_owner_working_day(tireless, nov(24))
    assert not calendar.is_owner_working_day(person, nov(22))
    assert not calendar.is_owner_working_day(person, nov(26))  # day off
    assert calendar.is_owner_working_day(person, nov(27))


# --- rule 1: coverage and owners -------------------------------------------------------------------------


def test_missing_duplicated_and_unknown_issues() -> None:
    result = make_result()
    result.issues = [plan for plan in result.issues if plan.id != "#977"]
    result.issues.append(plan_of(result, "#840").model_copy(deep=True))
    result.issues.append(IssuePlan(id="#999", priority=Priority.P1, status=IssueStatus.UNPLANNED))
    violations = check_schedule(make_request(), result)
    assert "missing" in found(violations, "coverage", ["#977"]).message
    assert "2 times" in found(violations, "coverage", ["#840"]).message
    found(violations, "coverage", ["#999"])
    assert rules(violations) == {"coverage"}


def test_slots_must_add_up_to_the_work() -> None:
    result = make_result()
    plan_of(result, "#970").slots[1].hours = 5.75
    violations = check_schedule(make_request(), result)
    message = found(violations, "coverage", ["#970"]).message
    assert "11.75 h" in message and "12 h" in message


def test_remaining_hours_override_the_estimate() -> None:
    request = make_request()
    issue_of(request, "#840").remaining_hours = 1
    violations = check_schedule(request, make_result())
    assert "2 h" in found(violations, "coverage", ["#840"]).message


def test_wrong_status_and_slots_on_unplanned_or_done_issues() -> None:
    result = make_result()
    plan_of(result, "#977").slots = [slot(nov(28), 9, 1)]
    plan_of(result, "#900").status = IssueStatus.PLANNED
    violations = check_schedule(make_request(), result)
    assert "must have none" in found(violations, "coverage", ["#977"]).message
    assert "must be done" in found(violations, "coverage", ["#900"]).message


def unscheduled(result: PlanResult, status: SolveStatus) -> PlanResult:
    """The result as one without a plan would report it: estimated issues with work unscheduled, no owners, no slots."""
    result.status = status
    result.objective = []
    for plan in result.issues:
        if plan.status == IssueStatus.PLANNED:
            plan.status = IssueStatus.UNSCHEDULED
            plan.unscheduled_reason = "no plan satisfies the hard rules: see infeasibility"
            plan.owner = None
            plan.slots = []
    return result


@pytest.mark.parametrize("status", [SolveStatus.INFEASIBLE, SolveStatus.UNKNOWN])
def test_a_result_without_a_plan_lists_its_issues_unscheduled(status: SolveStatus) -> None:
    assert check_schedule(make_request(), unscheduled(make_result(), status)) == []


def test_infeasible_result_must_not_carry_slots() -> None:
    result = unscheduled(make_result(), SolveStatus.INFEASIBLE)
    planned = make_result()
    result.issues = [plan for plan in result.issues if plan.id != "#977"]  # not a schedule: no coverage check
    for plan in result.issues:
        plan.slots = plan_of(planned, plan.id).slots
    violations = check_schedule(make_request(), result)
    assert {v.ids[0] for v in violations if v.rule == "coverage"} == {
        "#840",
        "#841",
        "#970",
        "#972",
        "#973",
        "#974",
        "#975",
    }
    assert rules(violations) == {"coverage"}


def test_an_unscheduled_issue_has_no_owner_and_says_why() -> None:
    # #840 keeps its owner, #841 loses its reason, #970 is still called planned, #900 (done) gets a reason.
    result = unscheduled(make_result(), SolveStatus.INFEASIBLE)
    plan_of(result, "#840").owner = "alice"
    plan_of(result, "#841").unscheduled_reason = None
    plan_of(result, "#970").status = IssueStatus.PLANNED
    plan_of(result, "#970").unscheduled_reason = None
    plan_of(result, "#900").unscheduled_reason = "no plan"
    violations = check_schedule(make_request(), result)
    assert "must have no owner" in found(violations, "owner", ["#840", "alice"]).message
    assert "gives no reason" in found(violations, "coverage", ["#841"]).message
    assert "must be unscheduled" in found(violations, "coverage", ["#970"]).message
    assert "gives a reason" in found(violations, "coverage", ["#900"]).message
    assert len(violations) == 4


def test_a_plan_has_no_unscheduled_issue() -> None:
    result = make_result()
    plan_of(result, "#840").status = IssueStatus.UNSCHEDULED
    plan_of(result, "#841").unscheduled_reason = "no plan"
    violations = check_schedule(make_request(), result)
    messages = " ".join(v.message for v in violations if v.rule == "coverage" and v.ids == ["#840"])
    assert "must be planned" in messages and "gives no reason" in messages
    assert "gives a reason" in found(violations, "coverage", ["#841"]).message


def test_owner_rules() -> None:
    result = make_result()
    plan_of(result, "#840").owner = None
    plan_of(result, "#841").owner = "carol"
    plan_of(result, "#977").owner = "alice"
    violations = check_schedule(make_request(), result)
    found(violations, "owner", ["#840"])
    found(violations, "owner", ["#841", "carol"])
    found(violations, "owner", ["#977", "alice"])


# --- rule 2: slots ---------------------------------------------------------------------------------------


def test_slot_grid() -> None:
    result = make_result()
    plan_of(result, "#840").slots[0].start = time(9, 10)
    plan_of(result, "#974").slots[0].hours = 4.9
    # 21:00 + 4 h runs past midnight.
    plan_of(result, "#975").slots[0] = slot(DEC1, 21, 4)
    violations = check_schedule(make_request(), result)
    found(violations, "slot_grid", ["#840"])
    assert "4.9 h" in found(violations, "slot_grid", ["#974"]).message
    assert "midnight" in found(violations, "slot_grid", ["#975"]).message


def test_slot_before_start_and_after_horizon() -> None:
    result = make_result()
    plan_of(result, "#840").slots[0] = slot(nov(20), 9, 2)
    result.horizon_end = nov(30)
    violations = check_schedule(make_request(), result)
    assert "2025-11-21" in found(violations, "before_start", ["#840"]).message
    found(violations, "horizon", ["#975"])


def test_slot_on_a_country_holiday() -> None:
    # #841 moved to the observed holiday Mon 24: the agent does not work team holidays, and the lag
    # of one working day after Fri 21 still releases it only on Tue 25 11:00.
    result = make_result()
    plan_of(result, "#841").slots[0] = slot(nov(24), 11, 4)
    violations = check_schedule(make_request(), result)
    assert "2025-11-24 at 11:00 falls on a team holiday agent-1 does not work" in (
        found(violations, "working_day", ["#841", "agent-1"]).message
    )
    assert "2025-11-25 11:00" in found(violations, "dependency", ["#841", "#840"]).message


def test_slot_on_a_day_off_and_a_weekend() -> None:
    request = make_request()
    request.owners[0].days_off = [nov(25)]
    result = make_result()
    plan_of(result, "#975").slots[0] = slot(nov(30), 9, 4)  # Sunday; alice works Mon-Fri
    violations = check_schedule(request, result)
    assert "Sunday 2025-11-30 at 09:00 falls on a weekday alice does not work" in (
        found(violations, "working_day", ["#975", "alice"]).message
    )
    assert "a day off of alice" in found(violations, "working_day", ["#970", "alice"]).message


def test_works_holidays_lets_an_owner_work_on_them() -> None:
    request = make_request()
    request.owners[1].works_holidays = True
    result = make_result()
    plan_of(result, "#841").slots[0] = slot(nov(24), 11, 4)
    violations = check_schedule(request, result)
    assert "working_day" not in rules(violations)
    found(violations, "dependency", ["#841", "#840"])


def test_capacity_per_owner_and_day() -> None:
    # alice works 8 h on Fri 21 (#840 2 h + #970 6 h); at 7.75 h a day that is a quarter hour too much.
    # (The valid plan fills alice's Fri 21 and the agent's Wed 26 and Thu 27 exactly to capacity.)
    request = make_request()
    request.owners[0].hours_per_day = 7.75
    violations = check_schedule(request, make_result())
    message = found(violations, "capacity", ["alice", "#840", "#970"]).message
    assert "8 h" in message and "7.75 h" in message and "2025-11-21" in message
    assert len([v for v in violations if v.rule == "capacity"]) == 1


def test_overlapping_slots_of_one_owner() -> None:
    # #970 moved to 10:45-16:45 overlaps #840 09:00-11:00 by a quarter hour; its start is reported
    # accordingly. (The valid plan has slots that touch, e.g. 09:00-11:00 and 11:00-17:00: no overlap.)
    result = make_result()
    plan_of(result, "#970").slots[0] = slot(nov(21), 10, 6, minute=45)
    plan_of(result, "#970").start = at(nov(21), 10, 45)
    violations = check_schedule(make_request(), result)
    message = found(violations, "overlap", ["alice", "#840", "#970"]).message
    assert "09:00-11:00" in message and "10:45-16:45" in message
    # Ending at 16:45 leaves a quarter hour of alice's window before #970 resumes: a pause, so two pieces of an
    # issue that is not splittable (rule 4).
    assert rules(violations) == {"overlap", "pieces"}


# --- rule 3: dependencies, dates, pins, skills, hard deadlines -------------------------------------------


def test_dependency_lag_counted_in_working_days() -> None:
    # With lag 2 the release is Wed 26 11:00 (Tue 25 is the first working day after Fri 21).
    request = make_request()
    issue_of(request, "#841").depends_on[0].lag_days = 2
    violations = check_schedule(request, make_result())
    assert "2025-11-26 11:00" in found(violations, "dependency", ["#841", "#840"]).message
    assert rules(violations) == {"dependency"}


def test_dependency_release_after_a_finish_at_midnight() -> None:
    # #973 ends Thu 27 24:00; with lag 1 #974 may start at Sat 29 00:00, not Fri 28 19:00.
    result = make_result()
    plan_of(result, "#974").slots[0] = slot(nov(28), 19, 5)
    violations = check_schedule(make_request(), result)
    message = found(violations, "dependency", ["#974", "#973"]).message
    assert "2025-11-29 00:00" in message and "2025-11-27 24:00" in message


def test_dependency_without_lag_starts_at_the_finish() -> None:
    # #972 may start at #970's finish, Tue 25 15:00; a slot from 14:45 is too early.
    result = make_result()
    plan_of(result, "#972").slots[0] = slot(nov(25), 14, 9, minute=45)
    plan_of(result, "#972").slots[1] = slot(nov(26), 0, 21)
    violations = check_schedule(make_request(), result)
    assert "2025-11-25 15:00" in found(violations, "dependency", ["#972", "#970"]).message


def test_dependencies_on_done_and_unplanned_issues_are_not_enforced() -> None:
    request = make_request()
    issue_of(request, "#840").depends_on = [Dependency(issue="#900", lag_days=5), Dependency(issue="#977")]
    assert check_schedule(request, make_result()) == []


def test_not_before() -> None:
    request = make_request()
    issue_of(request, "#841").not_before = nov(26)
    violations = check_schedule(request, make_result())
    assert "2025-11-26" in found(violations, "not_before", ["#841"]).message
    assert rules(violations) == {"not_before"}


def test_pinned_start() -> None:
    request = make_request()
    issue_of(request, "#970").pinned_start = nov(25)
    violations = check_schedule(request, make_result())
    assert "2025-11-21" in found(violations, "pinned_start", ["#970"]).message
    assert rules(violations) == {"pinned_start"}


def test_pinned_owner() -> None:
    request = make_request()
    issue_of(request, "#841").pinned_owner = "alice"
    violations = check_schedule(request, make_result())
    found(violations, "pinned_owner", ["#841", "agent-1", "alice"])
    assert rules(violations) == {"pinned_owner"}


def test_skills() -> None:
    request = make_request()
    issue_of(request, "#841").skills = ["backend", "infra"]
    violations = check_schedule(request, make_result())
    message = found(violations, "skills", ["#841", "agent-1"]).message
    assert "infra" in message and "backend" not in message
    assert rules(violations) == {"skills"}


def test_hard_deadline() -> None:
    # #974 finishes Sat 29 with a deadline of Fri 28.
    request = make_request()
    issue_of(request, "#974").hard_deadline = True
    violations = check_schedule(request, make_result())
    assert "2025-11-28" in found(violations, "hard_deadline", ["#974"]).message
    assert rules(violations) == {"hard_deadline"}


# --- rule 4: reported values -----------------------------------------------------------------------------


ISSUE_MUTATIONS: list[tuple[str, str, Callable[[IssuePlan], None]]] = [
    ("#973", "finish", lambda p: setattr(p, "finish", at(nov(27), 23, 45))),
    ("#972", "start", lambda p: setattr(p, "start", at(nov(25), 14))),
    ("#970", "hours", lambda p: setattr(p, "hours", 11.0)),
    ("#975", "deadline", lambda p: setattr(p, "deadline", None)),
    ("#975", "lateness_calendar_days", lambda p: setattr(p, "lateness_calendar_days", 1)),
    ("#841", "lateness_working_days", lambda p: setattr(p, "lateness_working_days", 4)),
    ("#974", "late", lambda p: setattr(p, "late", False)),
    ("#841", "priority", lambda p: setattr(p, "priority", Priority.P1)),
    ("#977", "milestone", lambda p: setattr(p, "milestone", None)),
]


@pytest.mark.parametrize(("issue_id", "field", "mutate"), ISSUE_MUTATIONS)
def test_reported_issue_values(issue_id: str, field: str, mutate: Callable[[IssuePlan], None]) -> None:
    result = make_result()
    mutate(plan_of(result, issue_id))
    violations = check_schedule(make_request(), result)
    assert f"reports {field} =" in found(violations, "reported_value", [issue_id]).message
    assert rules(violations) == {"reported_value"}


MILESTONE_MUTATIONS: list[tuple[str, str, Callable[[MilestonePlan], None]]] = [
    ("M2", "status", lambda m: setattr(m, "status", MilestoneStatus.LATE)),
    ("M2", "projected_finish", lambda m: setattr(m, "projected_finish", nov(21))),
    ("M2", "lateness_working_days", lambda m: setattr(m, "lateness_working_days", 4)),
    ("recon", "projected_finish", lambda m: setattr(m, "projected_finish", nov(28))),
    ("recon", "late", lambda m: setattr(m, "late", True)),
    ("recon", "capacity_hours_before_due", lambda m: setattr(m, "capacity_hours_before_due", 160)),
    ("recon", "unplanned_issues", lambda m: setattr(m, "unplanned_issues", 0)),
    ("recon", "work_hours", lambda m: setattr(m, "work_hours", 70)),
    ("later", "status", lambda m: setattr(m, "status", MilestoneStatus.ON_TRACK)),
    ("later", "issues", lambda m: setattr(m, "issues", 2)),
]


@pytest.mark.parametrize(("milestone_id", "field", "mutate"), MILESTONE_MUTATIONS)
def test_reported_milestone_values(milestone_id: str, field: str, mutate: Callable[[MilestonePlan], None]) -> None:
    result = make_result()
    mutate(milestone_of(result, milestone_id))
    violations = check_schedule(make_request(), result)
    assert f"reports {field} =" in found(violations, "reported_value", [milestone_id]).message
    assert rules(violations) == {"reported_value"}


def finish_m2_work(request: PlanRequest, result: PlanResult) -> None:
    """Mark #840 and #841 done in both the request and the result."""
    for issue_id in ("#840", "#841"):
        issue_of(request, issue_id).remaining_hours = 0
        plan = plan_of(result, issue_id)
        plan.status, plan.owner, plan.slots, plan.hours = IssueStatus.DONE, None, [], 0
        plan.start = plan.finish = None
        plan.lateness_working_days = plan.lateness_calendar_days = 0
        plan.late = False


def test_milestone_done_when_all_its_work_is_done() -> None:
    request, result = make_request(), make_result()
    finish_m2_work(request, result)
    # M2 now has no work left: done, no projected finish, no lateness, no work hours.
    violations = check_schedule(request, result)
    messages = {v.message for v in violations if v.ids == ["M2"]}
    assert messages == {
        "Milestone M2 reports status = overdue but the schedule says done.",
        "Milestone M2 reports projected_finish = 2025-11-25 but the schedule says none.",
        "Milestone M2 reports late = True but the schedule says False.",
        "Milestone M2 reports lateness_working_days = 3 but the schedule says 0.",
        "Milestone M2 reports lateness_calendar_days = 6 but the schedule says 0.",
        "Milestone M2 reports work_hours = 6 but the schedule says 0.",
    }
    # The stale objective is caught too: P0 keeps only #970 (lateness 0, finish 156 in team time).
    objective = sorted(v.message for v in violations if v.rule == "objective")
    assert len(objective) == 2
    assert "reports 356 but the schedule gives 156" in objective[0]
    assert "reports 5 but the schedule gives 0" in objective[1]


def test_milestone_with_only_unplanned_work_left_is_not_done() -> None:
    # An issue without an estimate is work left: M2 (due before the start) stays overdue.
    request, result = make_request(), make_result()
    finish_m2_work(request, result)
    request.issues.append(Issue(id="#978", priority=Priority.P1, milestone="M2"))
    result.issues.append(
        IssuePlan(id="#978", priority=Priority.P1, milestone="M2", status=IssueStatus.UNPLANNED, deadline=nov(19))
    )
    result.objective = [stage for stage in result.objective if not stage.name.startswith("P0")]
    result.objective.insert(0, ObjectiveStage(name="P0 lateness", value=0, bound=0, proven=True))
    # Only #970 is P0 work left: Tue 25 15:00 in team time is 96 + 60.
    result.objective.insert(3, ObjectiveStage(name="P0 finish", value=156, bound=156, proven=True))
    m2 = milestone_of(result, "M2")
    m2.status, m2.projected_finish, m2.late, m2.work_hours = MilestoneStatus.DONE, None, False, 0
    m2.lateness_working_days = m2.lateness_calendar_days = 0
    m2.issues, m2.unplanned_issues = 4, 1
    violations = check_schedule(request, result)
    assert [v.message for v in violations] == ["Milestone M2 reports status = done but the schedule says overdue."]


def test_milestone_due_on_the_start_date_is_not_overdue() -> None:
    # Due Fri 21 = start date: not overdue; projected finish Tue 25 is after due, so it is late.
    request = make_request()
    request.milestones[0].due = nov(21)
    violations = check_schedule(request, make_result())
    messages = {v.message for v in violations if v.ids == ["M2"]}
    assert "Milestone M2 reports status = overdue but the schedule says late." in messages


def test_missing_and_unknown_milestones() -> None:
    result = make_result()
    result.milestones[0].id = "M9"
    violations = check_schedule(make_request(), result)
    found(violations, "reported_value", ["M2"])
    found(violations, "reported_value", ["M9"])


# --- objective -------------------------------------------------------------------------------------------


def test_objective_value_must_match_the_slots() -> None:
    result = make_result()
    stage_of(result, "P2 lateness").value = 3
    stage_of(result, "P2 lateness").bound = 3
    stage_of(result, "P1 finish").value = stage_of(result, "P1 finish").bound = 659
    violations = check_schedule(make_request(), result)
    messages = [v.message for v in violations if v.rule == "objective"]
    assert len(messages) == 2
    assert any("reports 3" in m and "gives 2" in m for m in messages)
    assert any("reports 659" in m and "gives 660" in m for m in messages)


def test_objective_levels_missing_extra_and_out_of_order() -> None:
    result = make_result()
    result.objective = [
        result.objective[1],
        result.objective[0],
        *result.objective[3:],
        ObjectiveStage(name="P3 finish (x)", value=0, bound=0, proven=True),
    ]
    violations = check_schedule(make_request(), result)
    messages = " | ".join(v.message for v in violations if v.rule == "objective")
    assert "'P2 lateness' (value 2) is missing" in messages
    assert "'P3 finish (x)' is not a level" in messages
    assert "order" in messages


def test_objective_stages_are_identified_by_priority_and_kind() -> None:
    result = make_result()
    stage_of(result, "P0 lateness").name = "P0 slack (working days)"
    stage_of(result, "P2 finish").name = "P2 finish (team quarter hours)"
    violations = check_schedule(make_request(), result)
    messages = [v.message for v in violations if v.rule == "objective"]
    assert messages == [
        "Objective stage 'P0 slack (working days)' is not a level of this plan's objective.",
        "Objective level 'P0 lateness' (value 5) is missing from the result.",
    ]


def test_optimal_requires_every_stage_proven_and_no_gap() -> None:
    result = make_result()
    stage_of(result, "P2 finish").bound = 1000
    stage_of(result, "P2 finish").proven = False
    result.gap = 0.05
    violations = check_schedule(make_request(), result)
    messages = [v.message for v in violations if v.rule == "objective"]
    assert any("OPTIMAL" in m and "P2 finish" in m for m in messages)
    assert any("gap 0.05" in m for m in messages)
    result.status = SolveStatus.FEASIBLE
    assert check_schedule(make_request(), result) == []


def test_stage_proof_flag_and_bound_must_be_consistent() -> None:
    result = make_result()
    result.status = SolveStatus.FEASIBLE
    stage_of(result, "P0 finish").proven = False
    stage_of(result, "P1 finish").bound = 1300
    stage_of(result, "P1 finish").proven = False
    violations = check_schedule(make_request(), result)
    messages = [v.message for v in violations if v.rule == "objective"]
    assert any("P0 finish" in m and "proven=False" in m for m in messages)
    assert any("P1 finish" in m and "above its value" in m for m in messages)


# --- calendar errors and independence --------------------------------------------------------------------


def test_unknown_country_is_reported() -> None:
    request = make_request()
    request.calendar.country = "XX"
    violations = check_schedule(request, make_result())
    assert "XX" in found(violations, "calendar", []).message


def test_checker_does_not_import_the_model() -> None:
    sources = sorted((REPO / "checker").glob("*.py"))
    assert len(sources) > 5
    for source in sources:
        tree = ast.parse(source.read_text())
        for node in ast.walk(tree):
            names = (
                [alias.name for alias in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            for name in names:
                assert name.split(".")[0] not in {"solver", "service", "ortools"}, (source, name)


def test_rules_lists_every_rule_code_the_checker_reports() -> None:
    reported: set[str] = set()
    for source in sorted((REPO / "checker").glob("*.py")):
        for node in ast.walk(ast.parse(source.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Violation" and node.args:
                first = node.args[0]
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    reported.add(first.value)
    assert reported, "no Violation(...) with a literal rule code found"
    assert reported <= set(RULES), reported - set(RULES)
    assert len(set(RULES)) == len(RULES)
