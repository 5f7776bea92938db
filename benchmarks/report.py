"""Summarise the raw records of a run and render them as markdown tables (printed, and kept in the docs)."""

from __future__ import annotations

import statistics
from typing import Any

from benchmarks.evaluation import compare, improvement
from benchmarks.instances import IDENTICAL, MIXED
from benchmarks.stg import summarise as summarise_stg

Record = dict[str, Any]


def _find(records: list[Record], kind: str, size: str, variant: str = MIXED, mode: str | None = None,
          recommendations: bool = False) -> list[Record]:
    found = []
    for record in records:
        job = record.get("job", {})
        if bool(record.get("recommendations", job.get("recommendations", False))) != recommendations:
            continue
        instance = record.get("instance") or record.get("job", {}).get("instance") or {}
        if record.get("kind") != kind or instance.get("size") != size or instance.get("variant") != variant:
            continue
        if mode is not None and instance.get("mode") != mode:
            continue
        found.append(record)
    return found


def _versus(record: Record | None, baseline: Record | None) -> dict[str, Any] | None:
    """Improvement of a run over a baseline at the first differing level (positive is better)."""
    if not record or not baseline or not record.get("objective") or not baseline.get("objective"):
        return None
    fraction, position = improvement(record["objective"], baseline["objective"])
    level = None if position is None else record["levels"][position]
    return {"improvement": round(fraction, 4), "level": level}


def _unproven_level(record: Record) -> str | None:
    for name, value, bound in zip(record.get("levels", []), record.get("objective", []), record.get("bounds", []),
                                  strict=False):
        if value != bound:
            return str(name)
    return None


def _run_summary(record: Record, greedy: Record | None) -> dict[str, Any]:
    keys = ("status", "gap", "wall_s", "first_solution_s", "plan_ready_s", "solutions", "peak_rss_mib",
            "violation_count", "objective", "bounds", "levels", "check_s", "timing", "error", "advice")
    summary = {key: record.get(key) for key in keys if key in record}
    summary["time_limit_s"] = (record.get("instance") or record.get("job", {}).get("instance", {})).get("time_limit_s")
    summary["unproven_level"] = _unproven_level(record)
    summary["horizon_capped"] = (record.get("model") or {}).get("horizon_capped")
    summary["vs_greedy"] = _versus(record, greedy)
    return summary


def summarise_size(records: list[Record], size: str) -> dict[str, Any]:
    """Every figure of one size: capplan per time limit and mode, baselines, what-if."""
    greedy = next(iter(_find(records, "greedy", size)), None)
    det = _find(records, "capplan", size, mode="deterministic")
    fast = next(iter(_find(records, "capplan", size, mode="fast")), None)
    id_greedy = next(iter(_find(records, "greedy", size, IDENTICAL)), None)
    id_capplan = next(iter(_find(records, "capplan", size, IDENTICAL)), None)
    id_pyjobshop = next(iter(_find(records, "pyjobshop", size, IDENTICAL)), None)
    whatif = next(iter(_find(records, "whatif", size)), None)
    churn = next(iter(_find(records, "churn", size)), None)
    advised = next(iter(_find(records, "capplan", size, recommendations=True)), None)
    first = det[0] if det else {}
    summary: dict[str, Any] = {
        "counts": first.get("counts") or (greedy or {}).get("counts"),
        "model": first.get("model"),
        "phases_s": first.get("phases_s"),
        "greedy": {key: (greedy or {}).get(key) for key in ("status", "objective", "wall_s", "violation_count")},
        "runs": [_run_summary(record, greedy) for record in det],
        "fast": _run_summary(fast, greedy) if fast else None,
        "identical": {
            "greedy": (id_greedy or {}).get("objective"),
            "capplan_fast": _run_summary(id_capplan, id_greedy) if id_capplan else None,
            "pyjobshop": {key: (id_pyjobshop or {}).get(key) for key in (
                "status", "objective", "wall_s", "violation_count", "peak_rss_mib", "reason", "error")},
            "pyjobshop_vs_greedy": _versus(id_pyjobshop, id_greedy),
            "capplan_vs_pyjobshop": _versus(id_capplan, id_pyjobshop),
        },
        "peak_rss_mib": max((r.get("peak_rss_mib") or 0 for r in [*det, fast or {}]), default=None),
        "whatif": whatif,
        "churn": churn,
        "with_recommendations": _run_summary(advised, greedy) if advised else None,
    }
    return summary


def summarise(raw: dict[str, Any]) -> dict[str, Any]:
    """The summary written to JSON: per size, the STG table, and the improvement over greedy overall."""
    records = raw["records"]
    sizes = {size: summarise_size(records, size) for size in raw["config"]["sizes"]}
    versus = [
        run["vs_greedy"]["improvement"]
        for size in sizes.values()
        for run in [*size["runs"], size["fast"], size["identical"]["capplan_fast"]]
        if run and run.get("vs_greedy")
    ]
    checked = [
        record.get("violation_count", 0) for record in records if "violation_count" in record
    ] + [len(row["violations"]) for row in raw["stg_rows"] if row.get("violations") is not None]
    return {
        "machine": raw["machine"],
        "started": raw["started"],
        "duration_s": raw["duration_s"],
        "sizes": sizes,
        "vs_greedy": {
            "runs": len(versus),
            "median_improvement": statistics.median(versus) if versus else None,
            "worse": sum(1 for value in versus if value < 0),
        },
        "plans_checked": len(checked),
        "plans_with_violations": sum(1 for count in checked if count),
        "errors": [record for record in records if "error" in record],
        "stg": summarise_stg(raw["stg_rows"]),
        "forecast": summarise_forecast(records),
    }


def summarise_forecast(records: list[Record]) -> list[dict[str, Any]]:
    """The forecast benchmark's records, one per size (errors are listed with the others)."""
    keys = ("samples", "planned_issues", "counts", "plan_s", "wall_s", "best_s", "cpu_s", "load_average", "target_s",
            "traced_peak_mib",
            "peak_rss_mib", "milestones_forecast", "median_p_on_time", "status")
    return [
        {"size": record["instance"]["size"], **{key: record.get(key) for key in keys}}
        for record in records
        if record.get("kind") == "forecast" and "error" not in record
    ]


def forecast_table(rows: list[dict[str, Any]]) -> list[str]:
    """One line per size: the forecast's time against its target, per task-sample, and its memory."""
    lines = [
        "| size | owners/planned issues | samples | forecast wall s (median of 3) | best wall s | CPU s | load average "
        "| target s | within target (wall) | µs CPU per issue-sample | peak traced MiB | milestones forecast |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        cells = row["samples"] * max(row["planned_issues"] or 1, 1)
        target = row["target_s"]
        lines.append("| " + " | ".join([
            row["size"], f"{(row['counts'] or {}).get('owners', '-')}/{row['planned_issues']}", f"{row['samples']:,}",
            f"{row['wall_s']:.2f}", f"{row['best_s']:.2f}", f"{row['cpu_s']:.2f}", f"{row['load_average']:g}",
            "-" if target is None else f"{target:g}",
            "-" if target is None else ("yes" if row["wall_s"] <= target else "**no**"),
            f"{row['cpu_s'] / cells * 1e6:.3f}", f"{row['traced_peak_mib']:.0f}", str(row["milestones_forecast"]),
        ]) + " |")
    return lines


# --- rendering -------------------------------------------------------------------------------------------------


def _seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def _versus_cell(versus: dict[str, Any] | None) -> str:
    if versus is None:
        return "-"
    if versus["level"] is None:
        return "equal"
    return f"{versus['improvement'] * 100:+.1f}% ({versus['level'].split(' (')[0]})"


def _run_cell(run: dict[str, Any] | None) -> str:
    if run is None:
        return "-"
    if run.get("error"):
        return "ERROR"
    status = run.get("status", "?")
    if status == "OPTIMAL":
        return f"OPTIMAL in {run['wall_s']:.1f} s"
    if not run.get("unproven_level"):
        why = " (horizon capped)" if run.get("horizon_capped") else ""
        return f"{status}, every level proven{why}, {run['wall_s']:.1f} s"
    level = run["unproven_level"].split(" (")[0]
    return f"{status}, gap {run.get('gap', 0) * 100:.0f}% ({level}), {run['wall_s']:.0f} s"


def _advised_cell(run: dict[str, Any] | None) -> str:
    """The plan's cell, and what its recommendations offered (where the run recorded it)."""
    cell = _run_cell(run)
    advice = (run or {}).get("advice")
    if not advice or not advice["targets"]:
        return cell
    return (
        f"{cell}; {advice['targets']} target(s), {advice['alternatives']} alternatives ({advice['verified']} "
        f"verified, {advice['proven']} proven minimal) in {advice['seconds']:.1f} s"
    )


def _capplan_table(sizes: dict[str, Any]) -> list[str]:
    limits = _limits(sizes)
    header = ["size", "owners/issues", "tasks/groups", "model vars", "prepare s", "rounds s", "build s",
              "first solution s",
              *[f"{limit:g} s" for limit in limits], "fast", "with recommendations", "peak MiB", "checker"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for name, size in sizes.items():
        counts, model, phases = size["counts"] or {}, size["model"] or {}, size["phases_s"] or {}
        by_limit = {run["time_limit_s"]: run for run in size["runs"]}
        firsts = [run.get("first_solution_s") for run in size["runs"]]
        checked = [*size["runs"], size["fast"] or {}, size["with_recommendations"] or {}]
        violations = sum(run.get("violation_count") or 0 for run in checked)
        check_times = [run["check_s"] for run in checked if run.get("check_s") is not None]
        cells = [
            name, f"{counts.get('owners', '-')}/{counts.get('issues', '-')}",
            f"{model.get('tasks', '-')}/{model.get('resources', '-')}", _variables_cell(model),
            _seconds(phases.get("prepare_searched")), _seconds(phases.get("squeaky_wheel")),
            _seconds(phases.get("build_model")),
            _seconds(firsts[0] if firsts else None),
            *[_run_cell(by_limit.get(limit)) for limit in limits], _run_cell(size["fast"]),
            _advised_cell(size["with_recommendations"]),
            f"{size['peak_rss_mib']:.0f}" if size["peak_rss_mib"] else "-",
            ("clean" if violations == 0 else f"{violations} violations")
            + (f", {max(check_times):.2f} s" if check_times else ""),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


#: The issue's quality targets per size: (time limit, relative gap allowed, at every level or the first open one).
TARGETS: dict[str, tuple[float, float, str]] = {
    "M": (30.0, 0.001, "every level"), "L": (30.0, 0.005, "first open level"), "XL": (60.0, 0.01, "first open level"),
}


def _level_gap(value: int, bound: int) -> float:
    return 0.0 if value <= bound else (value - bound) / max(value, 1)


def _levels_table(sizes: dict[str, Any]) -> list[str]:
    """Each size's longest deterministic run: every level's value, bound and gap, and the target met or not."""
    lines = ["| size | limit | level: value / bound (gap) | target | met |", "|---|---|---|---|---|"]
    for name, size in sizes.items():
        runs = [run for run in size["runs"] if run.get("levels")]
        if not runs:
            continue
        run = max(runs, key=lambda r: r["time_limit_s"])
        levels = list(zip(run["levels"], run["objective"], run["bounds"], strict=True))
        cells = "; ".join(f"{level}: {value} / {bound} ({_level_gap(value, bound) * 100:.2f}%)"
                          for level, value, bound in levels)
        target, met = "-", "-"
        if name in TARGETS:
            limit, allowed, scope = TARGETS[name]
            target = f"within {allowed * 100:g}% at {scope} in {limit:g} s"
            gaps = [_level_gap(value, bound) for _, value, bound in levels]
            open_gaps = [gap for gap in gaps if gap > 0][:1]
            worst = max(gaps, default=0.0) if scope == "every level" else max(open_gaps, default=0.0)
            met = "not run at that limit" if run["time_limit_s"] < limit else ("yes" if worst <= allowed else "no")
        lines.append(f"| {name} | {run['time_limit_s']:g} s | {cells} | {target} | {met} |")
    return lines


def _variables_cell(model: dict[str, Any]) -> str:
    """The full model's variables, or what searched instead of it."""
    if "variables" in model:
        return str(model["variables"])
    return "none (neighbourhoods)" if model.get("search") == "neighbourhoods" else "-"


def _limits(sizes: dict[str, Any]) -> list[float]:
    return sorted({run["time_limit_s"] for size in sizes.values() for run in size["runs"]})


def _baseline_table(sizes: dict[str, Any]) -> list[str]:
    limits = _limits(sizes)
    header = ["size", "greedy s", *[f"capplan {limit:g} s" for limit in limits], "capplan fast",
              "identical owners: capplan fast vs greedy", "PyJobShop vs greedy", "capplan vs PyJobShop",
              "PyJobShop status"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for name, size in sizes.items():
        identical = size["identical"]
        pyjobshop = identical["pyjobshop"]
        by_limit = {run["time_limit_s"]: run for run in size["runs"]}
        cells = [
            name, _seconds(size["greedy"].get("wall_s")),
            *[_versus_cell((by_limit.get(limit) or {}).get("vs_greedy")) for limit in limits],
            _versus_cell((size["fast"] or {}).get("vs_greedy")),
            _versus_cell((identical["capplan_fast"] or {}).get("vs_greedy")),
            _versus_cell(identical["pyjobshop_vs_greedy"]), _versus_cell(identical["capplan_vs_pyjobshop"]),
            str(pyjobshop.get("status") or pyjobshop.get("error") or "-"),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def _ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def _whatif_table(sizes: dict[str, Any]) -> list[str]:
    header = ["size", "change", "cold: reaches its final quality s", "cold: plan returns s",
              "warm: reaches cold's final quality s", "warm: plan returns s", "warm/cold time to that quality",
              "warm time to it / cold run time", "warm final vs cold final"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for name, size in sizes.items():
        whatif = size["whatif"]
        if not whatif:
            continue
        if "error" in whatif or "changes" not in whatif:
            lines.append(f"| {name} | {whatif.get('error') or whatif.get('status')} |" + " |" * (len(header) - 2))
            continue
        for change in whatif["changes"]:
            cold, warm = change["cold"], change["warm"]
            ratio, run_ratio = change.get("warm_to_cold_time_ratio"), change.get("warm_to_cold_run_time_ratio")
            verdict = (
                compare(warm["objective"], cold["objective"]) if warm["objective"] and cold["objective"] else None
            )
            final = {-1: "better", 0: "equal", 1: "worse", None: warm["status"]}[verdict]
            cut = [run for run, summary in (("cold", cold), ("warm", warm)) if summary.get("repeatable") is False]
            if cut:
                final += f" ({' and '.join(cut)} stopped by the wall clock)"
            lines.append(
                f"| {name} | {change['change']} | {_seconds(cold['reached_target_s'])} "
                f"| {_seconds(cold['returned_s'])} | {_seconds(warm['reached_target_s'])} "
                f"| {_seconds(warm['returned_s'])} | {_ratio(ratio)} | {_ratio(run_ratio)} | {final} |"
            )
        medians = (whatif.get("median_warm_to_cold_time_ratio"), whatif.get("median_warm_to_cold_run_time_ratio"))
        lines.append(f"| {name} | median | | | | | {_ratio(medians[0])} | {_ratio(medians[1])} | |")
    return lines


def _lateness_cell(values: list[int]) -> str:
    return "/".join(str(value) for value in values) or "-"


def _first_plans(row: dict[str, Any]) -> str:
    """Seconds to the first checked plan, cold / with baseline ('-' in records from before they were measured)."""
    if "first_plan_cold_s" not in row:
        return "-"
    return f"{_seconds(row['first_plan_cold_s'])} / {_seconds(row['first_plan_baseline_s'])}"


def _churn_table(sizes: dict[str, Any]) -> list[str]:
    header = ["size", "change", "touched", "unrelated moves: cold", "unrelated moves: with baseline",
              "lateness cold", "lateness with baseline", "with baseline vs cold", "cold s", "with baseline s",
              "first checked plan s: cold / with baseline"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for name, size in sizes.items():
        churn = size.get("churn")
        if not churn:
            continue
        if "changes" not in churn:
            lines.append(f"| {name} | {churn.get('error') or churn.get('status')} |" + " |" * (len(header) - 2))
            continue
        for row in churn["changes"]:
            lines.append(
                f"| {name} | {row['change']} | {row['touched']} | {row['unrelated_cold']} | "
                f"{row['unrelated_baseline']} | {_lateness_cell(row['lateness_cold'])} | "
                f"{_lateness_cell(row['lateness_baseline'])} | {row['lateness_vs_cold']} | {_seconds(row['cold_s'])} | "
                f"{_seconds(row['baseline_s'])} | {_first_plans(row)} |"
            )
        lines.append(
            f"| {name} | median of {len(churn['changes'])} | | {churn['median_unrelated_cold']} | "
            f"{churn['median_unrelated_baseline']} | | | worse than cold: {churn['lateness_worse_than_cold']} | | | |"
        )
    return lines


def _stg_table(stg: list[dict[str, Any]]) -> list[str]:
    header = ["m", "cases", "checker-clean", "<= published", "< published", "> published", "below bound",
              "proven optimal", "median s", "max s"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in stg:
        lines.append("| " + " | ".join([
            str(row["processors"]), str(row["cases"]), str(row["checker_clean"]), str(row["at_or_below_published"]),
            str(row["below_published"]), str(row["above_published"]), str(row["below_lower_bound"]),
            str(row["proven_optimal"]), _seconds(row["median_s"]), _seconds(row["max_s"]),
        ]) + " |")
    return lines


def speed_sentence(machine: dict[str, Any]) -> str:
    """The machine's speed at the start and end of the run (`benchmarks.speed`), where the run measured it."""
    before, after = machine.get("speed_before"), machine.get("speed_after")
    if not before or not after:
        return ""
    return (
        f" Machine speed probe (lower is faster), start / end of the run: Python loop {before['python_loop_s']:.3f} / "
        f"{after['python_loop_s']:.3f} s, CP-SAT {before['cpsat_wall_per_deterministic_s']:.1f} / "
        f"{after['cpsat_wall_per_deterministic_s']:.1f} wall s per deterministic s."
    )


def render_markdown(summary: dict[str, Any]) -> str:
    """The tables of a run, with the machine it ran on, as markdown."""
    machine = summary["machine"]
    versus = summary["vs_greedy"]
    median = versus["median_improvement"]
    lines = [
        f"Run {summary['started']} ({summary['duration_s']:.0f} s) on {machine['cpu_model']}, {machine['cores']} "
        f"cores, {machine['memory_gib']} GiB; Python {machine['python']}, OR-Tools {machine['ortools']}, "
        f"PyJobShop {machine['pyjobshop']}; commit {machine['commit']}.{speed_sentence(machine)}",
        "",
        "**capplan on the generated instances** (default deterministic mode unless marked fast)",
        "",
        *_capplan_table(summary["sizes"]),
        "",
        "**Every level of the longest run** (value / proven bound; the gap is (value - bound) / value)",
        "",
        *_levels_table(summary["sizes"]),
        "",
        "**Against the baselines** (lexicographic objective: gain at the first level that differs; + is better)",
        "",
        *_baseline_table(summary["sizes"]),
        "",
        f"Median improvement over greedy: {'-' if median is None else f'{median * 100:+.1f}%'} over "
        f"{versus['runs']} runs; worse than greedy in {versus['worse']}. Plans checked: "
        f"{summary['plans_checked']}, with violations: {summary['plans_with_violations']}.",
    ]
    if any(size["whatif"] for size in summary["sizes"].values()):
        title = "**What-if re-plan after one change** (each change from the same baseline plan)"
        lines += ["", title, "", *_whatif_table(summary["sizes"])]
    if any(size.get("churn") for size in summary["sizes"].values()):
        title = ("**Churn after one change** (issues moved beyond those the change touches, re-planned cold and with "
                 "the base plan as `baseline`; lateness levels P0/P1/...)")
        lines += ["", title, "", *_churn_table(summary["sizes"])]
    if summary.get("forecast"):
        lines += ["", "**Forecast of the plan** (Monte Carlo, solver/forecast; the plan's own time is not counted)",
                  "", *forecast_table(summary["forecast"])]
    if summary["stg"]:
        lines += ["", "**Standard Task Graph set, 50 tasks** (makespan against the published value)", "",
                  *_stg_table(summary["stg"])]
    if summary["errors"]:
        lines += ["", "**Errors**", ""] + [f"- {error['kind']}: {error['error'][:200]}" for error in summary["errors"]]
    return "\n".join(lines) + "\n"
