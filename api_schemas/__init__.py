"""capplan's contract: the pydantic models of plan requests, results and validation problems."""

from api_schemas.common import Priority, Weekday
from api_schemas.problems import Problem, ValidationReport
from api_schemas.request import Calendar, Dependency, Issue, Milestone, Owner, PlanRequest, SolveMode, SolverOptions
from api_schemas.result import (
    DayLoad,
    IssuePlan,
    IssueStatus,
    LevelKind,
    MilestonePlan,
    MilestoneStatus,
    ObjectiveLevelId,
    ObjectiveStage,
    OwnerLoad,
    Piece,
    PlanForm,
    PlanResult,
    PlanWarning,
    Slot,
    SolveStatus,
)

__all__ = [
    "Calendar",
    "DayLoad",
    "Dependency",
    "Issue",
    "IssuePlan",
    "IssueStatus",
    "LevelKind",
    "Milestone",
    "MilestonePlan",
    "MilestoneStatus",
    "ObjectiveLevelId",
    "ObjectiveStage",
    "Owner",
    "OwnerLoad",
    "Piece",
    "PlanForm",
    "PlanRequest",
    "PlanResult",
    "PlanWarning",
    "Priority",
    "Problem",
    "Slot",
    "SolveMode",
    "SolveStatus",
    "SolverOptions",
    "ValidationReport",
    "Weekday",
]
