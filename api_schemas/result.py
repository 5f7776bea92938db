"""The plan result: solver status and proof, the schedule, milestone and owner views, warnings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from api_schemas.changes import PlanChanges
from api_schemas.common import IsoTime, LocalDateTime, Priority, Text
from api_schemas.recommendations import Recommendations


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SolveStatus(StrEnum):
    """What the solver proved. FEASIBLE carries a gap; INFEASIBLE means no plan satisfies the hard rules."""

    OPTIMAL = "OPTIMAL"
    FEASIBLE = "FEASIBLE"
    INFEASIBLE = "INFEASIBLE"
    UNKNOWN = "UNKNOWN"


#: The first word of a stability level's stage name (it has no priority).
STABILITY = "stability"


class LevelKind(StrEnum):
    """What an objective level sums (docs/model.md, Objective).

    Lateness and finish sum over the planned issues of one priority; pieces over all of them; the stability kinds
    (reassigned, moved, shift) over every issue with a baseline placement (docs/model.md, "Living plans").
    """

    LATENESS = "lateness"
    FINISH = "finish"
    PIECES = "pieces"
    REASSIGNED = "reassigned"
    MOVED = "moved"
    SHIFT = "shift"

    @property
    def unit(self) -> str:
        """The unit of the level's values, as its stage name shows it."""
        return _UNITS[self]

    @property
    def is_stability(self) -> bool:
        """True for the levels that measure disruption of the baseline."""
        return self in STABILITY_KINDS


_UNITS = {
    LevelKind.LATENESS: "working days",
    LevelKind.FINISH: "team quarter hours",
    LevelKind.PIECES: "pieces",
    LevelKind.REASSIGNED: "issues",
    LevelKind.MOVED: "issues",
    LevelKind.SHIFT: "owner working quarter hours",
}
#: The stability levels in their order: owners changed, then starts moved, then the total start shift.
STABILITY_KINDS: tuple[LevelKind, ...] = (LevelKind.REASSIGNED, LevelKind.MOVED, LevelKind.SHIFT)


@dataclass(frozen=True)
class ObjectiveLevelId:
    """Which objective level a stage reports: its kind and priority, read from and written to the stage name.

    The pieces level counts every planned issue, so it has no priority (`priority` None, rank after all of them).
    Stability levels have no priority either and are named 'stability <kind>'.
    """

    kind: LevelKind
    priority: Priority | None = None

    @property
    def rank(self) -> int:
        """The priority's rank: 0 for P0, one past the last for pieces, -1 for stability (no issue has those)."""
        if self.priority is not None:
            return self.priority.rank
        return -1 if self.kind.is_stability else len(Priority)

    @property
    def label(self) -> str:
        """The identifier as the stage name begins, e.g. 'P0 lateness', 'pieces' or 'stability moved'."""
        if self.priority is not None:
            return f"{self.priority.value} {self.kind.value}"
        return f"{STABILITY} {self.kind.value}" if self.kind.is_stability else self.kind.value

    @property
    def name(self) -> str:
        """The stage name, e.g. 'P0 lateness (working days)' or 'pieces (pieces)'."""
        return f"{self.label} ({self.kind.unit})"

    @classmethod
    def parse(cls, name: str) -> ObjectiveLevelId | None:
        """The level a stage name identifies by its first two words (what follows is not read), else None."""
        words = name.split(maxsplit=2)
        if words and words[0] == LevelKind.PIECES.value:
            return cls(LevelKind.PIECES)
        if len(words) < 2:
            return None
        try:
            kind = LevelKind(words[1])
            if words[0] == STABILITY:
                return cls(kind) if kind.is_stability else None
            if kind.is_stability or kind is LevelKind.PIECES:
                return None
            return cls(kind, Priority(words[0]))
        except ValueError:
            return None


class ObjectiveStage(_Model):
    """One level of the lexicographic objective, with the value found and the best proven bound."""

    name: str = Field(
        description="'<priority> <kind> (<unit>)', e.g. 'P0 lateness (working days)' or 'P1 finish (team quarter "
        "hours)'; the first two words identify the level (`ObjectiveLevelId`)."
    )
    value: int = Field(description="Value of this level in the returned plan.")
    bound: int = Field(description="Best lower bound proven for this level, given the levels before it.")
    proven: bool = Field(description="True when value == bound: this level is optimal.")


class Slot(_Model):
    """A stretch of uninterrupted work on one issue by its owner."""

    date: date
    start: IsoTime = Field(description="Local start time.")
    hours: float = Field(gt=0, description="Hours worked in this slot, to a quarter hour.")


class Piece(_Model):
    """One run of an issue's work without a pause in its owner's working time (docs/model.md, rule 4)."""

    part: int = Field(ge=1, description="1 for the first piece, in time order ('part 2 of 3').")
    owner: str = Field(description="Who works this piece: always the issue's owner.")
    start: LocalDateTime
    finish: LocalDateTime
    hours: float = Field(gt=0, description="Hours of work in this piece.")


class PlanForm(StrEnum):
    """Which schedules the search covered, so what OPTIMAL is optimal among (docs/model.md)."""

    UNBROKEN = "unbroken"
    PIECES = "pieces"


class IssueStatus(StrEnum):
    """Planned issues have slots; unplanned ones lack an estimate; done ones have no hours left.

    Unscheduled issues have work and an estimate but no place, because the result has no plan (INFEASIBLE,
    UNKNOWN); `IssuePlan.unscheduled_reason` says why.
    """

    PLANNED = "planned"
    UNPLANNED = "unplanned"
    DONE = "done"
    UNSCHEDULED = "unscheduled"


class IssuePlan(_Model):
    """Where, when and by whom one issue is done."""

    id: str
    title: Text = ""
    priority: Priority
    milestone: str | None = None
    status: IssueStatus
    unscheduled_reason: str | None = Field(
        default=None,
        description="Why an unscheduled issue has no place, e.g. 'no plan satisfies the hard rules: see "
        "infeasibility'; None for every other status.",
    )
    owner: str | None = None
    hours: float = Field(default=0, description="Hours planned (the remaining work; unscheduled: the work left).")
    start: LocalDateTime | None = None
    finish: LocalDateTime | None = None
    slots: list[Slot] = Field(default_factory=list)
    pieces: list[Piece] = Field(
        default_factory=list,
        description="The slots grouped into runs without a pause, in order: one for an issue done in one go.",
    )
    deadline: date | None = Field(default=None, description="Issue deadline, else its milestone's due date.")
    lateness_working_days: int = Field(default=0, ge=0, description="Team working days past the deadline.")
    lateness_calendar_days: int = Field(default=0, ge=0, description="Calendar days past the deadline.")
    late: bool = False
    p_late: float | None = Field(
        default=None,
        ge=0,
        le=1,
        description="Forecast: share of samples in which it finishes after its deadline (None without a forecast "
        "or a deadline).",
    )
    criticality: float | None = Field(
        default=None,
        ge=0,
        le=1,
        description="Forecast: share of samples in which it lies on the chain that decides its milestone's finish "
        "(None without a forecast or a milestone).",
    )


class MilestoneStatus(StrEnum):
    """Where a milestone stands (docs/model.md).

    Overdue: due before the plan starts with work left; unscheduled: estimated work is left but the result
    has no plan (infeasible, or no plan found in time); late: projected after due; unestimated: the work
    left has no estimate, so nothing can be projected; on_track otherwise.
    """

    ON_TRACK = "on_track"
    UNSCHEDULED = "unscheduled"
    UNESTIMATED = "unestimated"
    LATE = "late"
    OVERDUE = "overdue"
    DONE = "done"
    NO_DUE_DATE = "no_due_date"


class MilestonePlan(_Model):
    """Projected finish of a milestone and its load against the capacity left before it is due."""

    id: str
    name: Text | None = None
    due: date | None = None
    projected_finish: date | None = Field(default=None, description="Date the last planned issue finishes.")
    status: MilestoneStatus
    late: bool = False
    lateness_working_days: int = Field(default=0, ge=0)
    lateness_calendar_days: int = Field(default=0, ge=0)
    issues: int = Field(description="Issues in the milestone.")
    unplanned_issues: int = Field(default=0, description="Issues without an estimate (not in the hours).")
    work_hours: float = Field(description="Remaining planned hours of the milestone's issues.")
    capacity_hours_before_due: float | None = Field(
        default=None,
        description="Hours the whole team can work from the plan start to the end of the due date "
        "(None without a due date).",
    )
    load_ratio: float | None = Field(
        default=None, description="work_hours / capacity_hours_before_due (above 1 cannot fit even alone)."
    )
    p_on_time: float | None = Field(
        default=None,
        ge=0,
        le=1,
        description="Forecast: share of samples in which its last issue finishes by the due date (None without a "
        "forecast, a due date or planned work).",
    )
    p50: date | None = Field(default=None, description="Forecast: done by this date in half of the samples.")
    p85: date | None = Field(default=None, description="Forecast: done by this date in 85 % of the samples.")
    p95: date | None = Field(default=None, description="Forecast: done by this date in 95 % of the samples.")
    forecast_finish: date | None = Field(
        default=None, description="Forecast: done by this date at the chosen confidence (options.forecast.confidence)."
    )
    forecast_extension_working_days: int | None = Field(
        default=None,
        ge=0,
        description="Forecast: team working days from the due date to `forecast_finish` (0 when that is on time): "
        "the extension to request at the chosen confidence.",
    )


class DayLoad(_Model):
    """Hours planned for an owner on one date against that day's capacity."""

    date: date
    hours: float
    capacity: float


class OwnerLoad(_Model):
    """How much of an owner's capacity the plan uses."""

    id: str
    name: Text | None = None
    hours_per_day: float
    planned_hours: float
    capacity_hours: float = Field(description="Capacity from the plan start to the last planned day.")
    utilisation: float = Field(description="planned_hours / capacity_hours (0 when no capacity).")
    days: list[DayLoad] = Field(default_factory=list, description="Load per working day of the plan.")


class PlanWarning(_Model):
    """Something a planner should know: unplanned issues, overdue milestones, ignored dependencies."""

    code: str = Field(description="Stable machine-readable code, e.g. 'unplanned_issue', 'overdue_milestone'.")
    message: str
    ids: list[str] = Field(default_factory=list, description="Issues, milestones or owners concerned.")


class PlanTiming(_Model):
    """Where the time went: the wall clock against the budget the time limit bought (docs/model.md, "Time")."""

    mode: str = Field(description="'deterministic' or 'fast' (the request's options.mode).")
    time_limit_s: float = Field(ge=0, description="The time limit applied: the request's, capped by the limits.")
    wall_time_s: float = Field(
        ge=0, description="Wall time of the whole call: preparation, start, search, recommendations and the check."
    )
    budget_charged_s: float = Field(
        ge=0,
        description="Budget the plan's start and search charged, in seconds: in deterministic mode their "
        "deterministic time converted at conservative rates (so the plan repeats and the call may end well "
        "before the limit on a fast machine); in fast mode their wall time.",
    )


class PlanCheck(_Model):
    """What the independent checker re-checked before the plan left capplan, and what it cost."""

    rules: int = Field(ge=0, description="Rules of docs/model.md the checker applied (see `checker.RULES`).")
    violations: int = Field(default=0, ge=0, description="Violations found: always 0 in a returned plan.")
    seconds: float = Field(ge=0, description="Wall time of the check.")


class DateShare(_Model):
    """One finish date of a forecast and the share of samples finishing on it."""

    date: date
    share: float = Field(ge=0, le=1)


class MilestoneDistribution(_Model):
    """A milestone's simulated finish dates, for its chart (the chances and quantiles are on `MilestonePlan`)."""

    id: str
    finish_dates: list[DateShare] = Field(description="Every finish date a sample reached, in order, with its share.")


class SpreadSource(StrEnum):
    """Where the spread of issues without their own range came from."""

    DEFAULT = "default"
    HISTORY = "history"


class ForecastSpread(_Model):
    """How estimates were turned into durations (docs/forecast.md)."""

    distribution: str = Field(
        description="'triangular (low, likely, high)' for ranges; history ratios are drawn as recorded."
    )
    source: SpreadSource = Field(description="Spread of issues without their own range: the default or the history.")
    low: float | None = Field(default=None, description="Default range's low factor (source 'default').")
    high: float | None = Field(default=None, description="Default range's high factor (source 'default').")
    history_records: int = Field(default=0, ge=0, description="History records used (source 'history').")
    ratio_p10: float | None = Field(default=None, description="10th percentile of actual/estimate in the history.")
    ratio_p50: float | None = Field(default=None, description="Median actual/estimate in the history.")
    ratio_p90: float | None = Field(default=None, description="90th percentile of actual/estimate in the history.")
    issues_with_own_range: int = Field(ge=0, description="Planned issues with their own low/high estimates.")
    issues_with_team_spread: int = Field(ge=0, description="Planned issues drawn from the default or the history.")


class ForecastSummary(_Model):
    """What the forecast simulated and how; its numbers sit on each milestone and issue of the plan."""

    samples: int = Field(ge=1)
    confidence: float = Field(gt=0, lt=1, description="Confidence of `forecast_finish` on each milestone.")
    seed: int = Field(ge=0)
    spread: ForecastSpread
    policy: str = Field(description="How the plan is followed in each sample, in words.")
    milestones: list[MilestoneDistribution] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list, description="What a reader should know about this forecast.")
    seconds: float = Field(ge=0, description="Wall time of the simulation.")


class PlanResult(_Model):
    """The optimiser's answer to a plan request."""

    status: SolveStatus
    objective: list[ObjectiveStage] = Field(
        default_factory=list, description="Lexicographic objective, most important level first."
    )
    gap: float = Field(
        default=0.0,
        ge=0,
        description="Relative gap of the first level not proven optimal ((value - bound) / value); 0 when OPTIMAL.",
    )
    solve_time_s: float = Field(ge=0)
    form: PlanForm = Field(
        default=PlanForm.UNBROKEN,
        description="'unbroken' when every issue is one run of work, 'pieces' when splittable issues may be paused "
        "and resumed: OPTIMAL means no better plan of this form exists.",
    )
    start_date: date
    horizon_end: date = Field(description="Last date the solver could use.")
    issues: list[IssuePlan] = Field(default_factory=list)
    milestones: list[MilestonePlan] = Field(default_factory=list)
    owners: list[OwnerLoad] = Field(default_factory=list)
    warnings: list[PlanWarning] = Field(default_factory=list)
    infeasibility: list[str] = Field(
        default_factory=list,
        description="When INFEASIBLE: one line per independent conflict found (its constraints, in words).",
    )
    recommendations: Recommendations | None = Field(
        default=None,
        description="How to meet each missed milestone or deadline (extension, scope cut, capacity) and why it "
        "is missed; for an infeasible request, the conflicting constraints. None when not asked for.",
    )
    checked: bool = Field(
        default=False,
        description="True when the independent schedule checker re-checked this plan against every rule and found "
        "no violation; capplan never returns a plan that fails the check.",
    )
    check: PlanCheck | None = Field(default=None, description="What the check covered and how long it took.")
    timing: PlanTiming | None = Field(default=None, description="Wall time and budget charged (None from old plans).")
    changes: PlanChanges | None = Field(
        default=None,
        description="With a `baseline` in the request: how each issue's place changed against it, with counts and, "
        "for each moved or reassigned issue, what pushed it. None without a baseline.",
    )
    forecast: ForecastSummary | None = Field(
        default=None,
        description="The Monte Carlo forecast's settings and finish-date distributions (None unless "
        "options.forecast is set); its chances and dates are on `milestones` and `issues`.",
    )
