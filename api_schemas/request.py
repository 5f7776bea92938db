"""The plan request: a backlog, a team, a calendar and solver options."""

from __future__ import annotations

import re
from datetime import time
from enum import StrEnum
from functools import lru_cache
from typing import Annotated, Any
from zoneinfo import available_timezones

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints, field_validator

from api_schemas.common import (
    WORKWEEK,
    Flag,
    Identifier,
    Integer,
    IsoDate,
    IsoTime,
    LocalDateTime,
    Number,
    Priority,
    QuarterHours,
    Text,
    Weekday,
)
from api_schemas.examples import PLAN_REQUEST_EXAMPLE
from api_schemas.result import IssuePlan, PlanResult

#: Most pieces any issue may be split into (each piece is a few variables per candidate owner in the model).
MAX_PIECES = 8

#: What an issue's `url` must look like.
_WEB_LINK = re.compile(r"https?://[^\s/?#]+[^\s]*", re.IGNORECASE)


def is_web_link(text: str) -> bool:
    """Whether `text` may be an issue's `url`: an http(s) link without blanks (reports turn it into a link)."""
    return _WEB_LINK.fullmatch(text) is not None


@lru_cache(maxsize=1)
def _time_zone_names() -> frozenset[str]:
    """The IANA time zone names this machine knows (the `tzdata` package supplies them everywhere)."""
    return frozenset(available_timezones())


class _Model(BaseModel):
    """Strict base: unknown fields are errors, so a typo never silently changes a plan."""

    model_config = ConfigDict(extra="forbid", frozen=False)


class Calendar(_Model):
    """The team calendar: which weekdays are worked, which dates are holidays, when a day starts."""

    working_weekdays: list[Weekday] = Field(
        default_factory=lambda: list(WORKWEEK),
        min_length=1,
        max_length=7,
        description="Weekdays worked by default. Lags and lateness are counted in these working days.",
    )
    holidays: list[IsoDate] = Field(
        default_factory=list, max_length=1000, description="Dates nobody works (besides the country's)."
    )
    country: str | None = Field(
        default=None,
        min_length=2,
        max_length=3,
        description="ISO 3166 country code whose public holidays are added (e.g. 'JP', 'US').",
    )
    subdivision: str | None = Field(
        default=None, max_length=10, description="Optional region of the country (e.g. 'CA' for California)."
    )
    workday_start: IsoTime = Field(
        default=time(9, 0),
        description="Local time at which a working day starts; owners work their hours from then on "
        "(moved earlier when the hours would run past midnight).",
    )
    timezone: str | None = Field(
        default=None,
        max_length=64,
        description="IANA time zone of the team's clock (e.g. 'Europe/Berlin'). Plan times stay local wall-clock "
        "times; calendar exports (ICS) carry this zone, so events show at the right time anywhere.",
        examples=["Europe/Berlin", "America/New_York", "Asia/Tokyo"],
    )

    @field_validator("timezone")
    @classmethod
    def _known_time_zone(cls, value: str | None) -> str | None:
        """Accept only IANA names ('Europe/Berlin'), so an export never guesses a zone from a typo."""
        if value is not None and value not in _time_zone_names():
            raise ValueError(f"'{value}' is not an IANA time zone name; use one such as 'Europe/Berlin' or 'UTC'")
        return value

    @field_validator("workday_start")
    @classmethod
    def _quarter_hour_start(cls, value: time) -> time:
        """Keep the day start on the quarter-hour grid the planner uses."""
        if value.minute % 15 or value.second or value.microsecond:
            raise ValueError("must be on a quarter hour, e.g. 09:00 or 08:45")
        return value


class Owner(_Model):
    """A person or an AI agent who can do work."""

    id: Identifier
    name: Text | None = Field(default=None, description="Display name.")
    hours_per_day: QuarterHours = Field(
        default=8.0, gt=0, le=24, description="Hours of work per working day, to a quarter hour."
    )
    skills: list[Identifier] = Field(
        default_factory=list, max_length=100, description="Skills or roles this owner has."
    )
    days_off: list[IsoDate] = Field(
        default_factory=list, max_length=1000, description="Dates this owner does not work."
    )
    working_weekdays: list[Weekday] | None = Field(
        default=None,
        min_length=1,
        max_length=7,
        description="Overrides the calendar's working weekdays for this owner (e.g. an agent working 7 days). "
        "Team holidays still apply unless `works_holidays` is set.",
    )
    works_holidays: Flag = Field(default=False, description="True when this owner also works on team holidays.")


class Milestone(_Model):
    """A group of issues with a due date."""

    id: Identifier
    name: Text | None = None
    due: IsoDate | None = Field(default=None, description="Due date: the milestone's work should be done by its end.")


class Dependency(_Model):
    """A finish-to-start dependency on another issue, with an optional wait in working days."""

    issue: Identifier = Field(description="The issue that must finish first.")
    lag_days: Integer = Field(
        default=0,
        ge=0,
        le=60,
        description="Working days to wait after that issue finishes (e.g. 1 for 'approval takes a business day').",
    )


class Issue(_Model):
    """One piece of work in the backlog."""

    id: Identifier = Field(description="Issue id, e.g. '#840'.")
    title: Text = ""
    url: Annotated[str, StringConstraints(max_length=2000)] | None = Field(
        default=None, description="Link to the issue in its tracker (http or https); reports link the issue id to it."
    )
    estimate_hours: QuarterHours | None = Field(
        default=None,
        gt=0,
        le=10000,
        description="Estimated effort in hours, to a quarter hour. Missing: reported as unplanned, never dropped.",
    )
    estimate_low_hours: QuarterHours | None = Field(
        default=None,
        gt=0,
        le=10000,
        description="Optimistic effort in hours (the forecast's low end; needs `estimate_hours` as the most likely). "
        "Without a range the forecast uses `options.forecast.default_range` or the team's history.",
    )
    estimate_high_hours: QuarterHours | None = Field(
        default=None,
        gt=0,
        le=10000,
        description="Pessimistic effort in hours (the forecast's high end; at least `estimate_hours`).",
    )
    remaining_hours: QuarterHours | None = Field(
        default=None,
        ge=0,
        le=10000,
        description="Hours left when work has already started; 0 means done. Overrides the estimate.",
    )
    priority: Priority = Priority.P2
    milestone: Identifier | None = Field(default=None, description="Milestone id this issue belongs to.")
    deadline: IsoDate | None = Field(
        default=None, description="Issue-level deadline; defaults to its milestone's due date."
    )
    hard_deadline: Flag = Field(
        default=False, description="True when the deadline must be met: a plan missing it is infeasible."
    )
    not_before: IsoDate | None = Field(default=None, description="Work may not start before this date.")
    skills: list[Identifier] = Field(
        default_factory=list, max_length=20, description="Skills the owner must have (all of them)."
    )
    pinned_owner: Identifier | None = Field(default=None, description="The owner who must do this issue.")
    pinned_start: IsoDate | None = Field(default=None, description="The date on which work on this issue must start.")
    depends_on: list[Dependency] = Field(
        default_factory=list, max_length=200, description="Issues that must finish before this one starts."
    )
    in_progress: Flag = Field(
        default=False,
        description="True when work on this issue has started: it continues at the plan start on its owner (its "
        "pinned_owner, else its owner in the baseline) with its remaining hours, before that owner's other work.",
    )
    splittable: Flag | None = Field(
        default=None,
        description="True when its owner may pause this issue for other work and resume it later (in pieces); "
        "None follows options.splittable.",
    )
    min_chunk_hours: QuarterHours | None = Field(
        default=None, gt=0, le=1000, description="Shortest piece of a split; None follows options.min_chunk_hours."
    )
    max_pieces: Integer | None = Field(
        default=None, ge=1, le=MAX_PIECES, description="Most pieces it may be split into; None follows options."
    )

    @field_validator("url")
    @classmethod
    def _web_link(cls, value: str | None) -> str | None:
        """Only http(s) links without blanks: a report turns this into a link, so nothing else may pass."""
        if value is not None and not is_web_link(value):
            raise ValueError("must be an http:// or https:// link without blanks, e.g. https://example.com/issues/840")
        return value

    @field_validator("depends_on", mode="before")
    @classmethod
    def _accept_plain_ids(cls, value: Any) -> Any:
        """Accept `"#840"` as shorthand for `{"issue": "#840"}`."""
        if isinstance(value, list):
            return [{"issue": item} if isinstance(item, str) else item for item in value]
        return value

    def splits(self, options: SolverOptions) -> bool:
        """Whether this issue may be paused and resumed: its own `splittable`, else the request's default."""
        return options.splittable if self.splittable is None else self.splittable

    @property
    def work_hours(self) -> float | None:
        """Hours still to plan: remaining hours when given, else the estimate (None when unknown)."""
        return self.remaining_hours if self.remaining_hours is not None else self.estimate_hours


#: The widest spread a forecast takes, as factors of the estimate: an issue's range, the default range and every
#: history record's actual/estimate ratio lie within them (wider is a typo, not a spread).
MIN_SPREAD_FACTOR = 0.01
MAX_SPREAD_FACTOR = 100.0


class EstimateRange(_Model):
    """The team's spread of an estimate, as factors of the most likely hours (docs/forecast.md)."""

    low: Number = Field(
        default=0.75, ge=MIN_SPREAD_FACTOR, le=1, description="Optimistic factor: low = low x the estimate."
    )
    high: Number = Field(
        default=2.0, ge=1, le=MAX_SPREAD_FACTOR, description="Pessimistic factor: high = high x the estimate."
    )


class ForecastOptions(_Model):
    """Monte Carlo forecast of the chosen plan (docs/forecast.md); set it to get chances and confidence dates."""

    samples: Integer = Field(
        default=10000, ge=100, le=100000, description="Samples simulated: 10,000 give about +/-1 % on a chance."
    )
    confidence: Number = Field(
        default=0.85,
        ge=0.5,
        le=0.99,
        description="Confidence of the extension to request: done by that date in this share of samples.",
    )
    seed: Integer = Field(
        default=0, ge=0, le=2**31 - 1, description="Random seed; the same request and seed give the same forecast."
    )
    default_range: EstimateRange = Field(
        default_factory=EstimateRange,
        description="Spread of issues without their own low/high estimate (replaced by `history` when given).",
    )


class HistoryRecord(_Model):
    """One finished issue of the team's past: what it was estimated at and what it took."""

    estimate_hours: Number = Field(gt=0, le=100000, description="Hours it was estimated at.")
    actual_hours: Number = Field(gt=0, le=100000, description="Hours it actually took.")


class SolveMode(StrEnum):
    """How the solver trades repeatability for speed."""

    DETERMINISTIC = "deterministic"
    FAST = "fast"


class Stability(StrEnum):
    """Where keeping the baseline ranks in the lexicographic objective (docs/model.md, "Living plans")."""

    AFTER_LATENESS = "after_lateness"
    FIRST = "first"
    OFF = "off"


class SolverOptions(_Model):
    """Limits and settings of the optimiser."""

    time_limit_s: Number = Field(
        default=10.0, gt=0, le=3600, description="Wall-clock budget for the whole solve, in seconds."
    )
    seed: Integer = Field(default=0, ge=0, le=2**31 - 1, description="Random seed; same request and seed, same plan.")
    mode: SolveMode = Field(
        default=SolveMode.DETERMINISTIC,
        description="'deterministic': repeatable plans on a deterministic budget (for what-if diffs); "
        "'fast': the whole time limit (several workers up to 50 issues), better plans on big backlogs, "
        "may differ run to run.",
    )
    workers: Integer = Field(
        default=2, ge=1, le=16, description="Search workers in 'fast' mode on backlogs of up to 50 issues."
    )
    stability: Stability = Field(
        default=Stability.AFTER_LATENESS,
        description="With a `baseline`: where keeping it ranks. 'after_lateness' (default): after the lateness "
        "levels, before the finish levels, so stability never costs lateness; 'first': before lateness; 'off': "
        "not in the objective (the result still reports `changes`).",
    )
    splittable: Flag = Field(
        default=False,
        description="Default of every issue's `splittable`: whether an owner may pause an issue for more urgent "
        "work and resume it (docs/model.md, 'Interruptible work'). Off by default: a plan keeps each issue in one "
        "run unless the lead allows pauses.",
    )
    min_chunk_hours: QuarterHours = Field(
        default=2.0, gt=0, le=1000, description="Shortest piece of a split issue, unless the issue is shorter."
    )
    max_pieces: Integer = Field(
        default=3, ge=1, le=MAX_PIECES, description="Most pieces a splittable issue may be split into."
    )
    forecast: ForecastOptions | None = Field(
        default=None,
        description="When set, the plan also gets a Monte Carlo forecast: each milestone's chance to be on time, "
        "its P50/P85/P95 finish dates and the extension at the chosen confidence (docs/forecast.md).",
    )


def _baseline_issues(value: Any) -> Any:
    """Accept a whole PlanResult as the baseline: its `issues` are the baseline.

    A plan request given instead (the backlog file, a common slip) is one problem saying so, not one per field.
    """
    if isinstance(value, dict) and "owners" in value and "status" not in value:
        raise ValueError("is a plan request (it has owners and no status), not a plan: give the plan capplan "
                         "returned for the last request (`capplan plan BACKLOG -f json -o last.json`, or the body "
                         "/v1/plans answered), or its issues")
    if isinstance(value, dict):
        return PlanResult.model_validate(value).issues
    if isinstance(value, PlanResult):
        return value.issues
    return value


#: The previous plan's issues (a whole PlanResult is read for its `issues`).
Baseline = Annotated[list[IssuePlan], BeforeValidator(_baseline_issues), Field(max_length=100000)]


class PlanRequest(_Model):
    """Everything capplan needs to plan a backlog."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [PLAN_REQUEST_EXAMPLE]})

    start_date: IsoDate = Field(description="The plan starts on this date ('today'); nothing is planned before it.")
    calendar: Calendar = Field(default_factory=Calendar)
    owners: Annotated[list[Owner], Field(min_length=1, max_length=10000)]
    milestones: list[Milestone] = Field(default_factory=list, max_length=10000)
    issues: list[Issue] = Field(default_factory=list, max_length=100000)
    options: SolverOptions = Field(default_factory=SolverOptions)
    baseline: Baseline | None = Field(
        default=None,
        description="The previous plan: the `issues` of a PlanResult as capplan returned it, or the whole "
        "PlanResult. The plan keeps it where the objective allows (`options.stability`) and reports `changes`.",
    )
    freeze_until: LocalDateTime | None = Field(
        default=None,
        description="Baseline placements that start before this instant stay exactly as they were, except issues "
        "now done or removed, whose hours changed, or that can no longer be kept (each reported). Needs a baseline.",
    )
    history: list[HistoryRecord] = Field(
        default_factory=list,
        max_length=100000,
        description="The team's finished issues (estimate and actual hours): when given, the forecast draws issues "
        "without their own range from these actual/estimate ratios instead of the default range.",
    )
