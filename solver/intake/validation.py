"""Cross-field checks of a plan request that pydantic cannot express, each reported as a `Problem`.

Every check runs and every problem is listed, so a planner fixes a request in one round trip.
Checks are linear in the request's size (plus sorting); nothing here solves or plans.
"""

from __future__ import annotations

import json
import warnings
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date

import holidays
from pydantic import ValidationError
from pydantic_core import ErrorDetails

from api_schemas.common import (
    QUARTER_HOUR,
    QUARTER_HOUR_MESSAGE,
    TEXT_CHARACTER_MESSAGE,
    TEXT_PATTERN,
    forbidden_identifier_character,
    forbidden_text_character,
)
from api_schemas.problems import Problem
from api_schemas.request import MAX_SPREAD_FACTOR, MIN_SPREAD_FACTOR, Issue, Owner, PlanRequest
from solver.intake.errors import InvalidRequestError
from solver.intake.limits import (
    DEFAULT_LIMITS,
    EARLIEST_START_DATE,
    LATEST_START_DATE,
    MAX_SOLVER_HORIZON_DAYS,
    Limits,
    days_after,
)
from solver.intake.living import living_plan_problems

#: How many dates or codes a message lists before it says "and N more".
_LISTED_AT_MOST = 5


#: Adjusts a parsed request before it is checked (the service applies its caps on the solver options).
Adjust = Callable[[PlanRequest], PlanRequest]


def parse_request(data: object, limits: Limits = DEFAULT_LIMITS) -> PlanRequest:
    """Parse and validate raw request data (a mapping or JSON text); raise `InvalidRequestError` with every problem."""
    if isinstance(data, str | bytes | bytearray):
        try:
            data = json.loads(data)
        except ValueError as error:
            problem = Problem(loc=[], code="invalid_json", message=f"The request is not valid JSON: {error}")
            raise InvalidRequestError([problem]) from None
    request, problems = check_request(data, limits)
    if request is None or problems:
        raise InvalidRequestError(problems)
    return request


def check_request(
    data: object, limits: Limits = DEFAULT_LIMITS, adjust: Adjust | None = None
) -> tuple[PlanRequest | None, list[Problem]]:
    """Read decoded JSON as a plan request and list every problem: pydantic's if it does not parse, else the checks'.

    The one parse-and-check of a request (parse_request and the service's routes use it). `adjust` runs between
    parsing and checking, so a value it caps is checked as capped, not refused.
    """
    too_many = raw_size_problems(data, limits)
    if too_many:
        return None, too_many
    try:
        request = PlanRequest.model_validate(data)
    except ValidationError as error:
        return None, problems_from_pydantic(error, data)
    if adjust is not None:
        request = adjust(request)
    return request, validate_request(request, limits)


def validate_request(request: PlanRequest, limits: Limits = DEFAULT_LIMITS) -> list[Problem]:
    """List every cross-field problem of a parsed request (empty when it can be planned)."""
    issue_index = _first_positions(issue.id for issue in request.issues)
    owner_index = _first_positions(owner.id for owner in request.owners)
    milestone_ids = {milestone.id for milestone in request.milestones}
    return [
        *_start_problems(request),
        *_size_problems(request, limits),
        *_calendar_problems(request),
        *_duplicate_problems("owners", "Owner", [owner.id for owner in request.owners]),
        *_duplicate_problems("milestones", "Milestone", [milestone.id for milestone in request.milestones]),
        *_duplicate_problems("issues", "Issue", [issue.id for issue in request.issues]),
        *_reference_problems(request, issue_index, owner_index, milestone_ids),
        *_skill_problems(request, owner_index),
        *_horizon_problems(request, limits),
        *_work_problems(request, owner_index),
        *_cycle_problems(request, issue_index),
        *living_plan_problems(request),
        *_range_problems(request),
        *_history_problems(request),
    ]


# --- sizes -------------------------------------------------------------------------------------------------


def _count_problems(counts: dict[str, int], limits: Limits) -> list[Problem]:
    """Caps on the number of issues, owners and milestones (`counts` has the lists' lengths by field)."""
    caps = {"issues": limits.max_issues, "owners": limits.max_owners, "milestones": limits.max_milestones}
    return [
        Problem(
            loc=[field],
            code=f"too_many_{field}",
            message=f"The request has {counts[field]} {field}; at most {cap} are allowed.",
        )
        for field, cap in caps.items()
        if counts.get(field, 0) > cap
    ]


def raw_size_problems(data: object, limits: Limits = DEFAULT_LIMITS) -> list[Problem]:
    """The count caps read off decoded JSON, so pydantic never spends seconds on lists that would be refused."""
    if not isinstance(data, dict):
        return []
    return _count_problems({field: len(v) for field, v in data.items() if isinstance(v, list)}, limits)


def _size_problems(request: PlanRequest, limits: Limits) -> list[Problem]:
    """Caps on the number of issues, owners, milestones and on the solver's time budget."""
    counts = {"issues": len(request.issues), "owners": len(request.owners), "milestones": len(request.milestones)}
    problems = _count_problems(counts, limits)
    forecast = request.options.forecast
    cells = forecast.samples * len(request.issues) if forecast is not None else 0
    if forecast is not None and cells > limits.max_forecast_cells:
        most = max(limits.max_forecast_cells // max(len(request.issues), 1), 1)
        problems.append(
            Problem(
                loc=["options", "forecast", "samples"],
                code="forecast_too_large",
                message=f"options.forecast.samples {forecast.samples} for {len(request.issues)} issues is too "
                f"much to simulate; use at most {most} samples for this backlog.",
            )
        )
    if request.options.time_limit_s > limits.max_time_limit_s:
        problems.append(
            Problem(
                loc=["options", "time_limit_s"],
                code="time_limit_too_long",
                message=f"options.time_limit_s is {request.options.time_limit_s:g} s; "
                f"at most {limits.max_time_limit_s:g} s is allowed.",
            )
        )
    return problems


# --- estimate ranges (the forecast's) -----------------------------------------------------------------------


def _range_problems(request: PlanRequest) -> list[Problem]:
    """A range needs both ends and the most likely estimate between them (docs/forecast.md)."""
    problems: list[Problem] = []
    for index, issue in enumerate(request.issues):
        low, high, likely = issue.estimate_low_hours, issue.estimate_high_hours, issue.estimate_hours
        if low is None and high is None:
            continue
        missing = "estimate_high_hours" if high is None else "estimate_low_hours" if low is None else None
        if missing is not None:
            problems.append(Problem(
                loc=["issues", index, missing],
                code="incomplete_estimate_range",
                message=f"{issue.id} has only one end of its range: give both estimate_low_hours and "
                "estimate_high_hours, or neither (the team's default spread is used then).",
                ids=[issue.id],
            ))
        elif likely is None:
            problems.append(Problem(
                loc=["issues", index, "estimate_hours"],
                code="range_without_estimate",
                message=f"{issue.id} has a range ({low:g}-{high:g} h) but no estimate_hours: give the most likely "
                "hours too; the range spreads around it.",
                ids=[issue.id],
            ))
        elif low is not None and high is not None and not (
            likely * MIN_SPREAD_FACTOR <= low and high <= likely * MAX_SPREAD_FACTOR
        ):
            wide = "estimate_high_hours" if high > likely * MAX_SPREAD_FACTOR else "estimate_low_hours"
            problems.append(Problem(
                loc=["issues", index, wide],
                code="estimate_range_too_wide",
                message=f"{issue.id}: the range {low:g}-{high:g} h is too wide for an estimate of {likely:g} h; "
                f"it may reach from {MIN_SPREAD_FACTOR:g} to {MAX_SPREAD_FACTOR:g} times the estimate.",
                ids=[issue.id],
            ))
        elif low is not None and high is not None and not low <= likely <= high:
            field = "estimate_low_hours" if low > likely else "estimate_high_hours"
            problems.append(Problem(
                loc=["issues", index, field],
                code="estimate_outside_range",
                message=f"{issue.id}: estimate_hours {likely:g} h must lie within its range, from "
                f"estimate_low_hours {low:g} h to estimate_high_hours {high:g} h.",
                ids=[issue.id],
            ))
    return problems


def _history_problems(request: PlanRequest) -> list[Problem]:
    """History records whose actual/estimate ratio is beyond any spread (a typo: minutes for hours, a zero)."""
    problems = []
    for index, record in enumerate(request.history):
        ratio = record.actual_hours / record.estimate_hours
        if not MIN_SPREAD_FACTOR <= ratio <= MAX_SPREAD_FACTOR:
            problems.append(Problem(
                loc=["history", index],
                code="history_ratio_out_of_range",
                message=f"history[{index}]: {record.actual_hours:g} h taken for {record.estimate_hours:g} h estimated "
                f"is {ratio:,.4g} times the estimate; a record may be {MIN_SPREAD_FACTOR:g} to {MAX_SPREAD_FACTOR:g} "
                "times it (check the units).",
            ))
    return problems


# --- start date --------------------------------------------------------------------------------------------


def _start_problems(request: PlanRequest) -> list[Problem]:
    """Refuse a start past the calendar's room (its plan would run past 9999-12-31) or before 1900 (a typo)."""
    if request.start_date < EARLIEST_START_DATE:
        return [
            Problem(
                loc=["start_date"],
                code="start_date_too_early",
                message=f"start_date {request.start_date.isoformat()} is too early: plans start on or after "
                f"{EARLIEST_START_DATE.isoformat()} (is the year mistyped?).",
            )
        ]
    if request.start_date <= LATEST_START_DATE:
        return []
    return [
        Problem(
            loc=["start_date"],
            code="start_date_too_late",
            message=f"start_date {request.start_date.isoformat()} is too late: a plan looks up to twenty years "
            f"ahead of its start and the calendar ends at {date.max.isoformat()}; use a start date on or before "
            f"{LATEST_START_DATE.isoformat()}.",
        )
    ]


# --- calendar ----------------------------------------------------------------------------------------------


def _calendar_problems(request: PlanRequest) -> list[Problem]:
    """Report a country or subdivision the public-holiday tables do not know."""
    country = request.calendar.country
    subdivision = request.calendar.subdivision
    if country is None:
        if subdivision is None:
            return []
        return [
            Problem(
                loc=["calendar", "subdivision"],
                code="subdivision_without_country",
                message=f"calendar.subdivision '{subdivision}' is given without calendar.country; "
                "set the country it belongs to.",
            )
        ]
    supported = holidays.list_supported_countries()
    if country not in supported:
        return [
            Problem(
                loc=["calendar", "country"],
                code="unknown_country",
                message=f"calendar.country '{country}' is not a country with known public holidays; "
                "use an upper-case ISO 3166 code such as 'JP', 'US' or 'DE'.",
            )
        ]
    if subdivision is None or subdivision in supported[country] or _holidays_accept(country, subdivision):
        return []
    known = supported[country]
    listing = _listed(known) if known else f"none: '{country}' has no subdivisions"
    return [
        Problem(
            loc=["calendar", "subdivision"],
            code="unknown_subdivision",
            message=f"calendar.subdivision '{subdivision}' is not a known subdivision of '{country}' "
            f"(known: {listing}).",
        )
    ]


def _holidays_accept(country: str, subdivision: str) -> bool:
    """Tell whether the holiday tables accept this subdivision spelling (e.g. the alias 'California' for 'CA')."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            holidays.country_holidays(country, subdiv=subdivision)
    except NotImplementedError:
        return False
    return True


# --- duplicate ids and unknown references ------------------------------------------------------------------


def _first_positions(ids: Iterable[str]) -> dict[str, int]:
    """Map each id to the position of its first occurrence (later duplicates are reported separately)."""
    positions: dict[str, int] = {}
    for position, identifier in enumerate(ids):
        positions.setdefault(identifier, position)
    return positions


def _duplicate_problems(field: str, noun: str, ids: Sequence[str]) -> list[Problem]:
    """One problem per repeated id, naming it and both positions."""
    first: dict[str, int] = {}
    problems = []
    for position, identifier in enumerate(ids):
        earlier = first.setdefault(identifier, position)
        if earlier != position:
            problems.append(
                Problem(
                    loc=[field, position, "id"],
                    code="duplicate_id",
                    message=f"{noun} id '{identifier}' is used more than once: at {field}[{earlier}] "
                    f"and again at {field}[{position}]; ids must be unique.",
                    ids=[identifier],
                )
            )
    return problems


def _reference_problems(
    request: PlanRequest, issue_index: dict[str, int], owner_index: dict[str, int], milestone_ids: set[str]
) -> list[Problem]:
    """Milestones, pinned owners and dependencies that name something the request does not contain."""
    problems = []
    for position, issue in enumerate(request.issues):
        if issue.milestone is not None and issue.milestone not in milestone_ids:
            problems.append(
                Problem(
                    loc=["issues", position, "milestone"],
                    code="unknown_milestone",
                    message=f"Issue {issue.id} belongs to milestone '{issue.milestone}', "
                    "which is not among the milestones.",
                    ids=[issue.id, issue.milestone],
                )
            )
        if issue.pinned_owner is not None and issue.pinned_owner not in owner_index:
            problems.append(
                Problem(
                    loc=["issues", position, "pinned_owner"],
                    code="unknown_owner",
                    message=f"Issue {issue.id} is pinned to owner '{issue.pinned_owner}', who is not in the team.",
                    ids=[issue.id, issue.pinned_owner],
                )
            )
        for entry, dependency in enumerate(issue.depends_on):
            if dependency.issue == issue.id:
                problems.append(
                    Problem(
                        loc=["issues", position, "depends_on", entry, "issue"],
                        code="self_dependency",
                        message=f"Issue {issue.id} depends on itself.",
                        ids=[issue.id],
                    )
                )
            elif dependency.issue not in issue_index:
                problems.append(
                    Problem(
                        loc=["issues", position, "depends_on", entry, "issue"],
                        code="unknown_dependency",
                        message=f"Issue {issue.id} depends on {dependency.issue}, which is not in the backlog.",
                        ids=[issue.id, dependency.issue],
                    )
                )
    return problems


# --- skills ------------------------------------------------------------------------------------------------


def _skill_problems(request: PlanRequest, owner_index: dict[str, int]) -> list[Problem]:
    """Issues no owner is skilled for, and pinned owners who lack a skill their issue needs."""
    owners_with_skill = _owners_with_skill(request.owners)
    capable_cache: dict[frozenset[str], bool] = {}
    problems = []
    for position, issue in enumerate(request.issues):
        if not issue.skills:
            continue
        needed = frozenset(issue.skills)
        if needed not in capable_cache:
            capable_cache[needed] = _someone_has_all(needed, owners_with_skill)
        if not capable_cache[needed]:
            problems.append(_no_capable_owner(position, issue, needed, owners_with_skill))
        pinned = issue.pinned_owner
        if pinned is not None and pinned in owner_index:
            missing = sorted(needed.difference(request.owners[owner_index[pinned]].skills))
            if missing:
                problems.append(
                    Problem(
                        loc=["issues", position, "pinned_owner"],
                        code="pinned_owner_lacks_skills",
                        message=f"Issue {issue.id} is pinned to owner '{pinned}', "
                        f"who lacks the skill(s) it needs: {', '.join(missing)}.",
                        ids=[issue.id, pinned],
                    )
                )
    return problems


def _owners_with_skill(owners: Sequence[Owner]) -> dict[str, int]:
    """Map each skill to a bit set (a Python int) of the owner positions having it."""
    bits: dict[str, int] = {}
    for position, owner in enumerate(owners):
        for skill in set(owner.skills):
            bits[skill] = bits.get(skill, 0) | (1 << position)
    return bits


def _someone_has_all(needed: frozenset[str], owners_with_skill: dict[str, int]) -> bool:
    """Tell whether at least one owner has every needed skill."""
    common = -1  # all bits set: every owner, before any skill narrows it down
    for skill in needed:
        common &= owners_with_skill.get(skill, 0)
        if not common:
            return False
    return True


def _no_capable_owner(
    position: int, issue: Issue, needed: frozenset[str], owners_with_skill: dict[str, int]
) -> Problem:
    """Describe an issue whose skills no single owner has all of."""
    nobody = sorted(skill for skill in needed if skill not in owners_with_skill)
    detail = f" (nobody has {', '.join(nobody)})" if nobody else ""
    return Problem(
        loc=["issues", position, "skills"],
        code="no_owner_with_skills",
        message=f"Issue {issue.id} needs the skill(s) {', '.join(sorted(needed))}, "
        f"but no single owner has all of them{detail}.",
        ids=[issue.id],
    )


# --- dates beyond the horizon ------------------------------------------------------------------------------


#: Dates of an issue that must fall within the horizon.
_ISSUE_DATE_FIELDS = ("deadline", "not_before", "pinned_start")


def _horizon_problems(request: PlanRequest, limits: Limits) -> list[Problem]:
    """Report dates later than the planner's maximum horizon after the start date.

    A list of dates (holidays, days off) gives one problem naming its far dates, however many there are.
    """
    last_date = days_after(request.start_date, limits.max_horizon_days)
    start = request.start_date
    problems: list[Problem] = []

    def check_list(loc: list[str | int], what: str, values: Sequence[date], ids: list[str]) -> None:
        late = [(entry, value) for entry, value in enumerate(values) if value > last_date]
        if late:
            dates = _listed([value.isoformat() for _, value in late])
            verb = "is" if len(late) == 1 else "are"
            problems.append(_beyond_horizon([*loc, late[0][0]], f"{what} {dates} {verb}", ids, start, limits))

    check_list(["calendar", "holidays"], "calendar.holidays", request.calendar.holidays, [])
    for position, owner in enumerate(request.owners):
        if owner.days_off and max(owner.days_off) > last_date:
            check_list(["owners", position, "days_off"], f"Owner '{owner.id}' days_off", owner.days_off, [owner.id])
    for position, milestone in enumerate(request.milestones):
        if milestone.due is not None and milestone.due > last_date:
            subject = f"Milestone '{milestone.id}' due {milestone.due.isoformat()} is"
            problems.append(_beyond_horizon(["milestones", position, "due"], subject, [milestone.id], start, limits))
    for position, issue in enumerate(request.issues):
        for field in _ISSUE_DATE_FIELDS:
            value: date | None = getattr(issue, field)
            if value is not None and value > last_date:
                subject = f"Issue {issue.id} {field} {value.isoformat()} is"
                problems.append(_beyond_horizon(["issues", position, field], subject, [issue.id], start, limits))
    return problems


def _work_problems(request: PlanRequest, owner_index: dict[str, int]) -> list[Problem]:
    """Issues too large for any owner who may do them to finish within the solver's horizon (about 10 years).

    Each issue is worked by one owner, so its hours must fit in one owner's working time: at most their hours a
    day on each of their working weekdays (holidays aside). Such an issue would leave the whole plan unsolved.
    """
    weeks = MAX_SOLVER_HORIZON_DAYS // 7 + 1
    weekly = [owner.hours_per_day * len(set(owner.working_weekdays or request.calendar.working_weekdays))
              for owner in request.owners]
    skills = [frozenset(owner.skills) for owner in request.owners]
    most_for_skills: dict[frozenset[str], float] = {}  # a few skill sets, however many issues and owners
    problems = []
    for position, issue in enumerate(request.issues):
        work = issue.work_hours
        if not work:
            continue
        if issue.pinned_owner is not None:
            if issue.pinned_owner not in owner_index:
                continue  # reported as an unknown owner
            most = weekly[owner_index[issue.pinned_owner]] * weeks
        else:
            needed = frozenset(issue.skills)
            if needed not in most_for_skills:
                most_for_skills[needed] = max((w for w, has in zip(weekly, skills, strict=True) if needed <= has),
                                              default=0.0) * weeks
            most = most_for_skills[needed]
        if 0 < most < work:  # 0: nobody has the skills, reported on its own
            field = "remaining_hours" if issue.remaining_hours is not None else "estimate_hours"
            problems.append(Problem(
                loc=["issues", position, field],
                code="work_beyond_horizon",
                message=f"Issue {issue.id} has {work:g} h of work, more than any owner who may do it can work in the "
                f"{MAX_SOLVER_HORIZON_DAYS // 365} years capplan plans ahead (at most {most:,.0f} h); split it into "
                "smaller issues, or check its hours and the owners' hours a day.",
                ids=[issue.id],
            ))
    return problems


def _beyond_horizon(loc: list[str | int], subject: str, ids: list[str], start: date, limits: Limits) -> Problem:
    """Describe dates beyond the horizon; `subject` names the field and its date(s), ending in 'is'/'are'."""
    return Problem(
        loc=loc,
        code="date_beyond_horizon",
        message=f"{subject} more than {limits.max_horizon_days} days after the start date {start.isoformat()}.",
        ids=ids,
    )


# --- dependency cycles -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _DependencyGraph:
    """Issue positions and the positions they depend on, stored flat so a big backlog makes few objects.

    The prerequisites of issue `i` are `targets[first_edge[i]:first_edge[i + 1]]`.
    """

    first_edge: list[int]
    targets: list[int]

    @classmethod
    def of(cls, issues: Sequence[Issue], issue_index: dict[str, int]) -> _DependencyGraph:
        """Build the graph of known dependencies, leaving out self-dependencies (reported on their own)."""
        first_edge = [0]
        targets: list[int] = []
        for issue in issues:
            for dependency in issue.depends_on:
                target = issue_index.get(dependency.issue)
                if target is not None and dependency.issue != issue.id:
                    targets.append(target)
            first_edge.append(len(targets))
        return cls(first_edge, targets)

    def prerequisites(self, node: int) -> list[int]:
        """Positions of the issues `node` depends on."""
        return self.targets[self.first_edge[node] : self.first_edge[node + 1]]


def _cycle_problems(request: PlanRequest, issue_index: dict[str, int]) -> list[Problem]:
    """One problem per group of issues that depend on each other in a circle, naming one concrete cycle."""
    graph = _DependencyGraph.of(request.issues, issue_index)
    tangles = sorted((min(component), set(component)) for component in _cyclic_components(graph))
    return [
        _cycle_problem(request.issues, _cycle_through(start, members, graph), len(members))
        for start, members in tangles
    ]


def _cyclic_components(graph: _DependencyGraph) -> list[list[int]]:
    """Strongly connected components of two or more issues (Tarjan's algorithm).

    Iterative, so deep dependency chains cannot overflow the stack, and sparing with allocations,
    so a 100k-issue backlog does not spend its time in the garbage collector.
    """
    first_edge, targets = graph.first_edge, graph.targets
    count = len(first_edge) - 1
    order = [-1] * count  # discovery order; -1 while unvisited
    lowest = [0] * count
    next_edge = first_edge[:-1]  # the next edge to follow out of each node on the path
    on_stack = [False] * count
    stack: list[int] = []
    components: list[list[int]] = []
    discovered = 0
    for root in range(count):
        if order[root] != -1:
            continue
        order[root] = lowest[root] = discovered
        discovered += 1
        stack.append(root)
        on_stack[root] = True
        path = [root]
        while path:
            node = path[-1]
            edge = next_edge[node]
            if edge < first_edge[node + 1]:
                next_edge[node] = edge + 1
                target = targets[edge]
                if order[target] == -1:
                    order[target] = lowest[target] = discovered
                    discovered += 1
                    stack.append(target)
                    on_stack[target] = True
                    path.append(target)
                elif on_stack[target] and order[target] < lowest[node]:
                    lowest[node] = order[target]
                continue
            path.pop()
            if path and lowest[node] < lowest[path[-1]]:
                lowest[path[-1]] = lowest[node]
            if lowest[node] != order[node]:
                continue
            if stack[-1] == node:  # a component of one issue: no cycle
                stack.pop()
                on_stack[node] = False
                continue
            component = []
            while True:
                member = stack.pop()
                on_stack[member] = False
                component.append(member)
                if member == node:
                    break
            components.append(component)
    return components


def _cycle_through(start: int, members: set[int], graph: _DependencyGraph) -> list[int]:
    """Find a shortest cycle from `start` back to itself inside its strongly connected component (breadth first)."""
    came_from: dict[int, int] = {start: start}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for target in graph.prerequisites(node):
            if target == start:
                path = [node]
                while path[-1] != start:
                    path.append(came_from[path[-1]])
                return path[::-1]
            if target in members and target not in came_from:
                came_from[target] = node
                queue.append(target)
    raise AssertionError("a strongly connected component always has a cycle through each member")


def _cycle_problem(issues: Sequence[Issue], cycle: list[int], tangled: int) -> Problem:
    """Describe a cycle (each issue depends on the next) and where it starts in the request."""
    ids = [issues[position].id for position in cycle]
    first, second = issues[cycle[0]], ids[1 % len(ids)]
    entry = next(entry for entry, dep in enumerate(first.depends_on) if dep.issue == second)
    others = tangled - len(cycle)
    more = f" {others} more issue(s) are caught in cycles with these." if others else ""
    return Problem(
        loc=["issues", cycle[0], "depends_on", entry, "issue"],
        code="dependency_cycle",
        message=f"Dependency cycle: {' -> '.join([*ids, ids[0]])} (each issue depends on the next, "
        f"so none of them can start first).{more}",
        ids=ids,
    )


# --- pydantic errors ---------------------------------------------------------------------------------------

_CODE_OF_PYDANTIC_TYPE = {"missing": "missing_field", "extra_forbidden": "unknown_field"}
#: What a planner reads when a value has the wrong JSON type (the contract coerces nothing).
_MESSAGE_OF_PYDANTIC_TYPE = {
    "float_type": "must be a number such as 4 or 2.5 (a JSON number, not a string or a boolean)",
    "int_type": "must be a whole number such as 3 (a JSON number, not a string or a boolean)",
    "bool_type": "must be true or false (a JSON boolean, not a string or a number)",
    "string_type": "must be a string (in double quotes)",
}
_NOUN_OF_LIST = {"issues": "issue", "owners": "owner", "milestones": "milestone"}


def problems_from_pydantic(error: ValidationError, raw: object = None) -> list[Problem]:
    """Turn pydantic's errors into problems; `raw` (the input data) lets them name the issue, owner or milestone."""
    problems = []
    for detail in error.errors(include_url=False):
        loc = list(detail["loc"])
        element_id = _element_id(raw, loc)
        where = _readable_loc(loc)
        if element_id is not None:
            where = f"{where} ({_NOUN_OF_LIST[str(loc[0])]} {element_id})"
        problems.append(
            Problem(
                loc=loc,
                code=_CODE_OF_PYDANTIC_TYPE.get(detail["type"], "invalid_field"),
                message=f"{where}: {_readable_message(detail)}",
                ids=[element_id] if element_id is not None else [],
            )
        )
    return problems


def _readable_loc(loc: Sequence[str | int]) -> str:
    """'issues[3].estimate_hours' for ('issues', 3, 'estimate_hours'); 'request' for the whole body."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text or "request"


def _readable_message(detail: ErrorDetails) -> str:
    """Pydantic's message without internals: no 'Value error,' prefix, no regular expressions."""
    kind = detail["type"]
    if kind == "string_pattern_mismatch" and (detail.get("ctx") or {}).get("pattern") == TEXT_PATTERN:
        found = forbidden_text_character(detail["input"]) if isinstance(detail["input"], str) else None
        return f"contains {found or 'a character'}, {TEXT_CHARACTER_MESSAGE}"
    if kind == "string_pattern_mismatch":
        found = forbidden_identifier_character(detail["input"]) if isinstance(detail["input"], str) else None
        if found is not None:
            return (f"contains {found}, a control or invisible formatting character (such as a right-to-left "
                    "override); ids must be printable")
        return "must be 1-64 printable characters with no blanks at the start or end"
    if kind == "extra_forbidden":
        return "is not a known field (check its spelling)"
    if kind == "missing":
        return "is required"
    if kind in _MESSAGE_OF_PYDANTIC_TYPE:
        return _MESSAGE_OF_PYDANTIC_TYPE[kind]
    if kind == "multiple_of" and (detail.get("ctx") or {}).get("multiple_of") == QUARTER_HOUR:
        return QUARTER_HOUR_MESSAGE
    message = str(detail["msg"])
    return message.removeprefix("Value error, ")


def _element_id(raw: object, loc: Sequence[str | int]) -> str | None:
    """Return the `id` of the issue, owner or milestone the error points into, when the raw input has one."""
    if len(loc) < 2 or loc[0] not in _NOUN_OF_LIST or not isinstance(loc[1], int) or not isinstance(raw, dict):
        return None
    elements = raw.get(str(loc[0]))
    if not isinstance(elements, list) or not 0 <= loc[1] < len(elements):
        return None
    element = elements[loc[1]]
    identifier = element.get("id") if isinstance(element, dict) else None
    return identifier if isinstance(identifier, str) and identifier else None


def _listed(items: Sequence[str]) -> str:
    """Join items as 'a, b, c' or 'a, b, c, d, e and 7 more' so messages stay short."""
    shown = ", ".join(items[:_LISTED_AT_MOST])
    rest = len(items) - _LISTED_AT_MOST
    return f"{shown} and {rest} more" if rest > 0 else shown
