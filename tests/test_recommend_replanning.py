"""Recommendations above 50 issues come from warm re-plans; every one they call verified is re-checked here.

The recommenders record no evidence in their answers, so the tests wrap the planner: every re-plan they run is
kept, and each claim (a date met, a cut that meets the due date, longer days that do) must be backed by one of
those plans passing the independent checker, or by the plan being explained when the claim is its own finish.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest

from api_schemas import PlanRequest
from api_schemas.recommendations import TargetKind
from api_schemas.result import PlanResult
from benchmarks.generator import AgentPool, Size, generate
from checker.schedule_checker import check_schedule
from solver.planner import plan
from solver.recommend.budget import Budget
from solver.recommend.capacity import compute_capacity
from solver.recommend.context import Context
from solver.recommend.extension import compute_extension
from solver.recommend.overdue import compute_overdue
from solver.recommend.scope_cut import NO_CUT_NEEDED, compute_scope_cut
from solver.recommend.targets import Target, find_targets, planned_finish
from tests.test_recommend_support import explained

#: Just above the size where the plan stops building the full model (six owners, 60 issues, two milestones).
SIZE = Size("T60", 3, (AgentPool(3, ("backend", "frontend"), 8),), 60, 10)
#: Seconds of recommendations: many times what a 60-issue re-plan needs, so a slow machine still finishes.
SECONDS = 6.0


@dataclass
class Recorder:
    """The planner, keeping every re-plan with its request and whether it was warm-started from the base plan."""

    base: PlanResult | None = None
    plans: list[tuple[PlanRequest, PlanResult, bool]] = field(default_factory=list)

    def __call__(self, request: PlanRequest, *, warm_start: PlanResult | None = None) -> PlanResult:
        result = plan(request, with_recommendations=False, warm_start=warm_start)
        self.plans.append((request, result, warm_start is not None and warm_start is self.base))
        return result


def _setup(seed: int, monkeypatch: pytest.MonkeyPatch) -> tuple[Context, Recorder, list[Target]]:
    """The plan of a generated backlog, the context its recommendations start from, and its late targets."""
    request = generate(SIZE, seed=seed, time_limit_s=2.0)
    recorder = Recorder()
    context = explained(request, monkeypatch, recorder)
    recorder.base = context.result
    assert len(context.problem.tasks) > 50
    assert not check_schedule(request, context.result)
    return context, recorder, [t for t in find_targets(request, context.result) if t.status.value == "late"]


def _budget(context: Context) -> Budget:
    return Budget.of(context.request.options, SECONDS, len(context.problem.tasks), model_cost=5.0, replan_cost=0.05)


def _due_of(request: PlanRequest, target: Target) -> date | None:
    if target.kind == TargetKind.MILESTONE:
        return next(m.due for m in request.milestones if m.id == target.id)
    return next(i.deadline for i in request.issues if i.id == target.id)


def _backed(recorder: Recorder, target: Target, day: date, *, due: date | None = None) -> bool:
    """True when some recorded re-plan is checker-clean and finishes the target by `day` (with due `due`)."""
    for request, result, _ in recorder.plans:
        if due is not None and _due_of(request, target) != due:
            continue
        finish = planned_finish(result, target.kind, target.id)
        if finish is not None and finish <= day and not check_schedule(request, result):
            return True
    return False


@pytest.mark.parametrize("seed", [0, 3])
def test_extension_is_met_by_a_checked_plan_and_never_claimed_minimal(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    context, recorder, late = _setup(seed, monkeypatch)
    assert late, "the backlog must have a late milestone"
    for target in late:
        extension, note = compute_extension(context, target, _budget(context))
        assert note is None and extension is not None
        assert target.planned_finish is not None
        assert target.due < extension.new_date <= target.planned_finish
        assert extension.verified and not extension.proven_minimal
        if extension.new_date < target.planned_finish:
            assert _backed(recorder, target, extension.new_date, due=extension.new_date)
        else:
            assert not check_schedule(context.request, context.result)
    assert recorder.plans and all(warm for _, _, warm in recorder.plans)


def _meets_due(request: PlanRequest, result: PlanResult, target: Target) -> bool:
    finish = planned_finish(result, target.kind, target.id)
    return finish is not None and finish <= target.due and not check_schedule(request, result)


@pytest.mark.parametrize("seed", [2, 7])
def test_scope_cut_defers_only_late_issues_with_their_dependants_and_a_checked_replan_meets_the_due_date(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    context, recorder, late = _setup(seed, monkeypatch)
    finishes = {issue.id: issue.finish for issue in context.result.issues if issue.finish is not None}
    cuts = 0
    for target in late:
        cut, reason = compute_scope_cut(context, target, _budget(context))
        if cut is None:
            assert reason is not None
            if reason == NO_CUT_NEEDED:
                assert any(_meets_due(request, result, target) for request, result, _ in recorder.plans)
            else:
                assert "needs" in reason  # else only work outside the milestone blocks a cut
            continue
        cuts += 1
        late_in_plan = {i for i in target.issue_ids if i in finishes and finishes[i].date() > target.due}
        deferred = {issue.id for issue in cut.deferred}
        assert deferred and deferred <= late_in_plan  # the late issues, less those a re-plan could put back
        for issue in context.request.issues:
            if issue.work_hours and any(dependency.issue in deferred for dependency in issue.depends_on):
                assert issue.id in deferred, f"{issue.id} needs a deferred issue but is kept"
        assert cut.verified and not cut.proven
        assert any(
            not {i.id for i in request.issues} & deferred and _meets_due(request, result, target)
            for request, result, _ in recorder.plans
        )
    assert cuts, "the backlog must have a milestone that a cut can save"


def test_extra_capacity_is_backed_by_checked_replans(monkeypatch: pytest.MonkeyPatch) -> None:
    context, recorder, late = _setup(2, monkeypatch)
    base_hours = {o.id: o.hours_per_day for o in context.request.owners}
    for target in late:
        capacity = compute_capacity(context, target, _budget(context))
        hours = capacity.extra_hours
        assert hours is not None, capacity.note
        assert hours.verified and not hours.proven_minimal
        assert any(
            all(
                o.hours_per_day == min(24.0, base_hours[o.id] + hours.hours_per_day)
                for o in request.owners
                if o.id in hours.owners
            )
            and _meets_due(request, result, target)
            for request, result, _ in recorder.plans
        )
        owners = capacity.extra_owners
        if owners is None:
            assert capacity.owners_cannot_help is not None or capacity.note
            continue
        assert owners.verified and not owners.proven_minimal
        assert any(
            len(request.owners) == len(context.request.owners) + owners.count and _meets_due(request, result, target)
            for request, result, _ in recorder.plans
        )


def test_a_60_issue_plan_gets_verified_alternatives_within_its_time_limit() -> None:
    request = generate(SIZE, seed=0, time_limit_s=8.0)
    result = plan(request)
    assert result.recommendations is not None
    late = [r for r in result.recommendations.targets if r.status.value == "late"]
    assert late
    for recommendation in late:
        assert recommendation.extension is not None and recommendation.extension.verified
        assert recommendation.scope_cut is None or not recommendation.scope_cut.proven


def test_an_overdue_milestone_gets_the_finish_of_a_checked_replan_that_puts_it_first(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    generated = generate(SIZE, seed=0, time_limit_s=2.0)
    overdue_due = generated.start_date - timedelta(days=3)
    milestones = [m.model_copy(update={"due": overdue_due}) if m.id == "M2" else m for m in generated.milestones]
    recorder = Recorder()
    context = explained(generated.model_copy(update={"milestones": milestones}), monkeypatch, recorder)
    recorder.base = context.result
    (target,) = [t for t in find_targets(context.request, context.result) if t.status.value == "overdue"]
    overdue = compute_overdue(context, target, _budget(context))
    assert overdue.earliest_finish is not None and not overdue.earliest_finish_proven
    assert target.planned_finish is not None and overdue.earliest_finish <= target.planned_finish
    raised = set(target.issue_ids)
    backed = [
        request
        for request, result, warm in recorder.plans
        if warm
        and all(i.priority == "P0" for i in request.issues if i.id in raised)
        and not check_schedule(request, result)
        and planned_finish(result, target.kind, target.id) == overdue.earliest_finish
    ]
    assert backed or overdue.earliest_finish == target.planned_finish


def test_a_part_of_a_large_budget_always_fits_one_replan_while_the_whole_does() -> None:
    options = generate(SIZE, seed=0).options
    budget = Budget.of(options, 3.0, tasks=60, model_cost=9.0, replan_cost=1.0)
    assert budget.by_replanning and budget.startup == 1.0
    assert budget.part(0.1).left() >= 1.1  # not 0.3 s: one re-plan needs 1.0 s before it searches
    fraction = budget.replan_fraction(0.1)
    assert fraction is not None and 0.35 <= fraction <= 0.45
    assert budget.replan_fraction(0.5) == 0.5
    assert Budget.of(options, 0.5, tasks=60, replan_cost=1.0).replan_fraction(1.0) is None
    small = Budget.of(options, 3.0, tasks=30, model_cost=1.0)
    assert not small.by_replanning and small.part(0.1).left() <= 0.31
