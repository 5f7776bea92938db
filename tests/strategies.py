"""Hypothesis strategies for small random plan requests: tiny ones for the oracle, medium ones for invariants.

Requests are valid by construction (known ids, acyclic dependencies, every issue has an eligible owner,
pinned owners have the skills) so that the solver must plan them or prove them infeasible.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, time, timedelta
from typing import Any

from hypothesis import strategies as st

from api_schemas import PlanRequest, Priority, Weekday

WEEKDAY_SETS: list[list[Weekday]] = [
    [Weekday.MON, Weekday.TUE, Weekday.WED, Weekday.THU, Weekday.FRI],
    list(Weekday),
    [Weekday.TUE, Weekday.WED, Weekday.THU],
    [Weekday.SAT, Weekday.SUN, Weekday.MON],
    [Weekday.MON, Weekday.WED, Weekday.FRI, Weekday.SAT],
]
OWNER_HOURS = [2.0, 4.0, 6.5, 8.0, 24.0]
SKILLS = ["backend", "infra"]
#: Day starts, including late ones whose windows are moved back to end at midnight.
DAY_STARTS = [time(9, 0), time(8, 30), time(0, 0), time(20, 0)]
#: Start dates around the reference plan, its Japanese holidays and the turn of the year.
FIRST_START, LAST_START = date(2025, 11, 17), date(2026, 1, 5)


@dataclass(frozen=True)
class Shape:
    """Size and spice of generated requests."""

    max_issues: int
    max_owners: int
    horizon_days: int
    time_limit_s: float
    pin_start_chance: int  # out of 10, per issue
    hard_deadline_chance: int  # out of 10, per issue
    hard_deadline_from_day: int  # hard deadlines fall this many days after the start or later
    estimate_steps: tuple[int, ...] = (1,)  # estimates are multiples of one of these (in quarter hours)
    max_estimate_units: int = 64  # largest estimate, in quarter hours
    min_issues: int = 1


TINY = Shape(
    max_issues=5,
    max_owners=2,
    horizon_days=10,
    time_limit_s=5,
    pin_start_chance=1,
    hard_deadline_chance=2,
    hard_deadline_from_day=0,
)
# No pinned dates and rarer, later hard deadlines keep most medium requests feasible, so schedules get checked.
MEDIUM = Shape(
    max_issues=15,
    max_owners=3,
    horizon_days=21,
    time_limit_s=5,
    pin_start_chance=0,
    hard_deadline_chance=1,
    hard_deadline_from_day=14,
)


def _chance(draw: st.DrawFn, tenths: int) -> bool:
    """True with probability tenths/10 (shrinks to False)."""
    return draw(st.integers(0, 9)) < tenths


def _date_near(draw: st.DrawFn, start: date, before: int, after: int) -> date:
    """A date from `before` days before `start` to `after` days after it."""
    return start + timedelta(days=draw(st.integers(-before, after)))


def _quarter_hours(draw: st.DrawFn, low: int, high: int, step: int = 1) -> float:
    """Hours as a whole number of `step` quarter hours in [low, high] quarters."""
    return draw(st.integers(-(-low // step), high // step)) * step / 4


@st.composite
def _owner(draw: st.DrawFn, index: int, start: date, shape: Shape) -> dict[str, Any]:
    """One owner: hours, weekdays, a few days off, skills."""
    owner: dict[str, Any] = {
        "id": f"o{index}",
        "hours_per_day": draw(st.sampled_from(OWNER_HOURS)),
        "skills": draw(st.lists(st.sampled_from(SKILLS), unique=True, max_size=2)),
    }
    if _chance(draw, 4):
        owner["working_weekdays"] = draw(st.sampled_from(WEEKDAY_SETS))
    days_off = draw(st.lists(st.integers(0, shape.horizon_days), unique=True, max_size=2))
    owner["days_off"] = [start + timedelta(days=day) for day in days_off]
    owner["works_holidays"] = _chance(draw, 2)
    return owner


@st.composite
def _issue(
    draw: st.DrawFn,
    index: int,
    start: date,
    owners: list[dict[str, Any]],
    milestones: list[str],
    shape: Shape,
    step: int,
) -> dict[str, Any]:
    """One issue; dependencies only on earlier issues, skills some owner has; work in multiples of `step`."""
    issue: dict[str, Any] = {"id": f"i{index}", "priority": draw(st.sampled_from(list(Priority)))}
    if _chance(draw, 9):
        issue["estimate_hours"] = _quarter_hours(draw, 1, shape.max_estimate_units, step)
    if _chance(draw, 1):
        issue["remaining_hours"] = draw(st.sampled_from([0.0, _quarter_hours(draw, 1, 16, step)]))
    if milestones and _chance(draw, 6):
        issue["milestone"] = draw(st.sampled_from(milestones))
    if _chance(draw, 3):
        issue["deadline"] = _date_near(draw, start, 3, shape.horizon_days)
    if _chance(draw, shape.hard_deadline_chance):
        issue["deadline"] = start + timedelta(days=draw(st.integers(shape.hard_deadline_from_day, shape.horizon_days)))
        issue["hard_deadline"] = True
    if _chance(draw, 2):
        issue["not_before"] = _date_near(draw, start, 2, shape.horizon_days // 2)
    skilled = draw(st.sampled_from(owners))
    issue["skills"] = draw(st.lists(st.sampled_from(skilled["skills"]), unique=True)) if skilled["skills"] else []
    if _chance(draw, 2):
        eligible = [o["id"] for o in owners if set(issue["skills"]) <= set(o["skills"])]
        issue["pinned_owner"] = draw(st.sampled_from(eligible))
    if _chance(draw, shape.pin_start_chance):
        issue["pinned_start"] = _date_near(draw, start, 0, shape.horizon_days // 2)
    if index > 0:
        earlier = draw(st.lists(st.integers(0, index - 1), unique=True, max_size=2))
        issue["depends_on"] = [{"issue": f"i{j}", "lag_days": draw(st.integers(0, 2))} for j in earlier]
    return issue


@st.composite
def plan_requests(draw: st.DrawFn, shape: Shape = TINY) -> PlanRequest:
    """A valid request of the given shape."""
    start = draw(st.dates(FIRST_START, LAST_START))
    calendar: dict[str, Any] = {
        "working_weekdays": draw(st.sampled_from(WEEKDAY_SETS[:3])),
        "workday_start": draw(st.sampled_from(DAY_STARTS)),
        "holidays": [
            start + timedelta(days=day)
            for day in draw(st.lists(st.integers(-3, shape.horizon_days), unique=True, max_size=2))
        ],
    }
    if _chance(draw, 2):
        calendar["country"] = "JP"
    owner_count = draw(st.integers(1, shape.max_owners))
    owners = [draw(_owner(index, start, shape)) for index in range(owner_count)]
    milestones: list[dict[str, Any]] = [
        {"id": f"m{index}", "due": _date_near(draw, start, 5, shape.horizon_days)}
        for index in range(draw(st.integers(0, 2)))
    ]
    milestone_ids = [m["id"] for m in milestones]
    issue_count = draw(st.integers(shape.min_issues, shape.max_issues))
    step = draw(st.sampled_from(shape.estimate_steps))
    issues = [draw(_issue(index, start, owners, milestone_ids, shape, step)) for index in range(issue_count)]
    return PlanRequest.model_validate(
        {
            "start_date": start,
            "calendar": calendar,
            "owners": owners,
            "milestones": milestones,
            "issues": issues,
            "options": {"time_limit_s": shape.time_limit_s, "seed": 0, "mode": "deterministic"},
        }
    )


def tiny_requests() -> st.SearchStrategy[PlanRequest]:
    """Requests the oracle can search exhaustively: <= 5 issues, 1-2 owners, about two weeks."""
    return plan_requests(TINY)


def tiny_requests_in_hours() -> st.SearchStrategy[PlanRequest]:
    """Tiny requests estimated in half or whole hours, so that the model's time grain is usually coarser."""
    return plan_requests(replace(TINY, estimate_steps=(2, 4)))


@st.composite
def tiny_split_requests(draw: st.DrawFn) -> PlanRequest:
    """Tiny requests where one issue may be split (the oracle cuts it on every quarter hour), or, now and then,
    none (the request's default says one thing, every issue its own)."""
    shape = replace(TINY, min_issues=2, max_issues=3, max_estimate_units=32, estimate_steps=(1, 4))
    request = draw(plan_requests(shape))
    options = request.options.model_copy(
        update={
            "min_chunk_hours": draw(st.sampled_from([2.0, 3.0])),
            "max_pieces": draw(st.integers(2, 3)),
            "splittable": _chance(draw, 3),
        }
    )
    issues = [issue.model_copy(update={"splittable": False}) for issue in request.issues]
    if not options.splittable or _chance(draw, 7):
        chosen = draw(st.integers(0, len(issues) - 1))
        issues[chosen] = issues[chosen].model_copy(update={"splittable": True})
        if _chance(draw, 7):
            # Long enough to split, and something urgent released while it runs: where pieces pay.
            lowest = round(2 * options.min_chunk_hours * 4)
            work = _quarter_hours(draw, lowest, max(lowest, 48))
            options = options.model_copy(update={"max_pieces": 2})
            same_owners: dict[str, Any] = {
                "skills": [],
                "pinned_owner": None,
                "hard_deadline": False,
                "pinned_start": None,
                "depends_on": [],
            }
            issues[chosen] = issues[chosen].model_copy(
                update={
                    "estimate_hours": work,
                    "remaining_hours": None,
                    "priority": Priority.P3,
                    "not_before": None,
                    **same_owners,
                }
            )
            others = [index for index in range(len(issues)) if index != chosen]
            if others:
                urgent = draw(st.sampled_from(others))
                issues[urgent] = issues[urgent].model_copy(
                    update={
                        "priority": Priority.P0,
                        "estimate_hours": _quarter_hours(draw, 4, 16),
                        "remaining_hours": None,
                        "not_before": request.start_date + timedelta(days=draw(st.integers(1, 2))),
                        **same_owners,
                    }
                )
            # One owner for all of them, so that the urgent work lands on the long issue's owner.
            issues = [issue.model_copy(update=same_owners) for issue in issues]
            return request.model_copy(update={"options": options, "issues": issues, "owners": request.owners[:1]})
    return request.model_copy(update={"options": options, "issues": issues})


def medium_requests() -> st.SearchStrategy[PlanRequest]:
    """Requests of up to 15 issues and 3 owners, for invariants that need no oracle."""
    return plan_requests(MEDIUM)
