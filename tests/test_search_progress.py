"""The solver's progress hook: each step of the search with its numbers, and the best plan so far, checked."""

from __future__ import annotations

import json

from api_schemas.request import PlanRequest
from checker.schedule_checker import check_schedule
from solver.planner import PlanProgress, plan
from tests.live_servers import ROOT


def test_the_hook_hears_every_level_and_each_best_plan_passes_the_checker() -> None:
    request = PlanRequest.model_validate(json.loads((ROOT / "examples" / "reference_backlog.json").read_text()))
    request.options.time_limit_s = 2
    steps: list[PlanProgress] = []
    plans = []
    numbers: list[tuple[str, int, int, float]] = []

    def hook(progress: PlanProgress) -> None:
        steps.append(progress)
        if progress.best_plan is not None:
            plans.append((progress.step, progress.best_plan()))

    result = plan(request, with_recommendations=False, on_progress=hook,
                  progress=lambda *values: numbers.append(values))
    assert plans, "the search reported no plan"
    assert len(numbers) == len(steps)  # the numbers-only callback hears the same steps
    for step, best in plans:
        assert best.checked and check_schedule(request, best) == []
        assert [stage.value for stage in best.objective] == [level.value for level in step.levels]
        assert all(stage.bound <= stage.value for stage in best.objective)
        assert step.levels_proven == sum(1 for stage in best.objective[: step.position + 1] if stage.proven)
    proven = [step.levels_proven for step, _ in plans]
    assert proven == sorted(proven)
    # The last plan reported is the plan returned, with every level the search proved.
    last_step, last_plan = plans[-1]
    assert [stage.value for stage in last_plan.objective] == [stage.value for stage in result.objective]
    assert last_step.levels_total == len(result.objective)
    assert {step.step.level for step in steps} <= {stage.name for stage in result.objective}
