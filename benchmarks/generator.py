"""Seeded backlog generator: realistic plan requests of a given size, the same for the same seed.

A backlog has milestones with due dates, priorities skewed towards P1/P2, estimates of 1-40 h, a
dependency DAG with chains, fan-in and fan-out and a few lags, skills, people with their own hours and
days off, and pools of identical AI agents. The `identical` variant keeps the backlog but gives it
interchangeable 8-hour owners on the team calendar (no skills, pins or days off), which is what a plain
scheduling library can express.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from api_schemas.common import Priority, Weekday
from api_schemas.request import (
    Calendar,
    Dependency,
    Issue,
    Milestone,
    Owner,
    PlanRequest,
    SolveMode,
    SolverOptions,
)

#: The plan of every generated instance starts on a Monday.
START = date(2026, 1, 5)
SKILLS = ("backend", "frontend", "infra", "data", "mobile")
EVERY_DAY = list(Weekday)
MON_TO_THU = [Weekday.MON, Weekday.TUE, Weekday.WED, Weekday.THU]


@dataclass(frozen=True)
class AgentPool:
    """A pool of identical AI agents: how many, their skills and hours."""

    size: int
    skills: tuple[str, ...]
    hours_per_day: float


@dataclass(frozen=True)
class Size:
    """A benchmark size: owners (people plus agent pools), issues and the working days the due dates span."""

    name: str
    people: int
    pools: tuple[AgentPool, ...]
    issues: int
    working_days: int

    @property
    def owners(self) -> int:
        """People plus agents."""
        return self.people + sum(pool.size for pool in self.pools)


SIZES: dict[str, Size] = {
    "S": Size("S", 3, (AgentPool(2, ("backend", "frontend"), 8),), 30, 10),
    "M": Size("M", 8, (AgentPool(8, ("backend", "frontend"), 8), AgentPool(4, ("infra", "data"), 12)), 200, 30),
    "L": Size("L", 15, (AgentPool(25, ("backend", "frontend"), 8), AgentPool(10, ("infra", "data"), 12)), 500, 40),
    "XL": Size("XL", 50, (AgentPool(150, ("backend", "frontend", "infra", "data"), 8),), 2000, 60),
}


def _team_working_days(start: date, count: int, holidays: set[date]) -> list[date]:
    """The first `count` Mon-Fri dates from `start` that are not holidays."""
    days: list[date] = []
    day = start
    while len(days) < count:
        if day.weekday() < 5 and day not in holidays:
            days.append(day)
        day += timedelta(days=1)
    return days


def _estimate(rng: random.Random) -> float:
    """1-40 h on the quarter-hour grid, mostly small: 60 % up to 8 h, 30 % 8-24 h, 10 % 24-40 h."""
    draw = rng.random()
    low, high = (1.0, 8.0) if draw < 0.6 else (8.0, 24.0) if draw < 0.9 else (24.0, 40.0)
    return round(rng.uniform(low, high) * 2) / 2


def _priority(rng: random.Random) -> Priority:
    """Skewed towards P1/P2: 5 % P0, 35 % P1, 45 % P2, 15 % P3."""
    return rng.choices([Priority.P0, Priority.P1, Priority.P2, Priority.P3], weights=[5, 35, 45, 15])[0]


def _people(rng: random.Random, count: int, workdays: list[date]) -> list[Owner]:
    """People with one to three skills, different hours, some part-time weekdays and a few days off."""
    people: list[Owner] = []
    for n in range(count):
        hours = rng.choice([8.0, 8.0, 8.0, 7.5, 7.0, 6.0, 4.0])
        skills = sorted(rng.sample(SKILLS, rng.randint(1, 3)))
        weekdays = MON_TO_THU if rng.random() < 0.15 else None
        days_off: list[date] = []
        if rng.random() < 0.3:
            first = rng.randrange(len(workdays))
            days_off = workdays[first : first + rng.randint(1, 5)]
        people.append(Owner(
            id=f"person-{n:03d}", name=f"Person {n}", hours_per_day=hours, skills=skills,
            working_weekdays=weekdays, days_off=days_off,
        ))
    return people


def _agents(pools: tuple[AgentPool, ...]) -> list[Owner]:
    """Identical agents per pool: same skills and hours, working every day including holidays."""
    return [
        Owner(
            id=f"agent-{p}-{n:03d}", hours_per_day=pool.hours_per_day, skills=list(pool.skills),
            working_weekdays=EVERY_DAY, works_holidays=True,
        )
        for p, pool in enumerate(pools)
        for n in range(pool.size)
    ]


def _milestones(rng: random.Random, size: Size, workdays: list[date]) -> list[Milestone]:
    """About one milestone per 25 issues, due on working days spread over the size's span, the last at its end."""
    count = max(2, size.issues // 25)
    span = len(workdays)
    dues = sorted(workdays[max(0, round(span * (0.25 + 0.75 * (k + 1) / count)) - 1)] for k in range(count))
    return [Milestone(id=f"M{k + 1}", name=f"Milestone {k + 1}", due=due) for k, due in enumerate(dues)]


def _dependencies(rng: random.Random, index: int, milestone_of: list[int], hubs: list[int]) -> list[Dependency]:
    """Chains (the previous issue of the milestone), fan-in (several earlier issues), fan-out (shared hubs)."""
    if index == 0 or rng.random() < 0.35:
        return []
    preds: set[int] = set()
    same = [j for j in range(max(0, index - 12), index) if milestone_of[j] == milestone_of[index]]
    if same and rng.random() < 0.7:
        preds.add(same[-1])
    for _ in range(rng.choice([0, 0, 1, 2])):
        preds.add(rng.randrange(max(0, index - 40), index))
    earlier_hubs = [h for h in hubs if h < index]
    if earlier_hubs and rng.random() < 0.2:
        preds.add(rng.choice(earlier_hubs))
    return [
        Dependency(issue=f"#{j + 1}", lag_days=rng.choice([1, 1, 2]) if rng.random() < 0.1 else 0)
        for j in sorted(preds)
    ]


def _issues(rng: random.Random, size: Size, milestones: list[Milestone], owners: list[Owner],
            workdays: list[date]) -> list[Issue]:
    """The backlog in a topological order: milestone work mostly in due-date order, plus unassigned backlog."""
    count = size.issues
    milestone_of = sorted(rng.randrange(len(milestones) + 1) for _ in range(count))
    hubs = rng.sample(range(count), max(1, count // 40))
    people = [owner for owner in owners if owner.id.startswith("person-")]
    held = sorted({skill for owner in owners for skill in owner.skills})
    issues: list[Issue] = []
    for index in range(count):
        m = milestone_of[index]
        estimate: float | None = _estimate(rng)
        remaining: float | None = None
        if rng.random() < 0.02:
            estimate = None
        elif estimate is not None and estimate > 2 and rng.random() < 0.1:
            remaining = round(estimate * rng.uniform(0.2, 0.9) * 4) / 4
        skills = [rng.choice(held)] if rng.random() < 0.7 else []
        pinned: str | None = None
        if rng.random() < 0.03:
            qualified = [p for p in people if set(skills) <= set(p.skills)]
            pinned = rng.choice(qualified).id if qualified else None
        not_before = workdays[rng.randrange(len(workdays) // 3 + 1)] if rng.random() < 0.05 else None
        issues.append(Issue(
            id=f"#{index + 1}", title=f"Issue {index + 1}", estimate_hours=estimate, remaining_hours=remaining,
            priority=_priority(rng), milestone=milestones[m].id if m < len(milestones) else None,
            skills=skills, pinned_owner=pinned, not_before=not_before,
            depends_on=_dependencies(rng, index, milestone_of, hubs),
        ))
    return issues


def generate(size: Size, seed: int = 0, time_limit_s: float = 10.0, mode: SolveMode = SolveMode.DETERMINISTIC,
             identical: bool = False) -> PlanRequest:
    """A plan request of `size`, the same for the same seed; `identical` gives interchangeable owners."""
    rng = random.Random(f"{size.name}-{seed}")
    holidays = {START + timedelta(days=rng.randrange(14, 14 + 7 * (size.working_days // 5)))}
    workdays = _team_working_days(START, size.working_days, holidays)
    owners = _people(rng, size.people, workdays) + _agents(size.pools)
    milestones = _milestones(rng, size, workdays)
    issues = _issues(rng, size, milestones, owners, workdays)
    if identical:
        owners = [Owner(id=f"owner-{n:03d}", hours_per_day=8) for n in range(size.owners)]
        issues = [issue.model_copy(update={"skills": [], "pinned_owner": None}) for issue in issues]
    return PlanRequest(
        start_date=START,
        calendar=Calendar(holidays=sorted(holidays)),
        owners=owners,
        milestones=milestones,
        issues=issues,
        options=SolverOptions(time_limit_s=time_limit_s, seed=seed, mode=mode),
    )
