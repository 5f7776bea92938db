"""The Monte Carlo run: every sample follows the policy with its own durations; tallies are kept, not samples.

Samples are simulated in chunks (at most `CHUNK_CELLS` task-sample cells at a time, about 100 MB at the peak),
one task after another in the policy's order, each step vectorised over the chunk's samples. Each chunk draws
from its own generator seeded by (seed, chunk), so the same request and seed give the same tallies.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from solver.forecast.durations import Spread, sample_factors
from solver.forecast.policy import Policy
from solver.forecast.timeline import Clock, Floats, TeamLags, clocks_of

#: Task-sample cells simulated at once: bounds memory (about 30 bytes a cell, so about 120 MB at the peak)
#: whatever the size; larger chunks spend less time per numpy call (XL: 5 chunks of 2,000 samples).
CHUNK_CELLS = 4_000_000
#: Horizon of the first try: the plan's length stretched by the widest factor, plus this margin in days.
HORIZON_MARGIN_DAYS = 21
#: Longest horizon tried, in days (about 30 years): a sample past it says the spread is beyond forecasting.
MAX_HORIZON_DAYS = 11_000


class SpreadTooWide(Exception):
    """A sampled run went past `MAX_HORIZON_DAYS`: nothing sensible can be said of such a spread."""


@dataclass
class Tallies:
    """Counts over all samples: milestone finish days, late issues, issues on their milestone's deciding chain."""

    samples: int
    days: int
    milestone_days: NDArray[np.int64]  # (milestones, days): samples finishing on each day
    late: NDArray[np.int64]  # (issues,)
    critical: NDArray[np.int64]  # (issues,)


def chunk_size(tasks: int, samples: int) -> int:
    """Samples per chunk: as many as `CHUNK_CELLS` allows, at least 64."""
    return max(64, min(samples, CHUNK_CELLS // max(tasks, 1)))


def _first_horizon(policy: Policy, spread: Spread) -> int:
    widest = float(max(np.max(spread.high, initial=1.0), np.max(spread.ratios, initial=1.0), 1.0))
    stretched = (policy.last_day + 1) * widest + HORIZON_MARGIN_DAYS + 2 * policy.longest_lag
    return MAX_HORIZON_DAYS if not math.isfinite(stretched) else min(math.ceil(stretched), MAX_HORIZON_DAYS)


def simulate(policy: Policy, spread: Spread, samples: int, seed: int) -> Tallies:
    """Tallies of `samples` runs of the policy; the horizon doubles until every sample fits in it."""
    days = _first_horizon(policy, spread)
    while True:
        try:
            return _simulate(policy, spread, samples, seed, days)
        except IndexError:  # a sample ran past the horizon's arrays
            if days >= MAX_HORIZON_DAYS:
                raise SpreadTooWide from None
            days = min(days * 2, MAX_HORIZON_DAYS)


def _simulate(policy: Policy, spread: Spread, samples: int, seed: int, days: int) -> Tallies:
    tasks = len(policy.tasks)
    clocks = clocks_of(policy.clocks, policy.start, days)
    lags = TeamLags(policy.team, policy.start, days, policy.longest_lag)
    tallies = Tallies(
        samples=samples,
        days=days,
        milestone_days=np.zeros((len(policy.milestones), days), dtype=np.int64),
        late=np.zeros(len(policy.issues), dtype=np.int64),
        critical=np.zeros(len(policy.issues), dtype=np.int64),
    )
    work = np.asarray([task.work for task in policy.tasks], dtype=np.float64)
    # Every piece of an issue takes the issue's factor.
    issue_of = np.asarray([task.issue for task in policy.tasks], dtype=np.int64)
    last = np.asarray([issue.last for issue in policy.issues], dtype=np.int64)
    deadlines = np.asarray(
        [i.deadline_day if i.deadline_day is not None else np.iinfo(np.int64).max for i in policy.issues],
        dtype=np.int64,
    )
    size = chunk_size(tasks, samples)
    for chunk, first in enumerate(range(0, samples, size)):
        count = min(size, samples - first)
        rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, chunk])))
        durations = sample_factors(spread, rng, count)[issue_of]
        durations *= work[:, None]
        end, end_day, cause = _run(policy, clocks, lags, durations)
        tallies.late += np.sum(end_day[last] > deadlines[:, None], axis=1)
        _tally_milestones(policy, end, end_day, cause, tallies)
    return tallies


def _run(
    policy: Policy, clocks: list[Clock], lags: TeamLags, durations: Floats
) -> tuple[Floats, NDArray[np.int32], NDArray[np.int32]]:
    """End instants, end days and, per task and sample, the task whose finish decided its start (-1: a release).

    A dependency decides when its release is later than the task's own release and earlier dependencies'; the
    owner's previous task when it ends later still (ties go to the dependency).
    """
    tasks, count = durations.shape
    end = np.empty((tasks, count))
    end_day = np.empty((tasks, count), dtype=np.int32)
    cause = np.full((tasks, count), -1, dtype=np.int32)
    owner_end: dict[int, Floats] = {}
    for index, task in enumerate(policy.tasks):
        clock = clocks[task.clock]
        decided = cause[index]
        if task.deps:
            ready = np.full(count, float(task.release))
            for before, lag in task.deps:
                release = lags.release(end[before], end_day[before], lag)
                later = release > ready
                np.maximum(ready, release, out=ready)
                np.copyto(decided, before, where=later)
            start = clock.first_unit(ready)
        else:
            start = np.full(count, clock.first_unit(np.asarray([float(task.release)]))[0])
        if task.owner_prev >= 0:
            free = owner_end[task.owner]
            busy = free > start
            np.maximum(start, free, out=start)
            np.copyto(decided, task.owner_prev, where=busy)
        finish = start + durations[index]
        owner_end[task.owner] = finish
        end[index], end_day[index] = clock.end_of(finish)
    return end, end_day, cause


def _tally_milestones(
    policy: Policy, end: Floats, end_day: NDArray[np.int32], cause: NDArray[np.int32], tallies: Tallies
) -> None:
    """Each milestone's finish day per sample, and the chain of pieces that decided it, followed back to a release.

    The chains of every milestone are followed together; a piece counts only on its own issue's milestone's chain,
    and an issue counts once per sample however many of its pieces are on it.
    """
    count = end.shape[1]
    milestone_of = np.asarray([policy.issues[task.issue].milestone for task in policy.tasks], dtype=np.int32)
    heads, labels = [], []
    for index, milestone in enumerate(policy.milestones):
        if not milestone.members:
            continue
        lasts = np.asarray([policy.issues[member].last for member in milestone.members], dtype=np.int64)
        tallies.milestone_days[index] += np.bincount(end_day[lasts].max(axis=0), minlength=tallies.days)
        heads.append(lasts[np.argmax(end[lasts], axis=0)].astype(np.int32))
        labels.append(np.full(count, index, dtype=np.int32))
    if not heads:
        return
    on_chain = np.zeros(end.shape, dtype=bool)
    current, label = np.concatenate(heads), np.concatenate(labels)
    column = np.tile(np.arange(count, dtype=np.int32), len(heads))
    while current.size:
        own = milestone_of[current] == label
        on_chain[current[own], column[own]] = True
        previous = cause[current, column]
        kept = previous >= 0
        current, label, column = previous[kept], label[kept], column[kept]
    for index, issue in enumerate(policy.issues):
        rows = on_chain[issue.tasks[0]] if len(issue.tasks) == 1 else on_chain[list(issue.tasks)].any(axis=0)
        tallies.critical[index] += int(np.count_nonzero(rows))
