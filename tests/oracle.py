"""Exhaustive-search oracle for tiny plan requests, written from docs/model.md alone.

Every issue that is not splittable is one unbroken stretch of its owner's working time (splittable ones:
`piece_schedules`, every cut into pieces on quarter hours and every order of the pieces). The oracle
enumerates every assignment of issues to eligible owners and every order of the issues, and places the issues
in that order, each at the earliest instant its owner, dates and dependencies allow (a semi-active schedule),
keeping the lexicographically smallest objective. Lateness and finish sums only grow with finish times, so this is
exact except for one twist of the rules: a lag release keeps the predecessor's clock time, so finishing
later (on a day that is not a team working day) can release a lagged successor earlier. For lag
predecessors the oracle also tries those later finishes (see `_start_choices`). It is slow on purpose:
simple enough to be obviously right, for <= ~6 issues.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import holidays

from api_schemas import Issue, Owner, PlanRequest, Priority, Weekday

UNITS_PER_DAY = 96
UNITS_PER_HOUR = 4
LEVELS = 4
#: Weekday numbers as `date.weekday()` counts them (Monday 0).
WEEKDAY_NUMBER = {weekday: number for number, weekday in enumerate(Weekday)}
#: Objective level of each priority (P0 first).
PRIORITY_LEVEL = {priority: level for level, priority in enumerate(Priority)}
#: Oracle gives up looking for a working day this far ahead (a request that never works is a bug).
MAX_SEARCH_DAYS = 3660

#: (P0..P3 lateness in working days, then P0..P3 sum of finish times in team quarter hours).
Objective = tuple[int, int, int, int, int, int, int, int]


def units(hours: float) -> int:
    """Hours as whole quarter hours."""
    return round(hours * UNITS_PER_HOUR)


@dataclass(frozen=True)
class Stretch:
    """Where the list schedule put one issue: owner, start and finish instants (quarter hours since day 0)."""

    owner: str
    start: int
    finish: int

    @property
    def finish_day(self) -> int:
        """Day index of the last slot: an issue ending at 24:00 finishes on that day, not the next."""
        return (self.finish - 1) // UNITS_PER_DAY

    @property
    def finish_clock(self) -> int:
        """Clock time of the finish in quarter hours, in (0, 96]."""
        return self.finish - self.finish_day * UNITS_PER_DAY


@dataclass(frozen=True)
class OracleResult:
    """The best objective over all schedules of the request's form, and one schedule reaching it.

    `pieces` is the pieces level (docs/model.md, Objective level 9): every planned issue's pieces, counted last.
    `runs` holds each issue's pieces as (start, finish) instants.
    """

    objective: Objective
    schedule: dict[str, Stretch]
    pieces: int = 0
    runs: dict[str, tuple[tuple[int, int], ...]] | None = None


class OracleCalendar:
    """Team and owner working days and owner windows, per docs/model.md, with days counted from start_date."""

    def __init__(self, request: PlanRequest) -> None:
        self.request = request
        self.start_date = request.start_date
        calendar = request.calendar
        self.team_weekdays = {WEEKDAY_NUMBER[day] for day in calendar.working_weekdays}
        self.team_holidays = set(calendar.holidays)
        self.workday_start = calendar.workday_start.hour * UNITS_PER_HOUR + calendar.workday_start.minute // 15
        self._country_holidays: dict[int, frozenset[date]] = {}

    def country_holidays(self, year: int) -> frozenset[date]:
        """Public holidays of the calendar's country (and subdivision) in one year."""
        calendar = self.request.calendar
        if calendar.country is None:
            return frozenset()
        if year not in self._country_holidays:
            found = holidays.country_holidays(calendar.country, subdiv=calendar.subdivision, years=year)
            self._country_holidays[year] = frozenset(found)
        return self._country_holidays[year]

    def is_team_holiday(self, day: date) -> bool:
        """A calendar holiday or a public holiday of the country."""
        return day in self.team_holidays or day in self.country_holidays(day.year)

    def is_team_working_day(self, day: date) -> bool:
        """Working weekday of the calendar and no team holiday."""
        return day.weekday() in self.team_weekdays and not self.is_team_holiday(day)

    def is_owner_working_day(self, owner: Owner, day: date) -> bool:
        """Owner's weekday, not a day off, and no team holiday unless the owner works holidays."""
        weekdays = {WEEKDAY_NUMBER[d] for d in owner.working_weekdays} if owner.working_weekdays else self.team_weekdays
        if day.weekday() not in weekdays or day in owner.days_off:
            return False
        return owner.works_holidays or not self.is_team_holiday(day)

    def window(self, owner: Owner) -> tuple[int, int]:
        """Daily window [begin, end) in quarter hours; moved earlier when it would pass midnight."""
        length = units(owner.hours_per_day)
        begin = self.workday_start if self.workday_start + length <= UNITS_PER_DAY else UNITS_PER_DAY - length
        return begin, begin + length

    def date_of(self, day_index: int) -> date:
        """The date of a day index (0 is start_date)."""
        return self.start_date + timedelta(days=day_index)

    def index_of(self, day: date) -> int:
        """The day index of a date."""
        return (day - self.start_date).days

    def next_owner_day(self, owner: Owner, after: int) -> int:
        """The first owner working day strictly after day index `after`."""
        for day in range(after + 1, after + 1 + MAX_SEARCH_DAYS):
            if self.is_owner_working_day(owner, self.date_of(day)):
                return day
        raise RuntimeError(f"owner {owner.id} has no working day within {MAX_SEARCH_DAYS} days")

    def earliest_start(self, owner: Owner, instant: int) -> int:
        """The earliest instant >= `instant` (and >= 0) inside one of the owner's windows."""
        instant = max(instant, 0)
        begin, end = self.window(owner)
        day = instant // UNITS_PER_DAY
        if self.is_owner_working_day(owner, self.date_of(day)) and instant % UNITS_PER_DAY < end:
            return max(instant, day * UNITS_PER_DAY + begin)
        return self.next_owner_day(owner, day) * UNITS_PER_DAY + begin

    def run(self, owner: Owner, start: int, work: int) -> int:
        """Finish instant of `work` quarter hours done from `start` (inside a window) through the next windows."""
        begin, end = self.window(owner)
        day, position = start // UNITS_PER_DAY, start
        while True:
            available = day * UNITS_PER_DAY + end - position
            if work <= available:
                return position + work
            work -= available
            day = self.next_owner_day(owner, day)
            position = day * UNITS_PER_DAY + begin

    def release(self, finish: Stretch, lag_days: int) -> int:
        """Earliest start after a predecessor: its finish, or its clock time on the lag-th team working day after."""
        if lag_days == 0:
            return finish.finish
        day = self.date_of(finish.finish_day)
        counted = 0
        while counted < lag_days:
            day += timedelta(days=1)
            if self.is_team_working_day(day):
                counted += 1
        return self.index_of(day) * UNITS_PER_DAY + finish.finish_clock

    def lateness_working_days(self, finish: date, deadline: date | None) -> int:
        """Team working days in (deadline, finish], plus 1 when the finish itself is not a team working day."""
        if deadline is None or finish <= deadline:
            return 0
        days = (finish - deadline).days
        count = sum(self.is_team_working_day(deadline + timedelta(days=k)) for k in range(1, days + 1))
        return count + (0 if self.is_team_working_day(finish) else 1)


def work_units(issue: Issue) -> int | None:
    """Quarter hours still to do (None when unestimated)."""
    hours = issue.work_hours
    return None if hours is None else units(hours)


def deadline_of(request: PlanRequest, issue: Issue) -> date | None:
    """The issue's deadline, else its milestone's due date."""
    if issue.deadline is not None:
        return issue.deadline
    due = {m.id: m.due for m in request.milestones}
    return due.get(issue.milestone) if issue.milestone is not None else None


def eligible_owners(request: PlanRequest, issue: Issue) -> list[Owner]:
    """Owners with every required skill (and the pinned owner, when there is one)."""
    return [
        owner
        for owner in request.owners
        if set(issue.skills) <= set(owner.skills) and issue.pinned_owner in (None, owner.id)
    ]


def lag_predecessors(issues: list[Issue]) -> set[str]:
    """Ids of planned issues that some planned issue waits for with a lag of at least one day."""
    planned_ids = {issue.id for issue in issues}
    return {dep.issue for issue in issues for dep in issue.depends_on if dep.lag_days > 0 and dep.issue in planned_ids}


def _earliest_start(
    calendar: OracleCalendar, issue: Issue, owner: Owner, placed: dict[str, Stretch], owner_free: int
) -> int | None:
    """Earliest start after the owner's previous work, not_before and releases, on the pinned date if any."""
    earliest = owner_free
    if issue.not_before is not None:
        earliest = max(earliest, calendar.index_of(issue.not_before) * UNITS_PER_DAY)
    for dependency in issue.depends_on:
        if dependency.issue in placed:
            earliest = max(earliest, calendar.release(placed[dependency.issue], dependency.lag_days))
    start = calendar.earliest_start(owner, earliest)
    if issue.pinned_start is None:
        return start
    pinned_day = calendar.index_of(issue.pinned_start)
    if start // UNITS_PER_DAY > pinned_day or not calendar.is_owner_working_day(owner, issue.pinned_start):
        return None
    return max(start, pinned_day * UNITS_PER_DAY + calendar.window(owner)[0])


def _earliest_start_finishing_on(
    calendar: OracleCalendar, owner: Owner, start: int, work: int, day: int, pinned_day: int | None
) -> int | None:
    """The first start >= `start` whose stretch ends on `day` (on the pinned day, if any); None when none does."""
    while pinned_day is None or start // UNITS_PER_DAY == pinned_day:
        finish = Stretch(owner.id, start, calendar.run(owner, start, work))
        if finish.finish_day == day:
            return start
        if finish.finish_day > day:
            return None
        start = calendar.earliest_start(owner, start + 1)
    return None


def _start_choices(
    calendar: OracleCalendar,
    issue: Issue,
    owner: Owner,
    earliest: int,
    lagged: bool,
    work: int | None = None,
    first: bool = True,
) -> list[int]:
    """Starts that may be best: the earliest; for a lag predecessor also the earliest end on each later date
    before the next team working day (same lag release date, possibly an earlier clock time).

    Lag releases are not monotone in the finish: ending Saturday 24:00 releases a lag-2 successor at
    Thursday 00:00 on a Tue-Thu team calendar, ending Monday 16:15 releases it at Wednesday 16:15. Any
    finish in such a run of dates is dominated by the earliest finish on its date; later runs are dominated
    by the earliest start, so these choices suffice.
    """
    choices = [earliest]
    if not lagged:
        return choices
    work = work_units(issue) if work is None else work  # a last piece's own work when split
    assert work is not None
    pinned_day = None if issue.pinned_start is None or not first else calendar.index_of(issue.pinned_start)
    day = Stretch(owner.id, earliest, calendar.run(owner, earliest, work)).finish_day + 1
    while not calendar.is_team_working_day(calendar.date_of(day)):
        start = _earliest_start_finishing_on(calendar, owner, earliest, work, day, pinned_day)
        if start is not None:
            choices.append(start)
        day += 1
    return choices


def _schedules(
    request: PlanRequest,
    calendar: OracleCalendar,
    order: tuple[Issue, ...],
    owners: dict[str, Owner],
) -> Iterator[dict[str, Stretch]]:
    """Every schedule that places the issues in `order`, each at one of its start choices on its owner."""
    planned_ids = {issue.id for issue in order}
    lagged = lag_predecessors(list(order))
    position = {issue.id: index for index, issue in enumerate(order)}
    for index, issue in enumerate(order):
        for dependency in issue.depends_on:
            if dependency.issue in planned_ids and position[dependency.issue] > index:
                return  # not a topological order; another order covers its schedules

    def place(index: int, placed: dict[str, Stretch], owner_free: dict[str, int]) -> Iterator[dict[str, Stretch]]:
        if index == len(order):
            yield placed
            return
        issue = order[index]
        owner = owners[issue.id]
        earliest = _earliest_start(calendar, issue, owner, placed, owner_free.get(owner.id, 0))
        if earliest is None:
            return
        work = work_units(issue)
        assert work is not None and work > 0
        deadline = deadline_of(request, issue)
        for start in _start_choices(calendar, issue, owner, earliest, issue.id in lagged):
            stretch = Stretch(owner.id, start, calendar.run(owner, start, work))
            if issue.hard_deadline and deadline is not None and calendar.date_of(stretch.finish_day) > deadline:
                continue
            yield from place(index + 1, {**placed, issue.id: stretch}, {**owner_free, owner.id: stretch.finish})

    yield from place(0, {}, {})


def issue_values(request: PlanRequest, calendar: OracleCalendar, issue: Issue, stretch: Stretch) -> tuple[int, int]:
    """One issue's lateness in working days and its finish in team time."""
    finish_date = calendar.date_of(stretch.finish_day)
    lateness = calendar.lateness_working_days(finish_date, deadline_of(request, issue))
    # Team time (docs/model.md): 96 per team working day before the finish date, plus the clock time of the
    # finish when that date is a team working day.
    days_before = sum(calendar.is_team_working_day(calendar.date_of(day)) for day in range(stretch.finish_day))
    on_team_day = calendar.is_team_working_day(finish_date)
    return lateness, UNITS_PER_DAY * days_before + (stretch.finish_clock if on_team_day else 0)


def objective_of(request: PlanRequest, calendar: OracleCalendar, schedule: dict[str, Stretch]) -> Objective:
    """Lateness sums per priority level, then sums of finish times in team time per level."""
    lateness = [0] * LEVELS
    finish = [0] * LEVELS
    for issue in request.issues:
        if issue.id not in schedule:
            continue
        level = PRIORITY_LEVEL[issue.priority]
        late, team_time = issue_values(request, calendar, issue, schedule[issue.id])
        lateness[level] += late
        finish[level] += team_time
    values = (*lateness, *finish)
    return (values[0], values[1], values[2], values[3], values[4], values[5], values[6], values[7])


def planned_issues(request: PlanRequest) -> list[Issue]:
    """Estimated issues with work left: the ones the plan must place."""
    return [issue for issue in request.issues if (work_units(issue) or 0) > 0]


def solve_exhaustively(request: PlanRequest) -> OracleResult | None:
    """The minimum objective over every schedule of the request's form, or None when none is feasible.

    Unbroken stretches when no planned issue is splittable; otherwise every split of each splittable issue into
    pieces (`piece_schedules`), the number of pieces counted last.
    """
    calendar = OracleCalendar(request)
    best: OracleResult | None = None
    if splits_any(request):
        for schedule, runs in piece_schedules(request, calendar):
            objective = objective_of(request, calendar, schedule)
            count = sum(len(issue_runs) for issue_runs in runs.values())
            if best is None or (objective, count) < (best.objective, best.pieces):
                best = OracleResult(objective, schedule, count, runs)
        return best
    for schedule in all_schedules(request, calendar):
        objective = objective_of(request, calendar, schedule)
        if best is None or objective < best.objective:
            best = OracleResult(objective, schedule, len(schedule))
    return best


def splittable(request: PlanRequest, issue: Issue) -> bool:
    """The issue's own `splittable`, else the request's default (docs/model.md, "Interruptible work")."""
    return request.options.splittable if issue.splittable is None else issue.splittable


def splits_any(request: PlanRequest) -> bool:
    """Whether the plan is in the pieces form: some planned issue is splittable."""
    return any(splittable(request, issue) for issue in planned_issues(request))


def compositions(request: PlanRequest, issue: Issue) -> list[tuple[int, ...]]:
    """Every way to cut the issue's work into pieces in quarter hours: at most max_pieces, each >= min_chunk."""
    work = work_units(issue)
    assert work is not None
    if not splittable(request, issue):
        return [(work,)]
    options = request.options
    most = issue.max_pieces if issue.max_pieces is not None else options.max_pieces
    shortest = units(issue.min_chunk_hours if issue.min_chunk_hours is not None else options.min_chunk_hours)
    found: list[tuple[int, ...]] = []

    def extend(prefix: tuple[int, ...], left: int) -> None:
        if left == 0:
            found.append(prefix)
            return
        if len(prefix) == most:
            return
        for size in range(shortest, left + 1):
            if left - size == 0 or left - size >= shortest:
                extend((*prefix, size), left - size)

    extend((), work)
    return [(work,), *(parts for parts in found if len(parts) > 1)]


def piece_schedules(
    request: PlanRequest, calendar: OracleCalendar
) -> Iterator[tuple[dict[str, Stretch], dict[str, tuple[tuple[int, int], ...]]]]:
    """Every schedule in pieces the oracle considers: owners, cuts, and every order of the pieces.

    Each piece starts as early as its owner, the issue's previous piece (or, for a first piece, its dates and
    predecessors) allow; a lag predecessor's last piece also tries the later finishes of `_start_choices`. A piece
    that starts where the previous one ended, with none of the owner's working time between, continues it: the
    runs count pieces as docs/model.md rule 4 reads them.
    """
    issues = planned_issues(request)
    lagged = lag_predecessors(issues)
    planned_ids = {issue.id for issue in issues}
    choices = [eligible_owners(request, issue) for issue in issues]
    cuts = [compositions(request, issue) for issue in issues]
    for assignment in itertools.product(*choices):
        owners = {issue.id: owner for issue, owner in zip(issues, assignment, strict=True)}
        for cut in itertools.product(*cuts):
            parts = {issue.id: pieces for issue, pieces in zip(issues, cut, strict=True)}
            yield from _place_pieces(request, calendar, issues, owners, parts, lagged, planned_ids)


def _place_pieces(
    request: PlanRequest,
    calendar: OracleCalendar,
    issues: list[Issue],
    owners: dict[str, Owner],
    parts: dict[str, tuple[int, ...]],
    lagged: set[str],
    planned_ids: set[str],
) -> Iterator[tuple[dict[str, Stretch], dict[str, tuple[tuple[int, int], ...]]]]:
    """Depth first over which issue's next piece comes next (module docstring of `piece_schedules`)."""

    def step(
        runs: dict[str, tuple[tuple[int, int], ...]], done: dict[str, int], owner_free: dict[str, int]
    ) -> Iterator[tuple[dict[str, Stretch], dict[str, tuple[tuple[int, int], ...]]]]:
        if all(done.get(issue.id, 0) == len(parts[issue.id]) for issue in issues):
            schedule = {i: Stretch(owners[i].id, r[0][0], r[-1][1]) for i, r in runs.items()}
            yield schedule, runs
            return
        finished = {
            i: Stretch(owners[i].id, runs[i][0][0], runs[i][-1][1]) for i in runs if done.get(i, 0) == len(parts[i])
        }
        for issue in issues:
            index = done.get(issue.id, 0)
            if index == len(parts[issue.id]):
                continue
            owner = owners[issue.id]
            free = owner_free.get(owner.id, 0)
            if index == 0:
                waits = [d.issue for d in issue.depends_on if d.issue in planned_ids]
                if any(other not in finished for other in waits):
                    continue
                earliest = _earliest_start(calendar, issue, owner, finished, free)
                if earliest is None:
                    continue
            else:
                earliest = calendar.earliest_start(owner, max(free, runs[issue.id][-1][1]))
            size = parts[issue.id][index]
            last = index == len(parts[issue.id]) - 1
            starts = [earliest]
            if last and issue.id in lagged:
                starts = _start_choices(calendar, issue, owner, earliest, True, size, first=index == 0)
            for start in starts:
                finish = calendar.run(owner, start, size)
                deadline = deadline_of(request, issue)
                stretch = Stretch(owner.id, start, finish)
                late = deadline is not None and calendar.date_of(stretch.finish_day) > deadline
                if last and issue.hard_deadline and late:
                    continue
                previous = runs.get(issue.id, ())
                if previous and calendar.earliest_start(owner, previous[-1][1]) >= start:
                    issue_runs = (*previous[:-1], (previous[-1][0], finish))  # no working time between: one piece
                else:
                    issue_runs = (*previous, (start, finish))
                yield from step(
                    {**runs, issue.id: issue_runs}, {**done, issue.id: index + 1}, {**owner_free, owner.id: finish}
                )

    yield from step({}, {}, {})


def all_schedules(request: PlanRequest, calendar: OracleCalendar) -> Iterator[dict[str, Stretch]]:
    """Every unbroken-stretch schedule the oracle considers: each owner choice, order and start choice."""
    issues = planned_issues(request)
    choices = [eligible_owners(request, issue) for issue in issues]
    for assignment in itertools.product(*choices):
        owners = {issue.id: owner for issue, owner in zip(issues, assignment, strict=True)}
        for order in itertools.permutations(issues):
            yield from _schedules(request, calendar, order, owners)


def present_levels(request: PlanRequest) -> list[int]:
    """Priority ranks that have at least one planned issue: the levels the solver reports."""
    return sorted({PRIORITY_LEVEL[issue.priority] for issue in planned_issues(request)})


def reported_objective(request: PlanRequest, objective: Objective, pieces: int | None = None) -> list[int]:
    """The oracle's objective restricted to the reported levels, in reporting order (pieces last, when given)."""
    levels = present_levels(request)
    reported = [objective[level] for level in levels] + [objective[LEVELS + level] for level in levels]
    return reported + ([pieces] if pieces is not None and splits_any(request) else [])


# --- living plans: the stability levels against a baseline (docs/model.md, "Living plans") --------------------------


@dataclass(frozen=True)
class BaselineStart:
    """An issue's place in the baseline: owner and start instant (quarter hours since start_date 00:00)."""

    owner: str
    start: int


def baseline_starts(request: PlanRequest) -> dict[str, BaselineStart]:
    """The baseline's placed issues (planned, with owner and start)."""
    found: dict[str, BaselineStart] = {}
    origin = datetime.combine(request.start_date, time())
    for plan in request.baseline or []:
        if plan.status.value == "planned" and plan.owner is not None and plan.start is not None:
            instant = int((plan.start - origin).total_seconds() // 900)
            found.setdefault(plan.id, BaselineStart(plan.owner, instant))
    return found


def owner_units_between(calendar: OracleCalendar, owner: Owner, first: int, second: int) -> int:
    """The owner's working quarter hours between two instants, from start_date on."""
    low, high = max(min(first, second), 0), max(max(first, second), 0)
    begin, end = calendar.window(owner)
    total = 0
    for day in range(low // UNITS_PER_DAY, (high + UNITS_PER_DAY - 1) // UNITS_PER_DAY):
        if calendar.is_owner_working_day(owner, calendar.date_of(day)):
            base = day * UNITS_PER_DAY
            total += max(0, min(high, base + end) - max(low, base + begin))
    return total


def disruption_of(
    request: PlanRequest, calendar: OracleCalendar, schedule: dict[str, Stretch]
) -> tuple[int, int, int]:
    """Issues reassigned, issues whose start moved, and the total start shift in owner working quarter hours."""
    starts = baseline_starts(request)
    owners = {owner.id: owner for owner in request.owners}
    reassigned = moved = shift = 0
    for issue_id, stretch in schedule.items():
        before = starts.get(issue_id)
        if before is None:
            continue
        reassigned += stretch.owner != before.owner
        moved += stretch.start != before.start
        shift += owner_units_between(calendar, owners[stretch.owner], before.start, stretch.start)
    return reassigned, moved, shift


def _grid(request: PlanRequest, calendar: OracleCalendar) -> int:
    """Whole hours when every amount and instant is in whole hours, else quarter hours."""
    values = [calendar.workday_start, *(units(o.hours_per_day) for o in request.owners)]
    values += [work_units(issue) or 0 for issue in request.issues]
    values += [start.start for start in baseline_starts(request).values()]
    return 4 if all(value % 4 == 0 for value in values) else 1


def baseline_start_choices(
    calendar: OracleCalendar, issue: Issue, owner: Owner, earliest: int, target: int | None, grid: int
) -> list[int]:
    """Starts from the earliest up to the baseline start on the owner's windows (a start later than both is never
    better: moving it back to the later of the two keeps the plan valid and no level gets worse)."""
    choices = [earliest]
    if target is None or target <= earliest:
        return choices
    start = earliest
    pinned_day = None if issue.pinned_start is None else calendar.index_of(issue.pinned_start)
    while True:
        start = calendar.earliest_start(owner, start + grid)
        if start > target or (pinned_day is not None and start // UNITS_PER_DAY != pinned_day):
            return choices
        choices.append(start)


def solve_with_baseline(request: PlanRequest) -> tuple[list[int], dict[str, Stretch]] | None:
    """The best reported objective with the stability levels after the lateness levels (the default), exhaustively.

    Values in reporting order: lateness of present priorities, reassigned, moved, shift, finish of present priorities.
    """
    calendar = OracleCalendar(request)
    starts = baseline_starts(request)
    grid = _grid(request, calendar)
    levels = present_levels(request)
    issues = planned_issues(request)
    best: tuple[list[int], dict[str, Stretch]] | None = None
    for assignment in itertools.product(*(eligible_owners(request, issue) for issue in issues)):
        owners = {issue.id: owner for issue, owner in zip(issues, assignment, strict=True)}
        for order in itertools.permutations(issues):
            for schedule in _baseline_schedules(request, calendar, order, owners, starts, grid):
                objective = objective_of(request, calendar, schedule)
                values = [objective[level] for level in levels]
                if any(issue.id in starts for issue in issues):
                    values += list(disruption_of(request, calendar, schedule))
                values += [objective[LEVELS + level] for level in levels]
                if best is None or values < best[0]:
                    best = (values, schedule)
    return best


def _baseline_schedules(
    request: PlanRequest,
    calendar: OracleCalendar,
    order: tuple[Issue, ...],
    owners: dict[str, Owner],
    starts: dict[str, BaselineStart],
    grid: int,
) -> Iterator[dict[str, Stretch]]:
    """Schedules placing the issues in `order`, each at a start from its earliest up to its baseline start."""
    planned_ids = {issue.id for issue in order}
    lagged = lag_predecessors(list(order))
    position = {issue.id: index for index, issue in enumerate(order)}
    for index, issue in enumerate(order):
        if any(d.issue in planned_ids and position[d.issue] > index for d in issue.depends_on):
            return

    def place(index: int, placed: dict[str, Stretch], owner_free: dict[str, int]) -> Iterator[dict[str, Stretch]]:
        if index == len(order):
            yield placed
            return
        issue = order[index]
        owner = owners[issue.id]
        earliest = _earliest_start(calendar, issue, owner, placed, owner_free.get(owner.id, 0))
        if earliest is None:
            return
        work = work_units(issue)
        assert work is not None
        deadline = deadline_of(request, issue)
        target = starts[issue.id].start if issue.id in starts else None
        choices = set(_start_choices(calendar, issue, owner, earliest, issue.id in lagged))
        choices |= set(baseline_start_choices(calendar, issue, owner, earliest, target, grid))
        for start in sorted(choices):
            stretch = Stretch(owner.id, start, calendar.run(owner, start, work))
            if issue.hard_deadline and deadline is not None and calendar.date_of(stretch.finish_day) > deadline:
                continue
            yield from place(index + 1, {**placed, issue.id: stretch}, {**owner_free, owner.id: stretch.finish})

    yield from place(0, {}, {})
