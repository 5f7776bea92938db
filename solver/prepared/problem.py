"""PreparedProblem preparation: turn a validated request into tasks, pooled resources, clocks and day tables.

Owners with identical calendars, hours and skills (and no pins) are pooled into one resource of capacity k,
which keeps big agent fleets tractable; each pool is split back onto its owners after solving.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from itertools import islice

from api_schemas.common import UNITS_PER_DAY, UNITS_PER_HOUR
from api_schemas.request import Issue, Owner, PlanRequest
from api_schemas.result import PlanForm, PlanWarning
from solver.budget.constants import LARGE_MODEL_TASKS
from solver.calendars.clock import Clock
from solver.calendars.working_time import OwnerCalendar, TeamCalendar
from solver.intake.limits import MAX_SOLVER_HORIZON_DAYS
from solver.prepared.baseline import BaselinePlace, baseline_owners, fixed_owners, units_before, with_baseline
from solver.prepared.rules import release_team_day

#: Horizons up to this many days are always searched in full (the serial bound), so OPTIMAL is exact there;
#: longer serial bounds are cut to the greedy plan's length plus half. The model's size hardly depends on the
#: horizon (calendar facts cost a literal per holiday or day off in it), but the LP bounds of the finish levels
#: weaken with very long domains.
EXACT_HORIZON_DAYS = 366


@dataclass(frozen=True)
class Resource:
    """Identical owners scheduled as one cumulative resource (a single owner has capacity 1)."""

    index: int
    owner_ids: tuple[str, ...]
    clock: int
    skills: frozenset[str]

    @property
    def capacity(self) -> int:
        """How many issues the resource can work on at once."""
        return len(self.owner_ids)


@dataclass(frozen=True)
class PieceRule:
    """How a task may be split (docs/model.md, "Interruptible work"), the one reading of it on the solver side.

    `most` pieces, each at least `shortest` units when there are several; `most` is 1 when the issue is not
    splittable or too short for two pieces. The model, the start plans, the neighbourhoods and the results read it.
    """

    most: int = 1
    shortest: int = 0
    #: The issue is splittable and pieces are searched (even when too short to split): the plan's form is pieces.
    allowed: bool = False

    @property
    def splits(self) -> bool:
        """True when the task may have more than one piece."""
        return self.most > 1


@dataclass(frozen=True)
class Task:
    """An issue with work left, in solver units; narrowed versions are copies (`dataclasses.replace`)."""

    index: int
    issue: Issue
    work: int
    rank: int
    resources: tuple[int, ...]
    release: int = 0
    pinned_day: int | None = None
    hard_deadline_day: int | None = None
    deadline: date | None = None
    preds: list[tuple[int, int]] = field(default_factory=list)
    #: (lag, instant): the release `lag` team working days after this task must come by `instant`, the start of
    #: a successor held fixed (sub-problems of a neighbourhood search only, `solver.search.neighbourhood`).
    release_limits: list[tuple[int, int]] = field(default_factory=list)
    pieces: PieceRule = PieceRule()
    #: Where the baseline placed this issue (docs/model.md, "Living plans"); None without one.
    baseline: BaselinePlace | None = None
    #: Local start unit on its only resource when its placement is fixed (in progress or frozen), else None.
    fixed_start: int | None = None
    #: Why it is fixed: "in_progress" or "frozen".
    fixed_reason: str | None = None
    #: The least (reassigned, moved, shift) any plan gives it against its baseline place (`prepared.baseline`).
    baseline_floor: tuple[int, int, int] = (0, 0, 0)


@dataclass
class _DayTables:
    """The team's working-day counts over one horizon, filled on first use; `key` says which (team, start, horizon)."""

    key: tuple[object, ...] = ()
    before: list[int] = field(default_factory=list)
    through: dict[date, int] = field(default_factory=dict)
    lateness: dict[date, list[int]] = field(default_factory=dict)
    lag_shifts: dict[int, list[int]] = field(default_factory=dict)


@dataclass(frozen=True)
class PreparedProblem:
    """Everything the model, the greedy planner and the result builder share; frozen: narrowed versions are copies.

    Only its day tables fill in, on first use, shared by copies with the same team, start and horizon (counted once).
    """

    request: PlanRequest
    team: TeamCalendar
    owner_calendars: dict[str, OwnerCalendar]
    horizon_days: int
    horizon_capped: bool
    clocks: list[Clock]
    resources: list[Resource]
    tasks: list[Task]
    warnings: list[PlanWarning]
    #: True when the search space was narrowed beyond docs/model.md (e.g. candidate owners limited).
    restricted: bool = False
    #: Units between the starts the model considers (`time_grain`); 1 considers every quarter hour.
    grain: int = 1
    #: Per resource, local (start, end) spans taken by work held fixed, one owner each (sub-problems only).
    busy: dict[int, list[tuple[int, int]]] = field(default_factory=dict)
    _tables: _DayTables = field(default_factory=_DayTables, repr=False, compare=False)

    def __post_init__(self) -> None:
        """Keep the day tables of the problem this one copies when they still apply, else start new ones."""
        key = (self.team, self.start, self.horizon_days)
        if self._tables.key != key:
            object.__setattr__(self, "_tables", _DayTables(key))

    @property
    def form(self) -> PlanForm:
        """The form of schedule searched: pieces when some task may be split, else one unbroken stretch each."""
        return PlanForm.PIECES if any(task.pieces.allowed for task in self.tasks) else PlanForm.UNBROKEN

    @property
    def start(self) -> date:
        """The plan's first date."""
        return self.request.start_date

    def date_of(self, day: int) -> date:
        """Date of day index `day`."""
        return self.start + timedelta(days=day)

    def day_index(self, day: date) -> int:
        """Day index of `day` (negative before the start)."""
        return (day - self.start).days

    def lateness_table(self, task: Task) -> list[int] | None:
        """Working-day lateness of `task` for each possible finish day, or None without a deadline."""
        if task.deadline is None:
            return None
        deadline = task.deadline
        tables = self._tables.lateness
        if deadline not in tables:
            through_deadline = self.team_days_through(deadline)
            table = []
            for day in range(self.horizon_days):
                if self.date_of(day) <= deadline:
                    table.append(0)
                else:
                    on_team_day = self.team_days_before(day + 1) > self.team_days_before(day)
                    table.append(self.team_days_before(day + 1) - through_deadline + (0 if on_team_day else 1))
            tables[deadline] = table
        return tables[deadline]

    def team_day_indices(self) -> list[int]:
        """Team working days (day indices) over the horizon and far enough past it for the longest lag."""
        longest_lag = max(
            (lag for task in self.tasks for lag, _ in [*task.preds, *((lag, 0) for lag, _ in task.release_limits)]),
            default=0,
        )
        days = [d for d in range(self.horizon_days) if self.team.is_working(self.date_of(d))]
        needed, day = len(days) + longest_lag + 1, self.horizon_days
        while len(days) < needed and day < self.horizon_days + MAX_SOLVER_HORIZON_DAYS:
            if self.team.is_working(self.date_of(day)):
                days.append(day)
            day += 1
        return days

    def clocks_off_team_days(self) -> set[int]:
        """Clocks that work some day in the horizon that the team does not (7-day agents, holiday workers)."""
        team_days = {d for d in range(self.horizon_days) if self.team.is_working(self.date_of(d))}
        return {index for index, clock in enumerate(self.clocks) if not team_days.issuperset(clock.working_days)}

    def team_days_before(self, day: int) -> int:
        """Team working days from the start up to, not including, day index `day` (cached table)."""
        before = self._tables.before
        if not before:
            count = 0
            for d in range(self.horizon_days + 1):
                before.append(count)
                count += self.team.is_working(self.date_of(d))
        return before[day]

    def team_time(self, end_instant: int) -> int:
        """Finish instant in team time (docs/model.md): team working days before its date, plus its clock time."""
        day = (end_instant - 1) // UNITS_PER_DAY
        clock = end_instant - day * UNITS_PER_DAY
        on_team_day = self.team.is_working(self.date_of(day))
        return UNITS_PER_DAY * self.team_days_before(day) + (clock if on_team_day else 0)

    def team_days_through(self, day: date) -> int:
        """Team working days from the start to `day` inclusive (minus those after `day` when it is earlier)."""
        through = self._tables.through
        if day not in through:
            through[day] = self.team.signed_working_days(self.start - timedelta(days=1), day)
        return through[day]

    def lag_shift_table(self, lag: int) -> list[int]:
        """Days from each end day to the day a successor waiting `lag` team working days is released (cached per lag).

        The day is the one `solver.prepared.rules.release_team_day` names; `rules.released_after` reads this table.
        """
        shifts = self._tables.lag_shifts
        if lag not in shifts:
            before = self.team_days_before
            first = self.start - timedelta(days=1)
            needed = before(self.horizon_days) + lag
            team_days = [self.day_index(day) for day in islice(self.team.working_days_after(first), needed)]
            shifts[lag] = [
                team_days[release_team_day(before(d), before(d + 1) - before(d), lag)] - d
                for d in range(self.horizon_days)
            ]
        return shifts[lag]


def deadline_of(issue: Issue, due_dates: dict[str, date | None]) -> date | None:
    """The issue's deadline, else its milestone's due date."""
    if issue.deadline is not None:
        return issue.deadline
    return due_dates.get(issue.milestone) if issue.milestone else None


def prepare(
    request: PlanRequest,
    horizon_hint_days: int | None = None,
    split: bool = True,
    horizon: tuple[int, bool] | None = None,
) -> PreparedProblem:
    """Build the solver's view of a validated request: calendars, owner pools, horizon, resources, tasks, grain.

    `horizon_hint_days`, the end of a known plan (the greedy one), caps a horizon past a year (`_horizon`);
    `horizon` (days, capped) sets it instead. `split=False` keeps every task in one piece (form unbroken) and
    pools owners, as with splitting off: the unbroken twin of a problem in pieces (`solver.planner`).
    """
    team = TeamCalendar(request.calendar)
    calendars = {owner.id: OwnerCalendar(owner, team) for owner in request.owners}
    works = _work_left(request)
    apart = _owners_of_pieces(request, works) if split else set()
    pools = _pool_owners(request, calendars, apart, full_model_size(works))
    eligible = {issue.id: _eligible_pools(issue, pools) for issue in request.issues}
    if horizon is None:
        horizon = _horizon(_serial_bound_days(request, team, pools, calendars, eligible, works), horizon_hint_days)
    days, capped = horizon
    clocks, resources = _clocks_and_resources(request.start_date, pools, calendars, days)
    tasks = _tasks(request, works, eligible)
    if not split:
        tasks = [replace(task, pieces=PieceRule(1, task.work)) for task in tasks]
    problem = PreparedProblem(
        request=request,
        team=team,
        owner_calendars=calendars,
        horizon_days=days,
        horizon_capped=capped,
        clocks=clocks,
        resources=resources,
        tasks=tasks,
        warnings=[*_horizon_warnings(days, capped), *_unplanned_warnings(request, works, tasks)],
    )
    problem = with_baseline(problem)
    return replace(problem, grain=time_grain(problem))


def _calendar_key(owner: Owner, calendar: OwnerCalendar) -> tuple[object, ...]:
    return (
        calendar.units_per_day,
        calendar.window_start_units,
        calendar.weekdays,
        calendar.days_off,
        calendar.works_holidays,
        frozenset(owner.skills),
    )


def may_split(request: PlanRequest) -> bool:
    """Whether some planned issue may be split (more than one piece; docs/model.md, rule 4)."""
    works = _work_left(request)
    return any(piece_rule(issue, request, works[issue.id]).splits for issue in request.issues if works.get(issue.id))


def _owners_of_pieces(request: PlanRequest, works: dict[str, int]) -> set[str]:
    """Owners who may work on an issue that may be split: they are not pooled.

    A pool's cumulative cannot keep one issue's pieces on one of its owners, so every owner such an issue may go to
    is its own resource; owners only unsplit issues can have stay pooled.
    """
    apart: set[str] = set()
    for issue in request.issues:
        if works.get(issue.id) and piece_rule(issue, request, works[issue.id]).splits:
            needed = set(issue.skills)
            apart |= {
                owner.id
                for owner in request.owners
                if needed <= set(owner.skills) and issue.pinned_owner in (None, owner.id)
            }
    return apart


def full_model_size(works: dict[str, int]) -> bool:
    """Whether the plan's search is the full model: up to `LARGE_MODEL_TASKS` planned issues."""
    return sum(1 for left in works.values() if left) <= LARGE_MODEL_TASKS


def piece_rule(issue: Issue, request: PlanRequest, work: int) -> PieceRule:
    """The issue's piece rule: its own `splittable`, `min_chunk_hours` and `max_pieces`, else the request's."""
    options = request.options
    hours = issue.min_chunk_hours if issue.min_chunk_hours is not None else options.min_chunk_hours
    shortest = min(round(hours * UNITS_PER_HOUR), work)
    most = issue.max_pieces if issue.max_pieces is not None else options.max_pieces
    if not issue.splits(options) or shortest <= 0:
        return PieceRule(1, work)
    return PieceRule(max(1, min(most, work // shortest)), shortest, allowed=True)


def _pool_owners(
    request: PlanRequest,
    calendars: dict[str, OwnerCalendar],
    apart: set[str] | frozenset[str] = frozenset(),
    full_model: bool = True,
) -> list[list[Owner]]:
    """Group interchangeable owners; pinned owners, owners of fixed work and the owners `apart` stay alone.

    With the `full_model` (up to `LARGE_MODEL_TASKS` planned issues), owners of baseline work stay alone too: its
    levels are proven there, and reassigned is exact only on single owners (docs/model.md, "Living plans").
    """
    pinned = {issue.pinned_owner for issue in request.issues if issue.pinned_owner} | fixed_owners(request)
    if full_model:
        pinned |= baseline_owners(request)
    groups: dict[tuple[object, ...], list[Owner]] = {}
    singles: list[list[Owner]] = []
    for owner in request.owners:
        if owner.id in apart or owner.id in pinned:
            singles.append([owner])
        else:
            groups.setdefault(_calendar_key(owner, calendars[owner.id]), []).append(owner)
    return [*groups.values(), *singles]


def _work_left(request: PlanRequest) -> dict[str, int]:
    """Units of work left per estimated issue (0 when done); issues without an estimate are left out."""
    return {
        issue.id: round(hours * UNITS_PER_HOUR) for issue in request.issues if (hours := issue.work_hours) is not None
    }


def _eligible_pools(issue: Issue, pools: list[list[Owner]]) -> list[int]:
    """Indices of the pools whose owners have the issue's skills (only its pinned owner's, when it has one)."""
    needed = set(issue.skills)
    return [
        index
        for index, pool in enumerate(pools)
        if needed <= set(pool[0].skills) and (issue.pinned_owner is None or pool[0].id == issue.pinned_owner)
    ]


def _serial_bound_days(
    request: PlanRequest,
    team: TeamCalendar,
    pools: list[list[Owner]],
    calendars: dict[str, OwnerCalendar],
    eligible: dict[str, list[int]],
    works: dict[str, int],
) -> int:
    """Days enough for any schedule that never waits without reason: all work done one issue after another.

    Stops counting past `MAX_SOLVER_HORIZON_DAYS` (the horizon's cap), so a huge backlog cannot run past the last date.
    """
    start = request.start_date
    latest = start
    for issue in request.issues:
        for day in (issue.not_before, issue.pinned_start):
            if day is not None and day > latest:
                latest = day
    cursor = latest
    for issue in _dependencies_first(request.issues):
        work = works.get(issue.id)
        if not work:
            continue
        lag = max((dep.lag_days for dep in issue.depends_on), default=0)
        if lag:
            cursor = team.nth_working_day_after(cursor, lag)
        finish = cursor
        for pool in eligible[issue.id]:
            calendar = calendars[pools[pool][0].id]
            # Count from the next day: work may start late on the cursor day.
            day, left, guard = cursor + timedelta(days=1), work, 0
            while True:
                if calendar.is_working(day):
                    left -= calendar.units_per_day
                    if left <= 0:
                        break
                day += timedelta(days=1)
                guard += 1
                if guard > MAX_SOLVER_HORIZON_DAYS:
                    break
            finish = max(finish, day)
        cursor = finish
        if (cursor - start).days + 2 > MAX_SOLVER_HORIZON_DAYS:
            break
    return (cursor - start).days + 2


def _dependencies_first(issues: list[Issue]) -> list[Issue]:
    """The issues in request order, except that each comes after the issues it depends on.

    The serial bound needs it: an issue waiting (with a lag) for one listed after it would otherwise not be counted
    after that one's work and lag (found by the exhaustive search: a horizon two days short, reported INFEASIBLE).
    """
    position = {issue.id: index for index, issue in enumerate(issues)}
    waiting = [{position[d.issue] for d in issue.depends_on if d.issue in position} for issue in issues]
    dependents: list[list[int]] = [[] for _ in issues]
    for index, needed in enumerate(waiting):
        for other in needed:
            dependents[other].append(index)
    ready = [index for index, needed in enumerate(waiting) if not needed]
    heapq.heapify(ready)
    ordered: list[int] = []
    while ready:
        index = heapq.heappop(ready)
        ordered.append(index)
        for dependent in dependents[index]:
            waiting[dependent].discard(index)
            if not waiting[dependent]:
                heapq.heappush(ready, dependent)
    placed = set(ordered)
    ordered += [index for index in range(len(issues)) if index not in placed]  # a cycle (refused by validation)
    return [issues[index] for index in ordered]


def _horizon(serial_days: int, hint_days: int | None) -> tuple[int, bool]:
    """Days to search and whether that cuts the serial bound: past a year, the hint's length plus half and 7 days."""
    horizon = min(serial_days, MAX_SOLVER_HORIZON_DAYS)
    capped = serial_days > MAX_SOLVER_HORIZON_DAYS
    if hint_days is not None and horizon > EXACT_HORIZON_DAYS:
        cap = hint_days + hint_days // 2 + 7
        if horizon > cap:
            horizon, capped = cap, True
    return horizon, capped


def _clocks_and_resources(
    start: date, pools: list[list[Owner]], calendars: dict[str, OwnerCalendar], horizon: int
) -> tuple[list[Clock], list[Resource]]:
    """One resource per owner pool, on a clock shared by every pool with the same working time over the horizon."""
    clock_index: dict[tuple[int, int, tuple[bool, ...]], int] = {}
    clocks: list[Clock] = []
    resources: list[Resource] = []
    for pool in pools:
        signature = calendars[pool[0].id].signature(start, horizon)
        if signature not in clock_index:
            clock_index[signature] = len(clocks)
            clocks.append(Clock(units_per_day=signature[0], window_start=signature[1], working=signature[2]))
        resources.append(
            Resource(
                index=len(resources),
                owner_ids=tuple(o.id for o in pool),
                clock=clock_index[signature],
                skills=frozenset(pool[0].skills),
            )
        )
    return clocks, resources


def _tasks(request: PlanRequest, works: dict[str, int], eligible: dict[str, list[int]]) -> list[Task]:
    """A task per issue with work left, in request order, with its dates as day indices and its planned predecessors."""
    start = request.start_date
    due_dates = {m.id: m.due for m in request.milestones}
    issues = [issue for issue in request.issues if works.get(issue.id)]
    task_of = {issue.id: index for index, issue in enumerate(issues)}
    tasks = []
    for index, issue in enumerate(issues):
        deadline = deadline_of(issue, due_dates)
        release_day = max((issue.not_before - start).days, 0) if issue.not_before is not None else 0
        tasks.append(
            Task(
                index=index,
                issue=issue,
                work=works[issue.id],
                rank=issue.priority.rank,
                resources=tuple(eligible[issue.id]),
                release=release_day * UNITS_PER_DAY,
                pinned_day=(issue.pinned_start - start).days if issue.pinned_start is not None else None,
                hard_deadline_day=(deadline - start).days if issue.hard_deadline and deadline is not None else None,
                deadline=deadline,
                preds=[(task_of[dep.issue], dep.lag_days) for dep in issue.depends_on if dep.issue in task_of],
                pieces=piece_rule(issue, request, works[issue.id]),
            )
        )
    return tasks


def _horizon_warnings(horizon: int, capped: bool) -> list[PlanWarning]:
    """The `horizon_capped` warning when the horizon cuts the serial bound."""
    if not capped:
        return []
    return [
        PlanWarning(
            code="horizon_capped",
            message=f"The search was limited to {horizon} days from the start (at least half as long again as "
            "a greedy plan): the plan is the best found within them, but a better one needing more days is not "
            "excluded, so it is not claimed optimal.",
        )
    ]


def _unplanned_warnings(request: PlanRequest, works: dict[str, int], tasks: list[Task]) -> list[PlanWarning]:
    """Warnings for the issues without an estimate (not planned), then for the dependencies on them (not enforced)."""
    unplanned = [
        PlanWarning(
            code="unplanned_issue",
            message=f"{issue.id} has no estimate, so it is not planned; estimate it to see its effect.",
            ids=[issue.id],
        )
        for issue in request.issues
        if issue.id not in works
    ]
    dependencies = [
        PlanWarning(
            code="dependency_on_unplanned",
            message=f"{task.issue.id} depends on {dep.issue}, which has no estimate: "
            "the dependency is not enforced until it is estimated.",
            ids=[task.issue.id, dep.issue],
        )
        for task in tasks
        for dep in task.issue.depends_on
        if dep.issue not in works
    ]
    return [*unplanned, *dependencies]


def time_grain(problem: PreparedProblem) -> int:
    """The coarsest step of local start times that loses no schedule's quality (docs/model.md, "Time grain").

    When every estimate, working window and release is a multiple of g units, moving every start down to a
    multiple of g keeps a schedule valid and finishes every issue no later; so the model needs starts on that
    grid only (g = 4, whole hours, for backlogs estimated in hours). The argument needs an earlier finish never
    to release a lag successor later, which fails only for lags after work on days the team does not work:
    then g = 1.
    """
    grain = UNITS_PER_DAY
    for clock in problem.clocks:
        grain = math.gcd(grain, clock.units_per_day, clock.window_start)
    for task in problem.tasks:
        grain = math.gcd(grain, task.work, task.release, task.fixed_start or 0)
        if task.baseline is not None:
            # Starts off the grid could keep a baseline start (or come nearer to it): the grid must hold them.
            on_clocks = {problem.resources[r].clock: problem.resources[r].owner_ids[0] for r in task.resources}
            for clock_index, owner in on_clocks.items():
                grain = math.gcd(grain, units_before(problem, clock_index, owner, task.baseline.instant))
        if task.pieces.splits:
            grain = math.gcd(grain, task.pieces.shortest)
    if grain == 1:
        return 1
    off_team = problem.clocks_off_team_days()
    for task in problem.tasks:
        for pred, lag in task.preds:
            if lag and any(problem.resources[r].clock in off_team for r in problem.tasks[pred].resources):
                return 1
    return grain
