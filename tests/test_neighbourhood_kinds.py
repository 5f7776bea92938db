"""Neighbourhood kinds: each one's free tasks make a valid sub-problem, and the adaptive choice repeats for a seed."""

from __future__ import annotations

import random

from ortools.sat.python import cp_model

from api_schemas import SolveStatus
from benchmarks.evaluation import checked_result, level_names
from benchmarks.instances import InstanceSpec
from solver.bounds.earliest_finish import earliest_finishes
from solver.budget.time_budget import affordable_rounds
from solver.model import build_model
from solver.planner import prepare_with_start
from solver.prepared.problem import PreparedProblem
from solver.prepared.schedule import Schedule
from solver.search.neighbourhood import PlanState, free_tasks
from solver.search.neighbourhood_kinds import FLOOR_SHARE, LATE_START, Kind, KindChoice, KindPicker
from solver.starts.squeaky_wheel import round_seconds, squeaky_wheel


def _started(size: str, seed: int) -> tuple[PreparedProblem, Schedule]:
    """A generated backlog of `size` with the planner's improved greedy start."""
    request = InstanceSpec(size, seed, "mixed", 10.0, "deterministic").request()
    problem, start = prepare_with_start(request)
    assert start is not None
    improved = squeaky_wheel(problem, start, affordable_rounds(2.0, round_seconds(problem)), seed)
    assert improved.schedule is not None
    return problem, improved.schedule


def _draws(seed: int, outcomes: list[tuple[float, float]]) -> list[Kind]:
    """The kinds a choice seeded `seed` draws when the i-th neighbourhood gains and costs `outcomes[i]`."""
    choice = KindChoice(list(Kind), random.Random(seed))
    drawn = []
    for gain, charge in outcomes:
        kind = choice.draw()
        drawn.append(kind)
        choice.record(kind, gain, charge)
    return drawn


def test_the_kind_drawn_depends_only_on_the_seed_and_the_outcomes() -> None:
    outcomes = [(0.01 * (i % 3), 0.05 + 0.01 * (i % 5)) for i in range(200)]
    assert _draws(4, outcomes) == _draws(4, outcomes)
    assert _draws(4, outcomes) != _draws(5, outcomes)


def test_kinds_that_gain_more_per_second_are_drawn_more_and_none_starves() -> None:
    choice = KindChoice(list(Kind), random.Random(0))
    assert choice.probabilities() == [1 / len(Kind)] * len(Kind)  # no record yet: even
    drawn = dict.fromkeys(Kind, 0)
    for _ in range(3000):
        kind = choice.draw()
        drawn[kind] += 1
        # ROOM closes 2 % of the gap per neighbourhood, CHAIN 1 %, the others nothing; all cost the same.
        choice.record(kind, {Kind.ROOM: 0.02, Kind.CHAIN: 0.01}.get(kind, 0.0), 0.05)
    chances = dict(zip(choice.kinds, choice.probabilities(), strict=True))
    assert abs(sum(chances.values()) - 1.0) < 1e-9
    assert all(chance >= FLOOR_SHARE / len(Kind) - 1e-12 for chance in chances.values())
    assert chances[Kind.ROOM] > chances[Kind.CHAIN] > chances[Kind.OWNERS]
    assert drawn[Kind.ROOM] > drawn[Kind.CHAIN] > max(drawn[k] for k in (Kind.OWNERS, Kind.EVERYONE, Kind.BLOCKERS))
    assert min(drawn.values()) > 3000 * FLOOR_SHARE / len(Kind) / 2


def test_each_kind_sets_free_what_it_says_and_its_sub_problems_keep_the_plan_valid() -> None:
    problem, schedule = _started("M", 1)
    state = PlanState(problem, schedule)
    earliest = earliest_finishes(problem)
    picker = KindPicker(state, earliest)
    rng = random.Random(11)
    ends = {t.index: problem.team_time(state.spans[t.index][1]) for t in problem.tasks}
    anchors = [t for t in problem.tasks if t.rank == 1 and ends[t.index] > earliest[t.index].team_time]
    assert anchors, "a 200-issue greedy plan has late P1 work"
    used = set()
    for kind in Kind:
        for _ in range(3):
            size = 24
            chosen = picker.free(kind, anchors, size, rng)
            used.add(chosen.kind)
            anchor, free = chosen.anchor, chosen.free
            assert anchor in {t.index for t in anchors}
            assert anchor in free and free == sorted(set(free)) and len(free) <= size + 1
            late = state.spans[anchor][0] - earliest[anchor].start >= LATE_START
            if chosen.kind is Kind.ROOM:
                # Work that held the anchor's owners between its earliest start and its start is free.
                assert late
                start, first = state.spans[anchor][0], earliest[anchor].start
                occupying = [
                    i for r in problem.tasks[anchor].resources for i in state.on_resource[r]
                    if i != anchor and state.spans[i][1] > first and state.spans[i][0] < start
                ]
                assert not occupying or set(occupying) & set(free)
            if chosen.kind is Kind.CHAIN:
                # A predecessor that starts late and releases the anchor late is free.
                preds = {pred for pred, _ in problem.tasks[anchor].preds} & set(free)
                assert any(state.spans[i][0] - earliest[i].start >= LATE_START for i in preds)
            hood = free_tasks(state, free, rng)
            plan_model = build_model(hood.problem)
            plan_model.hint(hood.restrict(state.schedule))
            assert plan_model.complete_hint(5.0) is not None  # the plan as it is fits the sub-problem
            # Adversarial: finishes as late as the sub-problem allows still make a valid plan.
            plan_model.model.maximize(sum(tv.team_end for tv in plan_model.tasks))
            solver = cp_model.CpSolver()
            solver.parameters.num_workers = 1
            solver.parameters.max_deterministic_time = 0.05
            assert solver.solve(plan_model.model) in (cp_model.OPTIMAL, cp_model.FEASIBLE)
            moved = PlanState(problem, state.schedule)
            moved.place(hood.placements(plan_model.read(solver)))
            assert checked_result(problem, moved.schedule, SolveStatus.FEASIBLE, level_names(problem))[1] == []
    assert used == set(Kind)  # every kind applied (none always fell back)
