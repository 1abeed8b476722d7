"""The solver on its public JSON forms: what `POST /api/v1/planner/solve|check` and
`devday plan solve|check` both run. An invalid problem or plan raises `ProblemError`; a plan's
fields are named `plan.<field>`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from devday.planning.solver.check import check_plan
from devday.planning.solver.jsonio import problem_from_json
from devday.planning.solver.model import ProblemError, Violation
from devday.planning.solver.plan_json import plan_from_json, plan_to_json
from devday.planning.solver.solve import solve


def solve_json(problem: Mapping[str, Any]) -> dict[str, Any]:
    """The plan JSON for the problem JSON."""
    return plan_to_json(solve(problem_from_json(problem)))


def check_json(problem: Mapping[str, Any], plan: Mapping[str, Any]) -> list[Violation]:
    """Every hard rule the plan JSON breaks for the problem JSON."""
    parsed = problem_from_json(problem)
    try:
        checked = plan_from_json(plan)
    except ProblemError as exc:
        raise ProblemError(f"plan.{exc.field}", exc.message) from None
    return check_plan(parsed, checked)
