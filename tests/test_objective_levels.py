"""The objective's one description of its levels: names users see, their reading back, and every user of the list."""

from __future__ import annotations

import pytest

from api_schemas import LevelKind, ObjectiveLevelId, Priority
from benchmarks.evaluation import level_names
from benchmarks.instances import InstanceSpec
from solver.bounds.earliest_finish import earliest_finishes
from solver.bounds.schedule_levels import level_floors, level_values, problem_levels
from solver.levels import LEVELS, levels_of
from solver.model import build_model
from solver.planner import prepare_with_start
from solver.search.neighbourhood_search import NeighbourhoodSearch
from solver.starts.squeaky_wheel import lateness_floors

NAMES = [
    "P0 lateness (working days)",
    "P1 lateness (working days)",
    "P2 lateness (working days)",
    "P3 lateness (working days)",
    "P0 finish (team quarter hours)",
    "P1 finish (team quarter hours)",
    "P2 finish (team quarter hours)",
    "P3 finish (team quarter hours)",
]


def test_levels_are_lateness_then_finish_by_priority_with_the_names_users_see() -> None:
    assert [level.name for level in LEVELS] == NAMES
    assert [(level.kind, level.priority) for level in LEVELS[:4]] == [(LevelKind.LATENESS, p) for p in Priority]
    assert [level.label for level in LEVELS[4:]] == ["P0 finish", "P1 finish", "P2 finish", "P3 finish"]
    assert [level.name for level in levels_of([3, 1, 1])] == [NAMES[1], NAMES[3], NAMES[5], NAMES[7]]


def test_a_stage_name_reads_back_as_its_level() -> None:
    assert [ObjectiveLevelId.parse(name) for name in NAMES] == list(LEVELS)
    assert ObjectiveLevelId.parse("P2 finish") == ObjectiveLevelId(LevelKind.FINISH, Priority.P2)
    assert ObjectiveLevelId.parse("P1 lateness (x)") == ObjectiveLevelId(LevelKind.LATENESS, Priority.P1)


@pytest.mark.parametrize(
    "name", ["", "P0", "lateness P0", "P4 lateness", "P0 slack (days)", "P0 latenessy", "p0 finish"]
)
def test_other_names_are_no_level(name: str) -> None:
    assert ObjectiveLevelId.parse(name) is None


def test_model_values_bounds_search_and_benchmarks_share_the_levels() -> None:
    problem, start = prepare_with_start(InstanceSpec("S", 1).request())
    assert start is not None
    levels = problem_levels(problem)
    assert levels == levels_of(task.rank for task in problem.tasks)
    names = [level.name for level in levels]
    plan_model = build_model(problem)
    assert [level.id for level in plan_model.levels] == levels
    assert [level.name for level in plan_model.levels] == names == level_names(problem)
    assert NeighbourhoodSearch(problem, start, 0).names == names
    values, floors = level_values(problem, start), level_floors(problem, earliest_finishes(problem))
    assert len(values) == len(floors) == len(levels)
    assert [level.static_bound for level in plan_model.levels] == floors
    lateness = [position for position, level in enumerate(levels) if level.kind is LevelKind.LATENESS]
    assert lateness_floors(problem) == [floors[position] for position in lateness]
