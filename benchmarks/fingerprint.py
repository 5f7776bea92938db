"""Fingerprints of plans: the lexicographic values and every slot, to show a refactoring changed no plan.

Run it on two checkouts in one session and diff the outputs:

    python -m benchmarks.fingerprint > before.json   # on the old commit
    python -m benchmarks.fingerprint > after.json    # on the new one
    diff before.json after.json

Plans are deterministic under a deterministic budget, so equal code gives byte-equal output on one machine
(a loaded machine can cut a solve by its wall-clock guard; the record's warnings then say `not_repeatable`).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from api_schemas.request import PlanRequest
from api_schemas.result import PlanResult
from benchmarks.instances import InstanceSpec
from benchmarks.stg import DATA, read_cases, read_graph, to_request
from solver.planner import plan

REFERENCE = Path(__file__).resolve().parent.parent / "examples" / "reference_backlog.json"


def fingerprint(result: PlanResult) -> dict[str, Any]:
    """The parts of a plan a refactoring must not change: status, level values and bounds, slots, owners."""
    return {
        "status": result.status.value,
        "levels": [[stage.name, stage.value, stage.bound] for stage in result.objective],
        "issues": {
            issue.id: [issue.owner, [[s.date.isoformat(), s.start.isoformat(), s.hours] for s in issue.slots]]
            for issue in result.issues
        },
        "recommendations": _without_timings(
            result.recommendations.model_dump(mode="json", exclude_none=True) if result.recommendations else None
        ),
        "warnings": sorted(warning.code for warning in result.warnings),
    }


def _without_timings(value: Any) -> Any:
    """`value` without its wall-clock `seconds` fields, which differ from run to run."""
    if isinstance(value, dict):
        return {key: _without_timings(item) for key, item in value.items() if key != "seconds"}
    if isinstance(value, list):
        return [_without_timings(item) for item in value]
    return value


def cases(quick: bool) -> list[tuple[str, PlanRequest, bool]]:
    """Named requests: the reference backlog (with recommendations), generated sizes and STG graphs."""
    reference = PlanRequest.model_validate_json(REFERENCE.read_text())
    chosen: list[tuple[str, PlanRequest, bool]] = [("reference", reference, True)]
    sizes = [("S", 0), ("S", 1)] if quick else [("S", 0), ("S", 1), ("S", 2), ("M", 0), ("L", 0)]
    for size, seed in sizes:
        chosen.append((f"{size}-{seed}", InstanceSpec(size, seed, time_limit_s=10.0).request(), False))
    stg = read_cases()[:: 90 if quick else 30]
    for case in stg:
        request = to_request(read_graph(DATA / "stg50" / case.graph_file), case.processors, 5.0)
        chosen.append((f"stg-{case.graph_file}-{case.processors}", request, False))
    return chosen


def main(argv: list[str] | None = None) -> int:
    """Print one JSON document of fingerprints, keyed by case name."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer and smaller cases (about a minute)")
    args = parser.parse_args(argv)
    out: dict[str, Any] = {}
    for name, request, with_recommendations in cases(args.quick):
        out[name] = fingerprint(plan(request, with_recommendations=with_recommendations))
    json.dump(out, sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
