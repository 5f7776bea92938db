"""Recommendations: for each milestone or deadline the plan misses, how to meet it and why it is missed.

Every alternative (extension, scope cut, capacity) is computed by the optimiser, says whether it is proven
minimal or only the best found within the time budget, and whether re-planning with it applied met the date.
An infeasible request gets every independent conflict found instead: disjoint minimal sets of constraints, each
with the changes that would remove it.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from api_schemas.common import Priority

#: Alias so a field named `date` does not shadow the type in later annotations.
Date = date


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TargetKind(StrEnum):
    """What a recommendation is about: a milestone's due date or an issue's own deadline."""

    MILESTONE = "milestone"
    ISSUE = "issue"


class TargetStatus(StrEnum):
    """Late: the plan finishes after the date; overdue: the date was before the plan starts."""

    LATE = "late"
    OVERDUE = "overdue"


class ReasonKind(StrEnum):
    """Kinds of binding reasons a milestone or deadline is missed."""

    CAPACITY = "capacity"
    WORK_DUE = "work_due"
    SKILL = "skill"
    CHAIN = "chain"
    LAG = "lag"
    PIN = "pin"
    NOT_BEFORE = "not_before"
    CONTENTION = "contention"


class Reason(_Model):
    """One thing that binds, with its numbers (e.g. 42 h of work, 32 h available: 131%)."""

    kind: ReasonKind
    message: str = Field(description="The reason in words, with its numbers.")
    ids: list[str] = Field(default_factory=list, description="Issues, owners or milestones involved.")
    hours: float | None = Field(default=None, ge=0, description="Hours of work concerned.")
    available_hours: float | None = Field(default=None, ge=0, description="Hours available to do it.")
    ratio: float | None = Field(default=None, ge=0, description="hours / available_hours.")
    working_days: int | None = Field(default=None, ge=0, description="Team working days concerned.")
    date: Date | None = Field(default=None, description="The date this reason allows, when it gives one.")


class TargetMove(_Model):
    """Another milestone or deadline whose planned finish moves when a recommendation is applied."""

    key: str = Field(description="Key of the other milestone or deadline, e.g. 'milestone:M3'.")
    before: date | None = Field(description="Planned finish in the current plan.")
    after: date | None = Field(description="Planned finish once the recommendation is applied.")


class Extension(_Model):
    """The earliest due date at which the whole scope is done, every other commitment kept."""

    new_date: date = Field(description="The date to ask for.")
    working_days: int = Field(ge=0, description="Team working days past the current due date.")
    calendar_days: int = Field(ge=0, description="Calendar days past the current due date.")
    proven_minimal: bool = Field(
        description="True when no earlier date can work (proven by the optimiser); False when best found in time."
    )
    verified: bool = Field(description="True when re-planning with the new date met it with a valid schedule.")
    other_moves: list[TargetMove] = Field(
        default_factory=list, description="Other milestones whose planned finish moves in the re-planned schedule."
    )
    note: str | None = None


class DeferredIssue(_Model):
    """An issue to move out of the milestone."""

    id: str
    title: str = ""
    priority: Priority
    hours: float = Field(ge=0)
    because_of: list[str] = Field(
        default_factory=list,
        description="Deferred issues it depends on: it is deferred because they are (empty when chosen itself).",
    )


class ScopeCut(_Model):
    """The milestone's issues to defer so that the rest meets the current due date."""

    deferred: list[DeferredIssue]
    hours_deferred: float = Field(ge=0)
    hours_kept: float = Field(ge=0)
    share_kept: float = Field(ge=0, le=1, description="Share of the milestone's estimated hours kept.")
    deferred_hours_by_priority: dict[Priority, float] = Field(
        default_factory=dict, description="Hours deferred per priority (minimised most important first)."
    )
    proven: bool = Field(description="True when every stage of the choice was proven optimal.")
    verified: bool = Field(description="True when re-planning without the deferred issues met the due date.")
    other_moves: list[TargetMove] = Field(default_factory=list)
    note: str | None = None


class Chain(_Model):
    """A dependency chain: work that must happen one issue after another, whatever the capacity."""

    ids: list[str] = Field(min_length=1, description="Issues in order, first to last.")
    hours: float = Field(ge=0, description="Work on the chain.")
    lag_days: int = Field(default=0, ge=0, description="Working days of lags between the chain's issues.")
    starts: date = Field(description="Earliest date the chain's first issue can start.")
    earliest_finish: date = Field(description="The date the chain allows: its earliest finish.")
    working_days: int = Field(ge=0, description="Team working days from its start to its earliest finish.")
    working_days_left: int = Field(ge=0, description="Team working days from the plan start to the due date.")
    message: str


class OwnerGroup(_Model):
    """Identical extra owners to add."""

    count: int = Field(ge=1)
    skills: list[str] = Field(default_factory=list)
    hours_per_day: float = Field(gt=0, le=24)


class ExtraOwners(_Model):
    """The fewest extra owners that meet the date with no cut and no extension."""

    count: int = Field(ge=1)
    groups: list[OwnerGroup]
    proven_minimal: bool = Field(description="True when one owner fewer is proven not to meet the date.")
    verified: bool


class ExtraHours(_Model):
    """The fewest extra hours per working day that meet the date with no cut and no extension."""

    hours_per_day: float = Field(gt=0, description="Extra hours per working day for each owner listed.")
    owners: list[str] = Field(description="Owners who would work longer days (those who can do this work).")
    proven_minimal: bool = Field(description="True when a quarter hour less per day is proven not to meet it.")
    verified: bool


class Capacity(_Model):
    """How much capacity meets the date: extra owners, longer days, or why more owners cannot help."""

    extra_owners: ExtraOwners | None = None
    owners_cannot_help: Chain | None = Field(
        default=None, description="Set when no number of extra owners helps: the chain that is too long."
    )
    extra_hours: ExtraHours | None = None
    note: str | None = None


class Overdue(_Model):
    """A milestone or deadline already past when the plan starts."""

    due: date
    calendar_days_overdue: int = Field(ge=0, description="Calendar days from the due date to the plan start.")
    working_days_overdue: int = Field(
        ge=0, description="Team working days after the due date and before the plan start (already lost)."
    )
    earliest_finish: date | None = Field(
        default=None, description="Earliest finish if it went before everything else (None when not found)."
    )
    earliest_finish_proven: bool = False
    planned_finish: date | None = None


class TargetRecommendation(_Model):
    """Everything about one missed milestone or issue deadline: the alternatives, why, and a summary line."""

    key: str = Field(description="Stable key, e.g. 'milestone:reconstruction' or 'issue:#841'.")
    kind: TargetKind
    id: str
    name: str | None = None
    status: TargetStatus
    due: date
    planned_finish: date | None = None
    lateness_working_days: int = Field(default=0, ge=0)
    lateness_calendar_days: int = Field(default=0, ge=0)
    work_hours: float = Field(ge=0, description="Planned hours in scope.")
    extension: Extension | None = None
    scope_cut: ScopeCut | None = None
    capacity: Capacity | None = None
    overdue: Overdue | None = None
    why: list[Reason] = Field(default_factory=list, description="What binds, most telling first.")
    summary: str = Field(description="The options on one line.")
    notes: list[str] = Field(default_factory=list, description="What could not be computed, and why.")


class JointExtension(_Model):
    """A target's date when every slipping target is extended together."""

    key: str
    new_date: date
    working_days: int = Field(ge=0)


class ExtensionInteraction(_Model):
    """How the extensions of several slipping milestones interact."""

    keys: list[str]
    independent: bool = Field(
        description="True when every extension can be granted at once: none takes capacity another needs."
    )
    joint: list[JointExtension] = Field(
        default_factory=list, description="Dates that work together (equal to the single ones when independent)."
    )
    proven: bool
    verified: bool
    message: str


class ConflictKind(StrEnum):
    """Constraint groups an infeasible request can be explained by."""

    PINNED_START = "pinned_start"
    PINNED_OWNER = "pinned_owner"
    HARD_DEADLINE = "hard_deadline"
    NOT_BEFORE = "not_before"
    SKILLS = "skills"


class Conflict(_Model):
    """One constraint of a conflicting set, in words."""

    kind: ConflictKind
    ids: list[str] = Field(description="The issue first, then the owners concerned (a pinned owner, skill holders).")
    message: str


class FixKind(StrEnum):
    """How one conflicting set can be removed: drop or move one of its constraints, or add capacity."""

    DROP_PIN = "drop_pin"
    MOVE_PIN = "move_pin"
    DROP_OWNER_PIN = "drop_owner_pin"
    MOVE_DEADLINE = "move_deadline"
    MOVE_NOT_BEFORE = "move_not_before"
    DROP_SKILLS = "drop_skills"
    ADD_OWNER = "add_owner"
    ADD_HOURS = "add_hours"


class ConflictFix(_Model):
    """One change to the request that removes a conflicting set, in one line and in numbers."""

    kind: FixKind
    ids: list[str] = Field(description="The issue changed (none for added capacity), then the owners concerned.")
    message: str = Field(description="The change in one line, e.g. 'move the deadline of #7 to 2025-12-03'.")
    date: Date | None = Field(
        default=None,
        description="move_pin: the new pinned start; move_deadline: the new hard deadline (None: later, date not "
        "found in time); move_not_before: the new not-before date; add_hours: the date the hours are needed by.",
    )
    hours_per_day: float | None = Field(
        default=None, ge=0, description="add_hours: extra hours a day for each of `owners`; add_owner: the owner's day."
    )
    hours: float | None = Field(
        default=None, ge=0, description="add_hours: the extra hours in all, counted up to `date`."
    )
    owners: list[str] = Field(default_factory=list, description="add_hours: the owners who work longer days.")
    skills: list[str] = Field(
        default_factory=list, description="drop_skills: the requirements to drop; add_owner: the new owner's skills."
    )
    verified: bool = Field(
        description="True when the set's constraints were shown to hold with the change (a solve found a plan of "
        "them; for a drop, the deletion test that proved the constraint needed)."
    )
    proven_minimal: bool | None = Field(
        default=None,
        description="Moved dates and added hours: True when no nearer date or fewer hours works (proven by the "
        "optimiser). None for drops and an added owner.",
    )


class ConflictSet(_Model):
    """A set of constraints that cannot hold together (with the team, calendars and dependencies), and its fixes."""

    conflicts: list[Conflict] = Field(min_length=1)
    minimal: bool = Field(description="True when dropping any one of them was proven to remove this conflict.")
    fixes: list[ConflictFix] = Field(
        default_factory=list, description="Changes that each remove this conflict (the others' constraints aside)."
    )
    message: str = Field(description="The conflict in words: the constraint, or 'These cannot all hold: ...'.")


class Infeasibility(_Model):
    """Every independent conflict found: disjoint sets of constraints that each cannot hold together.

    The team, calendars and dependencies always hold; pins, hard deadlines, not-before dates and skills are the
    constraints a conflict is made of.
    """

    conflicts: list[Conflict] = Field(description="Every constraint of every set in `sets`, set by set.")
    smallest: bool = Field(
        description="True when every set was proven minimal: dropping any one of its constraints removes that conflict."
    )
    message: str
    sets: list[ConflictSet] = Field(
        default_factory=list, description="The independent conflicts, each minimal, sharing no constraint."
    )
    complete: bool = Field(
        default=False,
        description="True when the request without the constraints of `sets` was proven to have a plan: every "
        "other conflict shares a constraint with a listed set. False: the time budget ended first, there may be more.",
    )


class ConfidenceExtension(_Model):
    """The due date to ask for so that a milestone is done by it at the forecast's confidence (docs/forecast.md)."""

    key: str = Field(description="The milestone's key, e.g. 'milestone:reconstruction'.")
    id: str
    name: str | None = None
    due: date
    p_on_time: float = Field(ge=0, le=1, description="The forecast's chance that the current due date is met.")
    confidence: float = Field(gt=0, lt=1, description="The chosen confidence (options.forecast.confidence).")
    new_date: date = Field(description="Done by this date in that share of the samples.")
    working_days: int = Field(ge=0, description="Team working days past the current due date.")
    calendar_days: int = Field(ge=0, description="Calendar days past the current due date.")
    exact_date: date | None = Field(
        default=None,
        description="The extension if every estimate is exact (the target's extension, else the planned finish "
        "when late); None when the plan meets the due date.",
    )
    exact_working_days: int | None = Field(default=None, ge=0, description="Working days of `exact_date`.")


class Recommendations(_Model):
    """Recommendations for every missed milestone and deadline, or the conflict of an infeasible request."""

    targets: list[TargetRecommendation] = Field(default_factory=list)
    interaction: ExtensionInteraction | None = None
    infeasibility: Infeasibility | None = None
    confidence_extensions: list[ConfidenceExtension] = Field(
        default_factory=list,
        description="With a forecast: each milestone not done by its due date at the chosen confidence, and the "
        "date to ask for instead.",
    )
    summary: list[str] = Field(default_factory=list, description="One line per target (or one for the plan).")
    complete: bool = Field(description="True when every value was proven minimal and verified within the budget.")
    seconds: float = Field(ge=0, description="Time spent on recommendations.")
    notes: list[str] = Field(default_factory=list)
