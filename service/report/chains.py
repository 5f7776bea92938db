"""The binding chain of a milestone: the issues, waits and busy owners that fix when its last issue finishes.

Walking back from the milestone's last-finishing issue, each step asks why that issue starts exactly when
it does: a dependency (with its lag) releases it at that instant, or its owner's previous work ends then
(with no working time of the owner in between). The walk stops at an issue that starts as early as its
owner, the plan start and its not-before date allow, or where the reason is something else (a pinned start).
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from api_schemas.result import IssuePlan
from service.report.plan_view import PlanView, midnight

#: Longest chain followed; plans with longer chains show its last links.
_MAX_LINKS = 200


class Link(StrEnum):
    """Why an issue in a chain starts when it does."""

    DEPENDENCY = "dependency"
    LAG = "lag"
    OWNER_BUSY = "owner busy"
    EARLIEST = "earliest start"
    OTHER = "other"


@dataclass(frozen=True)
class ChainStep:
    """One issue of a binding chain and what holds its start (`lag_days` for a dependency with a lag)."""

    issue: IssuePlan
    held_by: Link
    lag_days: int = 0


def _binding_dependency(view: PlanView, issue: IssuePlan, starts: datetime) -> tuple[IssuePlan, int] | None:
    """The planned prerequisite whose release (finish plus lag) is this issue's start, if any."""
    owner = issue.owner or ""
    for dependency in view.requested[issue.id].depends_on:
        before = view.issues.get(dependency.issue)
        if before is None or before.finish is None:
            continue
        release = view.working_time.release(before.finish, dependency.lag_days)
        if view.working_time.next_working_instant(owner, release) == starts:
            return before, dependency.lag_days
    return None


def _previous_work_of_owner(view: PlanView, issue: IssuePlan, starts: datetime) -> IssuePlan | None:
    """The owner's issue that ends right before this one starts (no working time of the owner in between)."""
    owner = issue.owner or ""
    finishes = view.finishes_by_owner.get(owner, [])
    # An owner's work does not overlap, so only the last issue finishing by `starts` can end right before it.
    position = bisect_right(finishes, (starts, "\U0010ffff"))
    while position > 0:
        position -= 1
        finish, other_id = finishes[position]
        if other_id == issue.id:
            continue
        if view.working_time.next_working_instant(owner, finish) == starts:
            return view.issues[other_id]
        return None
    return None


def _starts_at_earliest(view: PlanView, issue: IssuePlan, starts: datetime) -> bool:
    """True when nothing but the plan start, the not-before date and the owner's calendar holds the start."""
    not_before = view.requested[issue.id].not_before
    earliest = midnight(max(view.start_date, not_before or view.start_date))
    return view.working_time.next_working_instant(issue.owner or "", earliest) == starts


def binding_chain(view: PlanView, last: IssuePlan) -> list[ChainStep]:
    """The chain ending in `last`, first issue first; each step says what holds that issue's start."""
    steps: list[ChainStep] = []
    current: IssuePlan | None = last
    seen: set[str] = set()
    while current is not None and current.start is not None and current.id not in seen and len(steps) < _MAX_LINKS:
        seen.add(current.id)
        starts = current.start
        dependency = _binding_dependency(view, current, starts)
        if dependency is not None:
            before, lag = dependency
            steps.append(ChainStep(current, Link.LAG if lag else Link.DEPENDENCY, lag))
            current = before
            continue
        busy = _previous_work_of_owner(view, current, starts)
        if busy is not None:
            steps.append(ChainStep(current, Link.OWNER_BUSY))
            current = busy
            continue
        held = Link.EARLIEST if _starts_at_earliest(view, current, starts) else Link.OTHER
        steps.append(ChainStep(current, held))
        current = None
    return steps[::-1]


def milestone_chain(view: PlanView, milestone_id: str) -> list[ChainStep]:
    """The binding chain of a milestone's last-finishing issue (empty when nothing of it is planned)."""
    members = [issue for issue in view.members(milestone_id) if issue.finish is not None]
    if not members:
        return []
    last = max(members, key=lambda issue: (issue.finish or datetime.min, issue.id))
    return binding_chain(view, last)
