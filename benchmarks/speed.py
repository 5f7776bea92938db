"""How fast the machine is right now: two fixed workloads, timed, so runs on different days can be compared.

The same 2-core machine has run the same plan in 0.70 s one day and 1.5 s another; a figure without the
machine's speed at that moment cannot say whether capplan or the machine changed. The probe times a fixed
pure-Python loop (the planner's own code: greedy starts, neighbourhoods, checks) and a fixed CP-SAT solve on one
worker with a deterministic limit (the solver's wall seconds per deterministic second), each best of three.
"""

from __future__ import annotations

import random
import time
from typing import Any

from ortools.sat.python import cp_model

#: Iterations of the Python loop (about 0.1-0.2 s on a 2-core AMD EPYC).
LOOP_ITERATIONS = 1_000_000
#: Deterministic seconds of the CP-SAT probe.
PROBE_DETERMINISTIC_S = 0.1
#: Jobs and machines of the probe's job shop (seeded; far from solvable in the probe's time, so it always
#: runs to its deterministic limit).
JOBS, MACHINES = 12, 8


def _python_loop() -> float:
    """Seconds of a fixed loop of integer arithmetic and list appends."""
    started = time.perf_counter()
    values: list[int] = []
    total = 0
    for n in range(LOOP_ITERATIONS):
        total += n * 7 % 13
        if n % 8 == 0:
            values.append(total)
    return time.perf_counter() - started


def _job_shop() -> cp_model.CpModel:
    """A seeded job shop minimising the makespan (the same model on every run)."""
    rng = random.Random(7)
    model = cp_model.CpModel()
    horizon = JOBS * MACHINES * 10
    by_machine: list[list[cp_model.IntervalVar]] = [[] for _ in range(MACHINES)]
    ends: list[cp_model.IntVar] = []
    for job in range(JOBS):
        previous: cp_model.IntVar | None = None
        for step, machine in enumerate(rng.sample(range(MACHINES), MACHINES)):
            duration = rng.randint(1, 10)
            start = model.new_int_var(0, horizon, f"s{job}_{step}")
            end = model.new_int_var(0, horizon, f"e{job}_{step}")
            by_machine[machine].append(model.new_interval_var(start, duration, end, f"i{job}_{step}"))
            if previous is not None:
                model.add(start >= previous)
            previous = end
        if previous is not None:
            ends.append(previous)
    for intervals in by_machine:
        model.add_no_overlap(intervals)
    makespan = model.new_int_var(0, horizon, "makespan")
    model.add_max_equality(makespan, ends)
    model.minimize(makespan)
    return model


def _cpsat_wall_per_deterministic_second() -> float:
    """Wall seconds one CP-SAT worker takes per deterministic second on the probe model."""
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = 0
    solver.parameters.max_deterministic_time = PROBE_DETERMINISTIC_S
    started = time.perf_counter()
    solver.solve(_job_shop())
    wall = time.perf_counter() - started
    return wall / max(solver.response_proto.deterministic_time, 1e-6)


def speed_probe() -> dict[str, Any]:
    """Both workloads, best of three each: lower is faster."""
    return {
        "python_loop_s": round(min(_python_loop() for _ in range(3)), 4),
        "cpsat_wall_per_deterministic_s": round(min(_cpsat_wall_per_deterministic_second() for _ in range(3)), 2),
    }
