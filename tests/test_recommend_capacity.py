"""Capacity: the fewest extra owners or hours that meet the date, one fewer not; chains no owner can shorten."""

from __future__ import annotations

from datetime import date

from api_schemas import PlanRequest
from solver.planner import plan
from tests.test_recommend_support import make_request, meets, target, with_extra_owners, with_longer_days

DUE = date(2025, 11, 25)
MILESTONE = [{"id": "m", "due": DUE.isoformat()}]


def parallel_request() -> PlanRequest:
    # ann (backend), 8 h Mon-Fri, and four independent 8 h backend issues due Tuesday: 32 h of work, 16 h
    # of capacity. One more 8 h owner gives 32 h over Mon-Tue; none gives 16 h. Longer days: 32 h in two
    # days is 16 h a day, +8 h; +7.75 h gives 2 x 15.75 = 31.5 h < 32 h.
    issues = [
        {"id": f"i{n}", "estimate_hours": 8, "priority": "P1", "milestone": "m", "skills": ["backend"]}
        for n in range(4)
    ]
    return make_request(issues, milestones=MILESTONE, owners=[{"id": "ann", "skills": ["backend"]}])


def test_one_extra_owner_with_the_skill_is_needed_and_enough() -> None:
    request = parallel_request()
    capacity = target(plan(request), "milestone:m").capacity
    assert capacity is not None and capacity.owners_cannot_help is None
    owners = capacity.extra_owners
    assert owners is not None
    assert owners.count == 1
    assert [(g.count, g.skills, g.hours_per_day) for g in owners.groups] == [(1, ["backend"], 8)]
    assert owners.proven_minimal and owners.verified
    assert meets(with_extra_owners(request, 1, 8, ["backend"]), "milestone", "m", DUE)
    assert not meets(with_extra_owners(request, 0, 8, ["backend"]), "milestone", "m", DUE)
    assert not meets(with_extra_owners(request, 3, 8, []), "milestone", "m", DUE)  # without the skill


def test_longer_days_are_minimal_to_the_quarter_hour() -> None:
    request = parallel_request()
    capacity = target(plan(request), "milestone:m").capacity
    assert capacity is not None and capacity.extra_hours is not None
    assert (capacity.extra_hours.hours_per_day, capacity.extra_hours.owners) == (8, ["ann"])
    assert capacity.extra_hours.proven_minimal and capacity.extra_hours.verified
    assert meets(with_longer_days(request, ["ann"], 8), "milestone", "m", DUE)
    assert not meets(with_longer_days(request, ["ann"], 7.75), "milestone", "m", DUE)


def test_a_chain_longer_than_the_time_left_is_named_instead_of_owners() -> None:
    # a -> b -> c, 8 h each, due Tuesday: even with unlimited owners the chain needs Mon, Tue and Wed.
    # Longer days do help: 24 h in two days is 12 h a day, +4 h (a Mon 09-17, b until Tue 13:00, c until
    # Tue 21:00); +3.75 h gives 23.5 h < 24 h.
    request = make_request(
        [
            {"id": "a", "estimate_hours": 8, "priority": "P1", "milestone": "m"},
            {"id": "b", "estimate_hours": 8, "priority": "P1", "milestone": "m", "depends_on": ["a"]},
            {"id": "c", "estimate_hours": 8, "priority": "P1", "milestone": "m", "depends_on": ["b"]},
        ],
        milestones=MILESTONE,
    )
    recommendation = target(plan(request), "milestone:m")
    capacity = recommendation.capacity
    assert capacity is not None and capacity.extra_owners is None
    chain = capacity.owners_cannot_help
    assert chain is not None
    assert (chain.ids, chain.hours, chain.working_days, chain.working_days_left) == (["a", "b", "c"], 24, 3, 2)
    assert chain.earliest_finish == date(2025, 11, 26)
    assert not meets(with_extra_owners(request, 2, 8, []), "milestone", "m", DUE)
    assert capacity.extra_hours is not None and capacity.extra_hours.hours_per_day == 4
    assert meets(with_longer_days(request, ["ann"], 4), "milestone", "m", DUE)
    assert not meets(with_longer_days(request, ["ann"], 3.75), "milestone", "m", DUE)
    assert "more owners cannot help: the chain a -> b -> c needs 3 working days (24 h)" in recommendation.summary
