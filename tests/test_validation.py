"""Cross-field validation of plan requests and the translation of pydantic's errors."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from pydantic import ValidationError

from api_schemas import PlanRequest, Problem
from api_schemas.examples import PLAN_REQUEST_EXAMPLE
from solver.intake.errors import InvalidRequestError
from solver.intake.limits import Limits
from solver.intake.validation import check_request, parse_request, problems_from_pydantic, validate_request
from solver.planner import plan


def request_data(**overrides: Any) -> dict[str, Any]:
    """A small valid request: two owners, one milestone, three issues; fields replaced by `overrides`."""
    data: dict[str, Any] = {
        "start_date": "2025-11-24",
        "owners": [
            {"id": "alice", "skills": ["infra", "backend"]},
            {"id": "bob", "skills": ["frontend"]},
        ],
        "milestones": [{"id": "M1", "due": "2025-12-19"}],
        "issues": [
            {"id": "#1", "estimate_hours": 4, "milestone": "M1"},
            {"id": "#2", "estimate_hours": 2, "depends_on": ["#1"]},
            {"id": "#3", "estimate_hours": 1},
        ],
    }
    data.update(overrides)
    return data


def problems_of(data: dict[str, Any], limits: Limits | None = None) -> list[Problem]:
    request = PlanRequest.model_validate(data)
    return validate_request(request) if limits is None else validate_request(request, limits)


def only(problems: list[Problem], code: str) -> Problem:
    """The single problem with this code (fails when there are none or several)."""
    matching = [problem for problem in problems if problem.code == code]
    assert len(matching) == 1, problems
    return matching[0]


def chain(count: int) -> list[dict[str, Any]]:
    """`count` issues where each depends on the one before."""
    issues: list[dict[str, Any]] = [{"id": "#0", "estimate_hours": 1}]
    issues += [{"id": f"#{n}", "estimate_hours": 1, "depends_on": [f"#{n - 1}"]} for n in range(1, count)]
    return issues


# --- valid requests ----------------------------------------------------------------------------------------


def test_documented_example_is_valid() -> None:
    assert problems_of(copy.deepcopy(PLAN_REQUEST_EXAMPLE)) == []
    assert parse_request(copy.deepcopy(PLAN_REQUEST_EXAMPLE)).issues[1].depends_on[0].issue == "#840"


def test_small_request_is_valid() -> None:
    assert problems_of(request_data()) == []


def test_remaining_hours_above_estimate_is_a_re_estimate_not_a_problem() -> None:
    data = request_data(issues=[{"id": "#1", "estimate_hours": 2, "remaining_hours": 6}])
    assert problems_of(data) == []


def test_pinned_start_before_start_date_is_left_to_the_solver() -> None:
    data = request_data(issues=[{"id": "#1", "estimate_hours": 2, "pinned_owner": "bob", "pinned_start": "2025-01-06"}])
    assert problems_of(data) == []


def test_diamond_of_dependencies_is_not_a_cycle() -> None:
    issues = [
        {"id": "a", "estimate_hours": 1},
        {"id": "b", "estimate_hours": 1, "depends_on": ["a"]},
        {"id": "c", "estimate_hours": 1, "depends_on": ["a"]},
        {"id": "d", "estimate_hours": 1, "depends_on": ["b", "c"]},
    ]
    assert problems_of(request_data(issues=issues)) == []


# --- duplicates and unknown references ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "elements"),
    [
        ("owners", [{"id": "alice"}, {"id": "bob"}, {"id": "alice"}]),
        ("milestones", [{"id": "M1"}, {"id": "M2"}, {"id": "M1"}]),
        ("issues", [{"id": "#1"}, {"id": "#2"}, {"id": "#1"}]),
    ],
)
def test_duplicate_id_names_the_id_and_both_positions(field: str, elements: list[dict[str, Any]]) -> None:
    duplicated = elements[0]["id"]
    problem = only(problems_of(request_data(**{field: elements})), "duplicate_id")
    assert problem.loc == [field, 2, "id"]
    assert problem.ids == [duplicated]
    assert duplicated in problem.message
    assert f"{field}[0]" in problem.message
    assert f"{field}[2]" in problem.message


def test_unknown_milestone() -> None:
    data = request_data(issues=[{"id": "#5", "milestone": "M9"}])
    problem = only(problems_of(data), "unknown_milestone")
    assert problem.loc == ["issues", 0, "milestone"]
    assert problem.ids == ["#5", "M9"]
    assert "#5" in problem.message
    assert "M9" in problem.message


def test_unknown_pinned_owner() -> None:
    data = request_data(issues=[{"id": "#5", "pinned_owner": "carol"}])
    problem = only(problems_of(data), "unknown_owner")
    assert problem.loc == ["issues", 0, "pinned_owner"]
    assert problem.ids == ["#5", "carol"]
    assert "#5" in problem.message
    assert "carol" in problem.message


def test_unknown_dependency() -> None:
    issues = [{"id": "#840"}, {"id": "#841", "depends_on": ["#840", {"issue": "#999", "lag_days": 1}]}]
    problem = only(problems_of(request_data(issues=issues)), "unknown_dependency")
    assert problem.loc == ["issues", 1, "depends_on", 1, "issue"]
    assert problem.ids == ["#841", "#999"]
    assert problem.message == "Issue #841 depends on #999, which is not in the backlog."


def test_dependency_on_itself() -> None:
    issues = [{"id": "#1"}, {"id": "#7", "depends_on": ["#1", "#7"]}]
    problems = problems_of(request_data(issues=issues))
    problem = only(problems, "self_dependency")
    assert problem.loc == ["issues", 1, "depends_on", 1, "issue"]
    assert problem.ids == ["#7"]
    assert "#7" in problem.message
    assert not [p for p in problems if p.code == "dependency_cycle"]


# --- cycles ------------------------------------------------------------------------------------------------


def test_two_issue_cycle_is_named_in_order() -> None:
    issues = [{"id": "#972", "depends_on": ["#973"]}, {"id": "#973", "depends_on": ["#972"]}]
    problem = only(problems_of(request_data(issues=issues)), "dependency_cycle")
    assert problem.ids == ["#972", "#973"]
    assert problem.loc == ["issues", 0, "depends_on", 0, "issue"]
    assert "Dependency cycle: #972 -> #973 -> #972" in problem.message


def test_three_issue_cycle_follows_the_dependencies() -> None:
    issues = [
        {"id": "x"},
        {"id": "a", "depends_on": ["x", "c"]},
        {"id": "b", "depends_on": ["a"]},
        {"id": "c", "depends_on": ["b"]},
    ]
    problem = only(problems_of(request_data(issues=issues)), "dependency_cycle")
    assert problem.ids == ["a", "c", "b"]
    assert problem.loc == ["issues", 1, "depends_on", 1, "issue"]
    assert "a -> c -> b -> a" in problem.message


def test_two_separate_cycles_give_two_problems() -> None:
    issues = [
        {"id": "p", "depends_on": ["q"]},
        {"id": "q", "depends_on": ["p"]},
        {"id": "free"},
        {"id": "r", "depends_on": ["free", "s"]},
        {"id": "s", "depends_on": ["t"]},
        {"id": "t", "depends_on": ["r"]},
    ]
    cycles = [p for p in problems_of(request_data(issues=issues)) if p.code == "dependency_cycle"]
    assert [cycle.ids for cycle in cycles] == [["p", "q"], ["r", "s", "t"]]
    assert [cycle.loc for cycle in cycles] == [
        ["issues", 0, "depends_on", 0, "issue"],
        ["issues", 3, "depends_on", 1, "issue"],
    ]


def test_tangle_of_cycles_is_one_problem_with_one_concrete_cycle() -> None:
    # a -> b -> a and b -> c -> b share b: one strongly connected component {a, b, c}.
    issues = [
        {"id": "a", "depends_on": ["b"]},
        {"id": "b", "depends_on": ["c", "a"]},
        {"id": "c", "depends_on": ["b"]},
    ]
    problem = only(problems_of(request_data(issues=issues)), "dependency_cycle")
    assert problem.ids == ["a", "b"]
    assert "a -> b -> a" in problem.message
    assert "1 more issue" in problem.message


def test_long_chain_validates_without_recursion_errors() -> None:
    assert problems_of(request_data(issues=chain(20_000)), Limits(max_issues=20_000)) == []


def test_long_cycle_is_found_without_recursion_errors() -> None:
    issues = chain(20_000)
    issues[0]["depends_on"] = ["#19999"]
    problem = only(problems_of(request_data(issues=issues), Limits(max_issues=20_000)), "dependency_cycle")
    assert problem.ids == [f"#{n}" for n in [0, *range(19_999, 0, -1)]]


# --- skills ------------------------------------------------------------------------------------------------


def test_skills_spread_over_two_owners_do_not_make_one_capable_owner() -> None:
    data = request_data(issues=[{"id": "#4", "skills": ["infra", "frontend"]}])
    problem = only(problems_of(data), "no_owner_with_skills")
    assert problem.loc == ["issues", 0, "skills"]
    assert problem.ids == ["#4"]
    assert "#4" in problem.message
    assert "frontend, infra" in problem.message
    assert "nobody has" not in problem.message


def test_skill_nobody_has_is_named() -> None:
    data = request_data(issues=[{"id": "#4", "skills": ["infra", "gpu"]}])
    problem = only(problems_of(data), "no_owner_with_skills")
    assert "nobody has gpu" in problem.message


def test_one_owner_with_all_skills_is_enough() -> None:
    assert problems_of(request_data(issues=[{"id": "#4", "skills": ["infra", "backend"]}])) == []


def test_pinned_owner_lacking_a_skill() -> None:
    data = request_data(issues=[{"id": "#4", "skills": ["backend", "infra"], "pinned_owner": "bob"}])
    problem = only(problems_of(data), "pinned_owner_lacks_skills")
    assert problem.loc == ["issues", 0, "pinned_owner"]
    assert problem.ids == ["#4", "bob"]
    assert "bob" in problem.message
    assert "#4" in problem.message
    assert "backend, infra" in problem.message


# --- size caps, horizon, time limit ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "limits", "code"),
    [
        ("issues", Limits(max_issues=2), "too_many_issues"),
        ("owners", Limits(max_owners=1), "too_many_owners"),
        ("milestones", Limits(max_milestones=0), "too_many_milestones"),
    ],
)
def test_size_caps(field: str, limits: Limits, code: str) -> None:
    problem = only(problems_of(request_data(), limits), code)
    assert problem.loc == [field]
    assert str(len(request_data()[field])) in problem.message


def test_time_limit_above_the_cap() -> None:
    data = request_data(options={"time_limit_s": 120})
    problem = only(problems_of(data, Limits(max_time_limit_s=60)), "time_limit_too_long")
    assert problem.loc == ["options", "time_limit_s"]
    assert "120" in problem.message
    assert "60" in problem.message


FAR = "2026-01-01"  # 38 days after the start date, beyond a 30-day horizon


@pytest.mark.parametrize(
    ("overrides", "loc", "ids"),
    [
        ({"milestones": [{"id": "M1", "due": FAR}]}, ["milestones", 0, "due"], ["M1"]),
        ({"issues": [{"id": "#1", "deadline": FAR}]}, ["issues", 0, "deadline"], ["#1"]),
        ({"issues": [{"id": "#1", "not_before": FAR}]}, ["issues", 0, "not_before"], ["#1"]),
        ({"issues": [{"id": "#1", "pinned_start": FAR}]}, ["issues", 0, "pinned_start"], ["#1"]),
        ({"calendar": {"holidays": ["2025-12-20", FAR]}}, ["calendar", "holidays", 1], []),
        (
            {"owners": [{"id": "alice"}, {"id": "bob", "days_off": ["2025-12-01", FAR]}]},
            ["owners", 1, "days_off", 1],
            ["bob"],
        ),
    ],
)
def test_date_beyond_horizon(overrides: dict[str, Any], loc: list[str | int], ids: list[str]) -> None:
    problem = only(problems_of(request_data(**overrides), Limits(max_horizon_days=30)), "date_beyond_horizon")
    assert problem.loc == loc
    assert problem.ids == ids
    assert FAR in problem.message
    assert str(loc[-1] if isinstance(loc[-1], str) else loc[-2]) in problem.message
    assert all(identifier in problem.message for identifier in ids)


def test_many_far_days_off_are_one_problem_listing_the_first_dates() -> None:
    days_off = [f"2026-02-{day:02d}" for day in range(1, 11)]
    data = request_data(owners=[{"id": "alice", "days_off": days_off}])
    problem = only(problems_of(data, Limits(max_horizon_days=30)), "date_beyond_horizon")
    assert problem.loc == ["owners", 0, "days_off", 0]
    assert "2026-02-01" in problem.message
    assert "and 5 more" in problem.message


def test_date_on_the_last_day_of_the_horizon_is_fine() -> None:
    data = request_data(milestones=[{"id": "M1", "due": "2025-12-24"}])
    assert problems_of(data, Limits(max_horizon_days=30)) == []


# --- calendar ----------------------------------------------------------------------------------------------


def test_unknown_country() -> None:
    problem = only(problems_of(request_data(calendar={"country": "XX"})), "unknown_country")
    assert problem.loc == ["calendar", "country"]
    assert "'XX'" in problem.message


def test_unknown_subdivision() -> None:
    problem = only(problems_of(request_data(calendar={"country": "US", "subdivision": "ZZ"})), "unknown_subdivision")
    assert problem.loc == ["calendar", "subdivision"]
    assert "'ZZ'" in problem.message
    assert "'US'" in problem.message


@pytest.mark.parametrize("subdivision", ["CA", "California"])
def test_known_subdivision_codes_and_names(subdivision: str) -> None:
    assert problems_of(request_data(calendar={"country": "US", "subdivision": subdivision})) == []


def test_subdivision_without_country() -> None:
    problem = only(problems_of(request_data(calendar={"subdivision": "CA"})), "subdivision_without_country")
    assert problem.loc == ["calendar", "subdivision"]
    assert "'CA'" in problem.message


# --- several problems at once ------------------------------------------------------------------------------


def test_every_problem_is_listed_at_once() -> None:
    data = request_data(
        calendar={"country": "XX"},
        issues=[
            {"id": "#1", "milestone": "nope", "depends_on": ["#2"]},
            {"id": "#2", "pinned_owner": "zed", "depends_on": ["#1", "#404"]},
            {"id": "#1", "skills": ["quantum"]},
        ],
    )
    codes = sorted(problem.code for problem in problems_of(data))
    assert codes == sorted(
        [
            "unknown_country",
            "duplicate_id",
            "unknown_milestone",
            "unknown_owner",
            "unknown_dependency",
            "no_owner_with_skills",
            "dependency_cycle",
        ]
    )


# --- pydantic errors and parse_request ---------------------------------------------------------------------


def pydantic_error(data: object) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        PlanRequest.model_validate(data)
    return caught.value


def test_pydantic_error_names_the_field_and_the_issue() -> None:
    data = request_data()
    data["issues"][2]["estimate_hours"] = 0
    [problem] = problems_from_pydantic(pydantic_error(data), data)
    assert problem.code == "invalid_field"
    assert problem.loc == ["issues", 2, "estimate_hours"]
    assert problem.ids == ["#3"]
    assert problem.message.startswith("issues[2].estimate_hours (issue #3): ")
    assert "greater than 0" in problem.message


def test_pydantic_error_without_raw_input_has_no_ids() -> None:
    data = request_data()
    data["owners"][1]["hours_per_day"] = 7.1
    [problem] = problems_from_pydantic(pydantic_error(data))
    assert problem.loc == ["owners", 1, "hours_per_day"]
    assert problem.ids == []
    assert "quarter hours" in problem.message
    assert "Value error" not in problem.message


def test_missing_and_unknown_fields_have_their_own_codes() -> None:
    data = request_data()
    del data["start_date"]
    data["owners"][0]["skils"] = ["infra"]
    data["milestones"][0]["id"] = " M1"
    problems = problems_from_pydantic(pydantic_error(data), data)
    by_code = {problem.code: problem for problem in problems}
    assert set(by_code) == {"missing_field", "unknown_field", "invalid_field"}
    assert by_code["missing_field"].loc == ["start_date"]
    assert by_code["unknown_field"].loc == ["owners", 0, "skils"]
    assert by_code["unknown_field"].ids == ["alice"]
    assert by_code["invalid_field"].loc == ["milestones", 0, "id"]
    assert "blanks" in by_code["invalid_field"].message


def test_parse_request_raises_with_every_pydantic_problem() -> None:
    data = request_data()
    data["issues"][0]["estimate_hours"] = -1
    data["issues"][1]["priority"] = "P9"
    with pytest.raises(InvalidRequestError) as caught:
        parse_request(data)
    assert [problem.loc for problem in caught.value.problems] == [
        ["issues", 0, "estimate_hours"],
        ["issues", 1, "priority"],
    ]
    assert [problem.ids for problem in caught.value.problems] == [["#1"], ["#2"]]


def test_parse_request_raises_with_every_cross_field_problem() -> None:
    data = request_data(issues=[{"id": "#1", "depends_on": ["#8"]}, {"id": "#2", "pinned_owner": "zed"}])
    with pytest.raises(InvalidRequestError) as caught:
        parse_request(data)
    assert [problem.code for problem in caught.value.problems] == ["unknown_dependency", "unknown_owner"]
    assert "#8" in str(caught.value)


def test_parse_request_reads_json_text() -> None:
    assert parse_request(json.dumps(request_data())).start_date.isoformat() == "2025-11-24"
    with pytest.raises(InvalidRequestError) as caught:
        parse_request('{"start_date": ')
    assert [problem.code for problem in caught.value.problems] == ["invalid_json"]


def test_parse_request_applies_the_given_limits() -> None:
    with pytest.raises(InvalidRequestError) as caught:
        parse_request(request_data(), Limits(max_issues=1))
    assert [problem.code for problem in caught.value.problems] == ["too_many_issues"]


def test_check_request_checks_what_adjust_returns() -> None:
    data = request_data(options={"time_limit_s": 900})
    _, problems = check_request(data)
    assert [problem.code for problem in problems] == ["time_limit_too_long"]

    def capped(request: PlanRequest) -> PlanRequest:
        options = request.options.model_copy(update={"time_limit_s": 60})
        return request.model_copy(update={"options": options})

    request, problems = check_request(data, adjust=capped)
    assert problems == [] and request is not None and request.options.time_limit_s == 60
    assert check_request({"owners": []})[0] is None


def test_plan_called_directly_validates_and_lists_every_problem() -> None:
    request = PlanRequest.model_validate(
        request_data(issues=[{"id": "#1", "depends_on": ["#8"]}, {"id": "#2", "pinned_owner": "zed"}])
    )
    with pytest.raises(InvalidRequestError) as caught:
        plan(request)
    assert [problem.code for problem in caught.value.problems] == ["unknown_dependency", "unknown_owner"]
