"""The week plan a team lead posts: overview, day by day, priorities, risks, recommendations, success criteria.

Every number is read from the plan (or computed from it here); nothing is typed in by hand.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from api_schemas.result import IssuePlan, IssueStatus, PlanForm, PlanResult, SolveStatus
from service.report import formatting as fmt
from service.report.chains import ChainStep, Link, milestone_chain
from service.report.changes import change_blocks
from service.report.document import Block, Bullets, Heading, Paragraph, Table
from service.report.forecast import forecast_blocks
from service.report.idle import idle_lines
from service.report.milestones import MilestoneStanding, Standing, standings
from service.report.plan_view import PlanView
from service.report.recommendations import recommendation_blocks
from service.report.timeline import Tier, WeekGoal, day_rows, tiers, week_goal

#: Calendar days the day-by-day table covers unless told otherwise.
DEFAULT_DAYS = 7
#: Weeks that get success criteria.
GOAL_WEEKS = (1, 2)
#: Owners shown as columns of the load table; larger teams get one row per owner and day.
_WIDE_LOAD_OWNERS = 6
#: Longest title written in a table cell.
_TITLE_CHARS = 60
#: Rows of a priority tier written out before "and N more".
_TIER_ROWS = 40
#: Warning codes the risks section already covers in its own words.
_COVERED_WARNINGS = frozenset({"unplanned_issue", "overdue_milestone", "late_milestone"})


def _title(issue: IssuePlan) -> str:
    """The issue's title, shortened for a table cell."""
    title = issue.title.strip()
    return title if len(title) <= _TITLE_CHARS else title[: _TITLE_CHARS - 1].rstrip() + "…"


def _label(issue: IssuePlan) -> str:
    """'#840 (P0) Provisioned throughput…'."""
    title = _title(issue)
    return f"{issue.id} ({issue.priority.value}) {title}" if title else f"{issue.id} ({issue.priority.value})"


# --- header ------------------------------------------------------------------------------------------------


def _solver_sentence(result: PlanResult) -> str:
    seconds = f"{result.solve_time_s:.2f} s"
    if result.status == SolveStatus.OPTIMAL:
        if result.form is PlanForm.PIECES:
            return (
                f"Solver: **OPTIMAL** in {seconds}: no plan, pausing and resuming the splittable issues as their "
                "limits allow, makes P0 work less late, then P1, P2 and P3 work, or then finishes it sooner, or "
                "then does it with fewer pauses."
            )
        names = [stage.name for stage in result.objective]
        if names and names[0].startswith("stability"):
            return (
                f"Solver: **OPTIMAL** in {seconds}: no plan that does each issue in one stretch keeps more of the "
                "last plan, then makes P0 work less late, then P1, P2 and P3 work, or then finishes it sooner."
            )
        kept = ", keeps more of the last plan" if any(name.startswith("stability") for name in names) else ""
        return (
            f"Solver: **OPTIMAL** in {seconds}: no plan that does each issue in one stretch makes P0 work less "
            f"late, then P1, P2 and P3 work{kept}, or then finishes it sooner."
        )
    if result.status == SolveStatus.FEASIBLE:
        return (
            f"Solver: **FEASIBLE** in {seconds}, not proven optimal (gap {result.gap:.1%}): a better plan may exist; "
            "give the solver more time to close the gap."
        )
    return f"Solver: **{result.status.value}** after {seconds}."


def _header(view: PlanView, first: date, last: date) -> list[Block]:
    result = view.result
    planned = view.planned
    team = ", ".join(f"{owner.id} {fmt.hours(owner.hours_per_day)}/day" for owner in view.request.owners)
    counts = (
        f"{fmt.plural(len(planned), 'issue')} planned ({fmt.hours(sum(i.hours for i in planned))}) for "
        f"{fmt.plural(len(view.request.owners), 'owner')} ({team})"
    )
    done = sum(1 for issue in result.issues if issue.status == IssueStatus.DONE)
    if done:
        counts += f"; {done} already done"
    if view.unplanned:
        counts += f"; {fmt.plural(len(view.unplanned), 'issue')} without an estimate, not planned (see Risks)"
    blocks: list[Block] = [
        Heading(1, f"Week plan {first.isoformat()} to {last.isoformat()}"),
        Paragraph(f"Plan from {fmt.day(view.start_date)}: {counts}."),
        Paragraph(_solver_sentence(result)),
    ]
    if not view.working_time.team.is_working(view.start_date):
        working = view.working_time.first_team_working_days(view.start_date, 1)
        if working:
            blocks.append(
                Paragraph(f"{fmt.day(view.start_date)} is not a working day: work starts {fmt.day(working[0])}.")
            )
    return blocks


# --- overview ----------------------------------------------------------------------------------------------


def _load_cell(standing: MilestoneStanding) -> str:
    milestone = standing.milestone
    capacity = milestone.capacity_hours_before_due
    if capacity is None:
        return f"{fmt.hours(milestone.work_hours)} / no due date"
    if capacity == 0:
        return f"{fmt.hours(milestone.work_hours)} / 0 h (due date passed)"
    return f"{fmt.hours(milestone.work_hours)} / {fmt.hours(capacity)} ({fmt.percent(milestone.work_hours, capacity)})"


def _overview(view: PlanView, rows: list[MilestoneStanding]) -> list[Block]:
    table = Table(
        header=["Milestone", "Due", "Projected finish", "Status", "Work / capacity to due", "Issues"],
        rows=[
            [
                view.milestone_name(s.milestone.id),
                fmt.day(s.milestone.due) if s.milestone.due else "—",
                fmt.day(s.milestone.projected_finish) if s.milestone.projected_finish else "—",
                f"**{s.standing.value}**" + (f": {'; '.join(s.reasons)}" if s.reasons else ""),
                _load_cell(s),
                str(s.milestone.issues),
            ]
            for s in rows
        ],
    )
    note = Paragraph(
        "Work is the milestone's estimated hours still to do; capacity is what the whole team can work from the "
        "plan start to the end of the due date."
    )
    return [Heading(2, "Overview"), table, note]


# --- day by day --------------------------------------------------------------------------------------------


def _day_by_day(view: PlanView, first: date, last: date) -> list[Block]:
    rows = day_rows(view, first, last)
    table = Table(
        header=["Date", "Owner", "Time", "Issue", "Hours", "Completes"],
        rows=[
            [
                fmt.day(row.slot.day),
                row.slot.owner,
                fmt.span(row.slot.slot.start, row.slot.ends),
                " ".join(filter(None, [_label(row.slot.issue), f"({row.slot.part})" if row.slot.part else ""])),
                fmt.number(row.slot.slot.hours),
                "; ".join(row.completes) or "",
            ]
            for row in rows
        ],
        right=frozenset({4}),
    )
    blocks: list[Block] = [Heading(2, f"Day by day, {fmt.day(first)} to {fmt.day(last)}")]
    blocks.append(table if rows else Paragraph("No work is planned in these days."))
    days = [first + timedelta(days=offset) for offset in range((last - first).days + 1)]
    off = [day for day in days if not view.working_time.team.is_working(day)]
    total = sum(row.slot.slot.hours for row in rows)
    summary = f"{fmt.hours(total)} planned in these {fmt.plural(len(days), 'day')}"
    if off:
        summary += f"; no team work on {fmt.listed([fmt.day(day) for day in off])} (not working days)"
    blocks.append(Paragraph(summary + "."))
    blocks += _load_table(view, days)
    idle = idle_lines(view, first, last)
    if idle:
        blocks += [Heading(3, "Idle working time, and why"), Bullets(idle)]
    return blocks


def _load_table(view: PlanView, days: Sequence[date]) -> list[Block]:
    """Hours planned against capacity, per owner and day (only days someone works)."""
    owners = view.request.owners
    planned: dict[tuple[str, date], float] = {}
    for row in view.slots_between(days[0], days[-1]):
        planned[(row.owner, row.day)] = planned.get((row.owner, row.day), 0.0) + row.slot.hours
    worked = [day for day in days if any(view.working_time.owner_works(owner.id, day) for owner in owners)]
    if not worked:
        return []

    def cell(owner_id: str, hours_per_day: float, day: date) -> tuple[float, float]:
        capacity = hours_per_day if view.working_time.owner_works(owner_id, day) else 0.0
        return planned.get((owner_id, day), 0.0), capacity

    if len(owners) <= _WIDE_LOAD_OWNERS:
        with_team = len(owners) > 1
        header = ["Date", *[owner.id for owner in owners], *(["Team"] if with_team else [])]
        rows = []
        for day in worked:
            cells = [cell(owner.id, owner.hours_per_day, day) for owner in owners]
            if with_team:
                cells.append((sum(p for p, _ in cells), sum(c for _, c in cells)))
            rows.append([fmt.day(day), *[f"{fmt.number(p)} / {fmt.number(c)}" for p, c in cells]])
        table = Table(header=header, rows=rows, right=frozenset(range(1, len(header))))
    else:
        rows = []
        for day in worked:
            for owner in owners:
                hours, capacity = cell(owner.id, owner.hours_per_day, day)
                if capacity or hours:
                    rows.append([fmt.day(day), owner.id, fmt.number(hours), fmt.number(capacity)])
        table = Table(header=["Date", "Owner", "Planned h", "Capacity h"], rows=rows, right=frozenset({2, 3}))
    return [Heading(3, "Load per owner and day (planned h / capacity h)"), table]


# --- priorities --------------------------------------------------------------------------------------------


def _notes(view: PlanView, issue: IssuePlan) -> str:
    """Why an issue matters now: lateness, what it unblocks, what it waits for."""
    notes: list[str] = []
    if issue.late and issue.deadline is not None:
        notes.append(f"late {fmt.plural(issue.lateness_working_days, 'working day')} (due {fmt.day(issue.deadline)})")
    elif issue.deadline is not None:
        notes.append(f"due {fmt.day(issue.deadline)}")
    unblocks = [d for d in view.dependents.get(issue.id, []) if d in view.issues]
    if unblocks:
        notes.append(f"unblocks {fmt.listed(unblocks)}")
    waits = [
        dependency.issue + (f" +{fmt.plural(dependency.lag_days, 'working day')}" if dependency.lag_days else "")
        for dependency in view.requested[issue.id].depends_on
    ]
    if waits:
        notes.append(f"after {fmt.listed(waits)}")
    return "; ".join(notes)


def _tier_blocks(view: PlanView, tier: Tier) -> list[Block]:
    names = {
        "now": "Now: the next two working days",
        "this week": "This week",
        "later": "Later",
    }
    period = f"{fmt.day(tier.first)} to {fmt.day(tier.last)}" if tier.last else f"from {fmt.day(tier.first)}"
    total = sum(issue.hours for issue in tier.issues)
    heading = Heading(3, f"{names[tier.name]} ({period}): {fmt.plural(len(tier.issues), 'issue')}, {fmt.hours(total)}")
    if not tier.issues:
        return [heading, Paragraph("Nothing starts in this period.")]
    shown = tier.issues[:_TIER_ROWS]
    table = Table(
        header=["Issue", "Milestone", "Owner", "Hours", "Start", "Finish", "Notes"],
        rows=[
            [
                _label(issue),
                view.milestone_name(issue.milestone),
                issue.owner or "",
                fmt.number(issue.hours),
                fmt.instant(issue.start) if issue.start else "",
                fmt.instant(issue.finish) if issue.finish else "",
                _notes(view, issue),
            ]
            for issue in shown
        ],
        right=frozenset({3}),
    )
    blocks: list[Block] = [heading, table]
    if len(tier.issues) > len(shown):
        blocks.append(Paragraph(f"… and {len(tier.issues) - len(shown)} more issues (see the CSV of slots)."))
    return blocks


def _unplanned_by_milestone(view: PlanView) -> list[str]:
    """'Miyabi Reconstruction: #969 (P1), #971 (P0)' per milestone with unestimated issues."""
    groups: dict[str | None, list[IssuePlan]] = {}
    for issue in view.unplanned:
        groups.setdefault(issue.milestone, []).append(issue)
    return [
        f"{view.milestone_name(milestone)}: " + fmt.listed([f"{i.id} ({i.priority.value})" for i in issues])
        for milestone, issues in groups.items()
    ]


def _priorities(view: PlanView) -> list[Block]:
    blocks: list[Block] = [
        Heading(2, "Priorities"),
        Paragraph("Tiers follow the plan: an issue belongs to the period in which its work starts."),
    ]
    for tier in tiers(view):
        blocks += _tier_blocks(view, tier)
    if view.unplanned:
        blocks.append(Heading(3, f"Needs an estimate first: {fmt.plural(len(view.unplanned), 'issue')}"))
        blocks.append(Bullets(_unplanned_by_milestone(view)))
    return blocks


# --- risks -------------------------------------------------------------------------------------------------


def _capacity_risk(view: PlanView, standing: MilestoneStanding) -> str | None:
    milestone = standing.milestone
    capacity = milestone.capacity_hours_before_due
    ratio = standing.due_load_ratio
    name = view.milestone_name(milestone.id)
    if milestone.due is None or standing.standing == Standing.DONE:
        return None
    if capacity == 0 and milestone.work_hours > 0:
        return (
            f"**{name} is past due** ({fmt.day(milestone.due)}): {fmt.hours(milestone.work_hours)} of its work "
            "is left and no capacity remains before its due date."
        )
    if ratio is None or ratio <= 1:
        return None
    shares: dict[str, float] = {}
    for issue in view.result.issues:
        if issue.status == IssueStatus.PLANNED and issue.deadline is not None and issue.deadline <= milestone.due:
            key = view.milestone_name(issue.milestone) if issue.milestone else "no milestone"
            shares[key] = shares.get(key, 0.0) + issue.hours
    parts = [f"{key} {fmt.hours(value)}" for key, value in sorted(shares.items(), key=lambda kv: -kv[1])]
    text = (
        f"**Capacity before {name} is due ({fmt.day(milestone.due)}):** {fmt.hours(standing.work_due_hours)} of "
        f"estimated work is due by then ({', '.join(parts)}) against {fmt.hours(capacity or 0)} of team capacity "
        f"from {fmt.day(view.start_date)}: ratio {fmt.ratio(ratio)}, "
        f"{fmt.hours(standing.work_due_hours - (capacity or 0))} cannot fit."
    )
    if milestone.load_ratio is not None and milestone.load_ratio > 1:
        own = fmt.hours(milestone.work_hours)
        text += f" Its own {own} alone are {fmt.ratio(milestone.load_ratio)} times the capacity."
    return text


def _chain_text(steps: Sequence[ChainStep]) -> str:
    parts: list[str] = []
    for position, step in enumerate(steps):
        if position:
            if step.held_by == Link.LAG:
                parts.append(f"waits {fmt.plural(step.lag_days, 'working day')}")
            elif step.held_by == Link.OWNER_BUSY:
                parts.append(f"{step.issue.owner} busy")
        parts.append(f"{step.issue.id} ({fmt.hours(step.issue.hours)}, {step.issue.owner})")
    return " → ".join(parts)


def _chain_risk(view: PlanView, standing: MilestoneStanding) -> str | None:
    milestone = standing.milestone
    if not milestone.late or milestone.projected_finish is None:
        return None
    steps = milestone_chain(view, milestone.id)
    if not steps:
        return None
    last = steps[-1].issue
    work = sum(step.issue.hours for step in steps)
    first = steps[0]
    start_note = (
        f"{first.issue.id} starts at its earliest possible moment"
        if first.held_by == Link.EARLIEST
        else f"{first.issue.id} starts {fmt.instant(first.issue.start)}" if first.issue.start else ""
    )
    finish = fmt.instant(last.finish) if last.finish else fmt.day(milestone.projected_finish)
    return (
        f"**Binding chain of {view.milestone_name(milestone.id)}** (finishes {finish}, "
        f"{fmt.plural(milestone.lateness_working_days, 'working day')} late): {_chain_text(steps)}. "
        f"{fmt.hours(work)} of work in {fmt.plural(len(steps), 'issue')}; {start_note}. "
        "It finishes sooner only if this chain gets shorter: less work on its issues, a shorter wait, "
        "or another owner where the owner is busy."
    )


def _unplanned_risk(view: PlanView) -> str | None:
    if not view.unplanned:
        return None
    urgent = [i.id for i in view.unplanned if i.priority.rank <= 1]
    text = (
        f"**{fmt.plural(len(view.unplanned), 'issue')} without an estimate** are in no number above; "
        "estimate them to see their effect."
    )
    if urgent:
        text += f" P0/P1 among them: {fmt.listed(urgent)}."
    return text


def _risks(view: PlanView, rows: list[MilestoneStanding]) -> list[Block]:
    items = [text for standing in rows if (text := _capacity_risk(view, standing))]
    items += [text for standing in rows if (text := _chain_risk(view, standing))]
    unplanned = _unplanned_risk(view)
    if unplanned:
        items.append(unplanned)
    items += [w.message for w in view.result.warnings if w.code not in _COVERED_WARNINGS]
    if view.result.status == SolveStatus.FEASIBLE:
        items.append(f"The plan is not proven optimal (gap {view.result.gap:.1%}).")
    return [Heading(2, "Risks"), Bullets(items, numbered=True) if items else Paragraph("No risk found in the plan.")]


# --- success criteria --------------------------------------------------------------------------------------


def _goal_blocks(view: PlanView, goal: WeekGoal) -> list[Block]:
    heading = Heading(3, f"Week {goal.week} ({fmt.day(goal.first)} to {fmt.day(goal.last)})")
    rows = []
    nothing_estimated = []
    for progress in goal.progress:
        name = view.milestone_name(progress.milestone.id) if progress.milestone else "No milestone"
        if progress.hours == 0 and not progress.closed:
            nothing_estimated.append(name)
            continue
        closed_ids = [issue.id for issue in progress.closed]
        rows.append(
            [
                name,
                f"{len(progress.closed)}/{progress.issues}",
                fmt.percent(len(progress.closed), progress.issues),
                f"{fmt.percent(progress.closed_hours, progress.hours)} "
                f"({fmt.number(progress.closed_hours)}/{fmt.number(progress.hours)} h)",
                fmt.listed(closed_ids) if closed_ids else "—",
            ]
        )
    blocks: list[Block] = [heading]
    if rows:
        blocks.append(
            Table(
                header=["Milestone", "Issues closed", "Share of issues", "Share of estimated hours", "Closed"],
                rows=rows,
                right=frozenset({1, 2}),
            )
        )
    closing = [f"{issue.id} on {fmt.day(view.finish_date(issue) or goal.last)}" for issue in goal.closing]
    closing_text = fmt.listed(closing) if closing else "none"
    blocks.append(Paragraph(f"Closing during week {goal.week}: {closing_text}."))
    if nothing_estimated:
        blocks.append(
            Paragraph(f"Nothing of {fmt.listed(nothing_estimated)} can close yet: none of their issues is estimated.")
        )
    return blocks


def _success(view: PlanView) -> list[Block]:
    blocks: list[Block] = [
        Heading(2, "Success criteria"),
        Paragraph("Shares count closed issues (done, or finished by the week's last day) against all issues."),
    ]
    for week in GOAL_WEEKS:
        blocks += _goal_blocks(view, week_goal(view, week))
    return blocks


# --- whole document ----------------------------------------------------------------------------------------


def _unscheduled(result: PlanResult) -> list[Block]:
    """One line per reason issues are unscheduled, with their count, hours and ids (a result without a plan)."""
    by_reason: dict[str, list[IssuePlan]] = {}
    for issue in result.issues:
        if issue.status == IssueStatus.UNSCHEDULED:
            by_reason.setdefault(issue.unscheduled_reason or "no plan", []).append(issue)
    return [
        Paragraph(
            f"{fmt.plural(len(issues), 'issue')} ({fmt.hours(sum(i.hours for i in issues))}) "
            f"{'is' if len(issues) == 1 else 'are'} unscheduled: {reason} ({fmt.listed([i.id for i in issues])})."
        )
        for reason, issues in by_reason.items()
    ]


def _no_plan(view: PlanView) -> list[Block]:
    result = view.result
    blocks: list[Block] = [
        Heading(1, f"No plan from {fmt.day(view.start_date)}"),
        Paragraph(_solver_sentence(result)),
        *_unscheduled(result),
    ]
    if result.infeasibility:
        blocks += [Heading(2, "Conflicting constraints"), Bullets(result.infeasibility)]
    blocks += recommendation_blocks(result.recommendations)
    if result.warnings:
        blocks += [Heading(2, "Warnings"), Bullets([warning.message for warning in result.warnings])]
    return blocks


def week_plan_blocks(view: PlanView, days: int = DEFAULT_DAYS) -> list[Block]:
    """The whole week plan as document blocks; `days` calendar days from the start go in the day table."""
    if view.result.status in (SolveStatus.INFEASIBLE, SolveStatus.UNKNOWN):
        return _no_plan(view)
    first = view.start_date
    last = first + timedelta(days=max(days, 1) - 1)
    rows = standings(view)
    return [
        *_header(view, first, last),
        *_overview(view, rows),
        *change_blocks(view.result),
        *forecast_blocks(view),
        *_day_by_day(view, first, last),
        *_priorities(view),
        *_risks(view, rows),
        *recommendation_blocks(view.result.recommendations),
        *_success(view),
    ]
