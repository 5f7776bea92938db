"""Turn a solver schedule into the contract's `PlanResult`: slots, lateness, milestone and owner views."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from api_schemas.common import UNITS_PER_DAY, UNITS_PER_HOUR
from api_schemas.request import Issue, SolveMode
from api_schemas.result import (
    DayLoad,
    IssuePlan,
    IssueStatus,
    MilestonePlan,
    MilestoneStatus,
    ObjectiveStage,
    OwnerLoad,
    Piece,
    PlanResult,
    PlanWarning,
    Slot,
    SolveStatus,
)
from solver.calendars.working_time import team_capacity_until
from solver.prepared.problem import PreparedProblem, deadline_of
from solver.prepared.schedule import Schedule
from solver.search.lexicographic import SearchOutcome


def _instant(start: date, instant: int) -> datetime:
    """Datetime of an instant counted in quarter hours since `start` 00:00."""
    return datetime.combine(start, time()) + timedelta(minutes=15 * instant)


def _clock_time(units: int) -> time:
    return time(units // UNITS_PER_HOUR, 15 * (units % UNITS_PER_HOUR))


def _unscheduled_reason(problem: PreparedProblem, status: SolveStatus) -> str:
    """Why the issues of a result without a plan have no place: no plan exists, or none was found in time."""
    if status == SolveStatus.INFEASIBLE:
        return "no plan satisfies the hard rules: see infeasibility"
    if problem.horizon_capped:
        return "no plan was found within the time limit and the shortened horizon"
    return "no plan was found within the time limit"


def _piece(problem: PreparedProblem, part: int, owner: str, run: list[tuple[int, int, int]]) -> Piece:
    """One piece of an issue from its dated slots (day, start within the day, units)."""
    (first_day, first_at, _), (last_day, last_at, last_units) = run[0], run[-1]
    return Piece(
        part=part,
        owner=owner,
        start=_instant(problem.start, first_day * UNITS_PER_DAY + first_at),
        finish=_instant(problem.start, last_day * UNITS_PER_DAY + last_at + last_units),
        hours=sum(units for _, _, units in run) / UNITS_PER_HOUR,
    )


def _issue_plans(problem: PreparedProblem, schedule: Schedule | None, status: SolveStatus) -> list[IssuePlan]:
    due_dates = {m.id: m.due for m in problem.request.milestones}
    task_of = {task.issue.id: task for task in problem.tasks}
    plans: list[IssuePlan] = []
    for issue in problem.request.issues:
        deadline = deadline_of(issue, due_dates)
        common = {
            "id": issue.id,
            "title": issue.title,
            "priority": issue.priority,
            "milestone": issue.milestone,
            "deadline": deadline,
        }
        task = task_of.get(issue.id)
        if issue.work_hours is None:
            plans.append(IssuePlan(status=IssueStatus.UNPLANNED, **common))
            continue
        if task is None:
            plans.append(IssuePlan(status=IssueStatus.DONE, **common))
            continue
        if schedule is None:
            reason = _unscheduled_reason(problem, status)
            plans.append(
                IssuePlan(status=IssueStatus.UNSCHEDULED, unscheduled_reason=reason, hours=issue.work_hours, **common)
            )
            continue
        placement = schedule[task.index]
        resource = problem.resources[placement.resource]
        clock = problem.clocks[resource.clock]
        owner = resource.owner_ids[placement.member]
        runs = [clock.pieces(start, end) for start, end in placement.spans(task.work)]
        slots = [
            Slot(date=problem.date_of(day), start=_clock_time(at), hours=units / UNITS_PER_HOUR)
            for run in runs
            for day, at, units in run
        ]
        last_day, last_at, last_units = runs[-1][-1]
        finish_date = problem.date_of(last_day)
        late_days = problem.team.lateness_working_days(deadline, finish_date) if deadline else 0
        plans.append(
            IssuePlan(
                status=IssueStatus.PLANNED,
                owner=owner,
                hours=issue.work_hours,
                start=_instant(problem.start, runs[0][0][0] * UNITS_PER_DAY + runs[0][0][1]),
                finish=_instant(problem.start, last_day * UNITS_PER_DAY + last_at + last_units),
                slots=slots,
                pieces=[_piece(problem, part, owner, run) for part, run in enumerate(runs, start=1)],
                lateness_working_days=late_days,
                lateness_calendar_days=max(0, (finish_date - deadline).days) if deadline else 0,
                late=late_days > 0,
                **common,
            )
        )
    return plans


def _milestone_plans(problem: PreparedProblem, issues: list[IssuePlan], scheduled: bool) -> list[MilestonePlan]:
    request = problem.request
    by_milestone: dict[str, list[tuple[Issue, IssuePlan]]] = {}
    for issue, plan in zip(request.issues, issues, strict=True):
        if issue.milestone:
            by_milestone.setdefault(issue.milestone, []).append((issue, plan))
    dues = sorted({m.due for m in request.milestones if m.due is not None})
    capacity_by_due = team_capacity_until(list(problem.owner_calendars.values()), request.start_date, dues)
    plans: list[MilestonePlan] = []
    for milestone in request.milestones:
        members = by_milestone.get(milestone.id, [])
        work = sum(issue.work_hours or 0 for issue, _ in members)
        unplanned = sum(1 for issue, _ in members if issue.work_hours is None)
        finishes = [plan.slots[-1].date for _, plan in members if plan.slots]
        projected = max(finishes) if finishes else None
        due = milestone.due
        capacity = capacity_by_due[due] if due is not None else None
        left = work > 0 or unplanned > 0
        late_days = problem.team.lateness_working_days(due, projected) if due and projected else 0
        if not left:
            status = MilestoneStatus.DONE
        elif due is None:
            status = MilestoneStatus.NO_DUE_DATE
        elif due < request.start_date:
            status = MilestoneStatus.OVERDUE
        elif not scheduled and work > 0:
            status = MilestoneStatus.UNSCHEDULED
        elif late_days > 0:
            status = MilestoneStatus.LATE
        elif work == 0:
            status = MilestoneStatus.UNESTIMATED
        else:
            status = MilestoneStatus.ON_TRACK
        plans.append(
            MilestonePlan(
                id=milestone.id,
                name=milestone.name,
                due=due,
                projected_finish=projected,
                status=status,
                late=late_days > 0,
                lateness_working_days=late_days,
                lateness_calendar_days=max(0, (projected - due).days) if due and projected else 0,
                issues=len(members),
                unplanned_issues=unplanned,
                work_hours=work,
                capacity_hours_before_due=capacity,
                load_ratio=round(work / capacity, 4) if capacity else None,
            )
        )
    return plans


def _owner_loads(problem: PreparedProblem, issues: list[IssuePlan]) -> list[OwnerLoad]:
    last = max((plan.slots[-1].date for plan in issues if plan.slots), default=problem.start)
    hours: dict[tuple[str, date], float] = {}
    for plan in issues:
        for slot in plan.slots:
            key = (plan.owner or "", slot.date)
            hours[key] = hours.get(key, 0.0) + slot.hours
    loads: list[OwnerLoad] = []
    for owner in problem.request.owners:
        calendar = problem.owner_calendars[owner.id]
        days = [
            DayLoad(date=day, hours=hours.get((owner.id, day), 0.0), capacity=owner.hours_per_day)
            for day in (problem.start + timedelta(days=d) for d in range((last - problem.start).days + 1))
            if calendar.is_working(day)
        ]
        planned = sum(d.hours for d in days)
        capacity = sum(d.capacity for d in days)
        loads.append(
            OwnerLoad(
                id=owner.id,
                name=owner.name,
                hours_per_day=owner.hours_per_day,
                planned_hours=planned,
                capacity_hours=capacity,
                utilisation=round(planned / capacity, 4) if capacity else 0.0,
                days=days,
            )
        )
    return loads


def _milestone_warnings(milestones: list[MilestonePlan]) -> list[PlanWarning]:
    warnings: list[PlanWarning] = []
    for m in milestones:
        label = f"{m.id} ({m.name})" if m.name and m.name != m.id else m.id
        if m.status == MilestoneStatus.OVERDUE:
            finish = f"; earliest planned finish {m.projected_finish}" if m.projected_finish else ""
            warnings.append(
                PlanWarning(
                    code="overdue_milestone",
                    message=f"{label} was due {m.due}, before the plan starts{finish}.",
                    ids=[m.id],
                )
            )
        elif m.status == MilestoneStatus.LATE:
            warnings.append(
                PlanWarning(
                    code="late_milestone",
                    message=f"{label} is projected to finish {m.projected_finish}, {m.lateness_working_days} working "
                    f"day(s) after its due date {m.due}.",
                    ids=[m.id],
                )
            )
    return warnings


def _repeatability_warning(problem: PreparedProblem, outcome: SearchOutcome) -> list[PlanWarning]:
    """Say when a deterministic solve was cut by the wall clock, so the same request may plan differently."""
    if problem.request.options.mode != SolveMode.DETERMINISTIC or outcome.repeatable:
        return []
    return [
        PlanWarning(
            code="not_repeatable",
            message="The time limit ran out before the deterministic search budget was used, so the "
            "same request may give a different plan; raise options.time_limit_s for a repeatable plan.",
        )
    ]


def build_result(
    problem: PreparedProblem, outcome: SearchOutcome, infeasibility: list[str] | None = None
) -> PlanResult:
    """The plan result of a search outcome (schedule may be None when INFEASIBLE or UNKNOWN)."""
    issues = _issue_plans(problem, outcome.schedule, outcome.status)
    milestones = _milestone_plans(problem, issues, outcome.schedule is not None)
    stages = [ObjectiveStage(name=o.name, value=o.value, bound=o.bound, proven=o.proven) for o in outcome.levels]
    first_open = next((s for s in stages if not s.proven), None)
    gap = (first_open.value - first_open.bound) / max(abs(first_open.value), 1) if first_open else 0.0
    horizon_end = problem.date_of(problem.horizon_days - 1)
    return PlanResult(
        status=outcome.status,
        objective=stages,
        gap=round(gap, 6),
        solve_time_s=round(outcome.seconds, 3),
        form=problem.form,
        start_date=problem.start,
        horizon_end=horizon_end,
        issues=issues,
        milestones=milestones,
        owners=_owner_loads(problem, issues),
        warnings=[*problem.warnings, *_milestone_warnings(milestones), *_repeatability_warning(problem, outcome)],
        infeasibility=infeasibility or [],
    )
