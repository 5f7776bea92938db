"""Sampled durations: a triangular distribution on (low, likely, high), or the team's actual/estimate ratios.

An issue with its own `estimate_low_hours` and `estimate_high_hours` is drawn from the triangular distribution on
(low, estimate, high); one without is drawn from the default range (low x, 1 x, high x its estimate) or, when the
request has a history, from the recorded actual/estimate ratios, each equally likely. Work already done
(`remaining_hours`) scales by the same factors. Durations stay continuous (docs/forecast.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from api_schemas.request import ForecastOptions, HistoryRecord, Issue

Floats = NDArray[np.float64]


@dataclass(frozen=True)
class Spread:
    """Per task, the factors of its work at the low, likely and high ends, or a draw from the history's ratios."""

    low: Floats
    likely: Floats
    high: Floats
    from_history: NDArray[np.bool_]
    ratios: Floats
    own: NDArray[np.bool_]


def history_ratios(history: Sequence[HistoryRecord]) -> Floats:
    """Actual over estimated hours of every history record, in request order."""
    return np.asarray([record.actual_hours / record.estimate_hours for record in history], dtype=np.float64)


def spread_of(issues: Sequence[Issue], options: ForecastOptions, history: Sequence[HistoryRecord]) -> Spread:
    """The spread of each issue: its own range, else the history's ratios when there are any, else the default."""
    ratios = history_ratios(history)
    default = options.default_range
    count = len(issues)
    low, likely, high = np.full(count, default.low), np.ones(count), np.full(count, default.high)
    own = np.zeros(count, dtype=bool)
    for index, issue in enumerate(issues):
        if issue.estimate_low_hours is not None and issue.estimate_high_hours is not None and issue.estimate_hours:
            low[index] = issue.estimate_low_hours / issue.estimate_hours
            high[index] = issue.estimate_high_hours / issue.estimate_hours
            own[index] = True
    from_history = ~own if ratios.size else np.zeros(count, dtype=bool)
    return Spread(low, likely, high, from_history, ratios, own)


def triangular(uniform: Floats, low: Floats, likely: Floats, high: Floats) -> Floats:
    """Triangular draws by the inverse distribution function; a zero-width range gives its value exactly."""
    width = high - low
    safe = np.where(width > 0, width, 1.0)
    turn = np.where(width > 0, (likely - low) / safe, 0.5)
    rising = low + np.sqrt(uniform * width * (likely - low))
    falling = high - np.sqrt((1.0 - uniform) * width * (high - likely))
    return np.where(uniform < turn, rising, falling)


def sample_factors(spread: Spread, rng: np.random.Generator, samples: int) -> Floats:
    """Factors of each task's work, shape (tasks, samples): drawn per task and sample, independently.

    Ranges of zero width give their value exactly; the others use numpy's triangular sampler, one call per distinct
    range (its scalar form is about twice as fast as per-row parameters, and the default range is one call).
    """
    factors = np.repeat(spread.likely[:, None], samples, axis=1)
    ranged = np.flatnonzero(~spread.from_history & (spread.high > spread.low))
    if ranged.size:
        triples = np.stack([spread.low[ranged], spread.likely[ranged], spread.high[ranged]], axis=1)
        distinct, group = np.unique(triples, axis=0, return_inverse=True)
        for index, (low, likely, high) in enumerate(distinct):
            rows = ranged[group.ravel() == index]
            factors[rows] = rng.triangular(low, likely, high, size=(rows.size, samples))
    drawn = np.flatnonzero(spread.from_history)
    if drawn.size:
        factors[drawn] = spread.ratios[rng.integers(0, spread.ratios.size, size=(drawn.size, samples))]
    return factors
