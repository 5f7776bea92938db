"""Unit tests of plan summaries and scenario differences on hand-made plans."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel

from api_schemas.request import Calendar
from api_schemas.result import IssuePlan, IssueStatus, MilestonePlan, MilestoneStatus, PlanResult, SolveStatus
from service.diff import diff_plans, plan_summary, recommendation_changes
from solver.calendars.working_time import TeamCalendar

#: Monday to Friday, no holidays.
WEEKDAYS = TeamCalendar(Calendar())


def issue(issue_id: str, owner: str | None, start: str | None, finish: str | None, late: bool = False,
          status: IssueStatus = IssueStatus.PLANNED) -> IssuePlan:
    return IssuePlan(
        id=issue_id, priority="P1", status=status, owner=owner,
        start=datetime.fromisoformat(start) if start else None,
        finish=datetime.fromisoformat(finish) if finish else None,
        late=late,
    )


def milestone(milestone_id: str, finish: str | None, status: MilestoneStatus) -> MilestonePlan:
    return MilestonePlan(
        id=milestone_id, due=date(2025, 3, 7), status=status,
        projected_finish=date.fromisoformat(finish) if finish else None, issues=1, work_hours=8,
    )


def result(issues: list[IssuePlan], milestones: list[MilestonePlan], status: SolveStatus = SolveStatus.OPTIMAL,
           **extra: Any) -> PlanResult:
    return PlanResult(status=status, solve_time_s=0.1, start_date=date(2025, 3, 3), horizon_end=date(2025, 6, 1),
                      issues=issues, milestones=milestones, **extra)


BASELINE = result(
    [
        issue("#1", "alice", "2025-03-03T09:00", "2025-03-03T17:00"),
        issue("#2", "bob", "2025-03-04T09:00", "2025-03-06T17:00", late=True),
        issue("#3", "alice", "2025-03-04T09:00", "2025-03-04T13:00"),
        issue("#4", None, None, None, status=IssueStatus.UNPLANNED),
    ],
    [milestone("M1", "2025-03-06", MilestoneStatus.ON_TRACK), milestone("M2", "2025-03-04", MilestoneStatus.LATE)],
)


def test_identical_plans_have_no_differences() -> None:
    diff = diff_plans(BASELINE, BASELINE, WEEKDAYS)
    assert diff.model_dump(exclude_defaults=True) == {}


def test_every_kind_of_difference_is_reported() -> None:
    scenario = result(
        [
            issue("#1", "bob", "2025-03-03T09:00", "2025-03-03T17:00"),  # owner changed
            issue("#2", "bob", "2025-03-04T09:00", "2025-03-06T17:00", late=False),  # on time now
            issue("#3", "alice", "2025-03-10T09:00", "2025-03-10T13:00", late=True),  # later, late now
            issue("#4", "carol", "2025-03-03T09:00", "2025-03-03T10:00"),  # planned now
            issue("#9", "carol", "2025-03-03T10:00", "2025-03-03T11:00"),  # new
        ],
        [milestone("M1", "2025-03-06", MilestoneStatus.LATE), milestone("M2", "2025-03-10", MilestoneStatus.LATE)],
        status=SolveStatus.FEASIBLE,
    )
    diff = diff_plans(BASELINE, scenario, WEEKDAYS)
    assert [(c.id, c.owner_before, c.owner_after) for c in diff.issues_changed] == [
        ("#1", "alice", "bob"), ("#3", "alice", "alice"), ("#4", None, "carol"),
    ]
    assert diff.issues_added == ["#9"] and diff.issues_removed == []
    assert diff.became_late == ["#3"] and diff.became_on_time == ["#2"]
    [move] = diff.milestones_moved
    assert (move.id, move.before, move.after, move.working_days, move.calendar_days) == (
        "M2", date(2025, 3, 4), date(2025, 3, 10), 4, 6,
    )
    assert [(s.kind, s.id, s.before, s.after) for s in diff.status_changes] == [
        ("plan", None, "OPTIMAL", "FEASIBLE"),
        ("milestone", "M1", "on_track", "late"),
        ("issue", "#4", "unplanned", "planned"),
    ]
    assert diff.recommendations is None


def test_removed_issues_and_milestones_without_a_finish() -> None:
    scenario = result([BASELINE.issues[0]], [milestone("M1", None, MilestoneStatus.ON_TRACK)])
    diff = diff_plans(BASELINE, scenario, WEEKDAYS)
    assert diff.issues_removed == ["#2", "#3", "#4"]
    moves = {m.id: (m.before, m.after, m.working_days) for m in diff.milestones_moved}
    assert moves == {"M1": (date(2025, 3, 6), None, None), "M2": (date(2025, 3, 4), None, None)}


def test_summary_counts_issues_by_status_and_lateness() -> None:
    summary = plan_summary(BASELINE)
    assert (summary.planned_issues, summary.unplanned_issues, summary.done_issues, summary.late_issues) == (3, 1, 0, 1)
    assert summary.last_finish == datetime(2025, 3, 6, 17, 0)
    assert [m.id for m in summary.milestones] == ["M1", "M2"]


def test_summary_counts_unscheduled_issues_of_a_result_without_a_plan() -> None:
    unscheduled = IssuePlan(id="#1", priority="P1", status=IssueStatus.UNSCHEDULED, unscheduled_reason="no plan")
    summary = plan_summary(result([unscheduled, issue("#4", None, None, None, status=IssueStatus.UNPLANNED)], [],
                                  status=SolveStatus.INFEASIBLE))
    assert (summary.planned_issues, summary.unplanned_issues, summary.unscheduled_issues) == (0, 1, 1)


class Recommendation(BaseModel):
    kind: str
    ids: list[str]
    text: str


def test_recommendations_are_matched_by_id_or_by_identifying_fields() -> None:
    before = [{"id": "r1", "text": "hire"}, {"id": "r2", "text": "split #4"}, {"id": "r3", "text": "drop #9"}]
    after = [{"id": "r1", "text": "hire"}, {"id": "r2", "text": "split #4 in three"}, {"id": "r4", "text": "new"}]
    changes = recommendation_changes(before, after)
    assert changes is not None
    assert [item["id"] for item in changes.added] == ["r4"]
    assert [item["id"] for item in changes.removed] == ["r3"]
    assert [(c.key, c.before["text"], c.after["text"]) for c in changes.changed] == [
        ("r2", "split #4", "split #4 in three")
    ]

    models_before = [Recommendation(kind="add_owner", ids=["M1"], text="one more agent")]
    models_after = [Recommendation(kind="add_owner", ids=["M1"], text="two more agents"),
                    Recommendation(kind="move_due", ids=["M2"], text="move M2")]
    changes = recommendation_changes(models_before, models_after)
    assert changes is not None and len(changes.changed) == 1 and changes.added[0]["kind"] == "move_due"
    assert recommendation_changes(None, None) is None
    assert recommendation_changes([], None) == recommendation_changes(None, [])


class Target(BaseModel):
    key: str
    due: str
    extension_days: int


class Recommendations(BaseModel):
    """The shape of the contract's recommendations: keyed targets, an optional object, text and timings."""

    targets: list[Target]
    infeasibility: dict[str, Any] | None = None
    summary: list[str]
    seconds: float


def test_recommendations_as_a_model_are_compared_item_by_item() -> None:
    before = Recommendations(
        targets=[Target(key="milestone:M1", due="2025-03-05", extension_days=2),
                 Target(key="issue:#2", due="2025-03-06", extension_days=1)],
        summary=["M1: 2 days"], seconds=0.5,
    )
    after = Recommendations(
        targets=[Target(key="milestone:M1", due="2025-03-05", extension_days=4)],
        infeasibility={"message": "conflict"}, summary=["M1: 4 days"], seconds=0.7,
    )
    changes = recommendation_changes(before, after)
    assert changes is not None
    assert [(c.key, c.before["extension_days"], c.after["extension_days"]) for c in changes.changed] == [
        ("targets:milestone:M1", 2, 4)
    ]
    assert [item["key"] for item in changes.removed] == ["issue:#2"]
    assert changes.added == [{"message": "conflict"}]


def test_plans_with_recommendations_get_a_recommendation_diff() -> None:
    base = BASELINE.model_copy(update={"recommendations": [{"id": "r1", "text": "a"}]})
    other = BASELINE.model_copy(update={"recommendations": []})
    diff = diff_plans(base, other, WEEKDAYS)
    assert diff.recommendations is not None and [r["id"] for r in diff.recommendations.removed] == ["r1"]
