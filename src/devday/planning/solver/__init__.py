"""The planning solver: pure, stdlib only. Frozen dataclasses in, a plan out.

The service and the CLI use only what this module exports.
"""

from __future__ import annotations

from devday.planning.solver.check import check_plan
from devday.planning.solver.json_api import check_json, solve_json
from devday.planning.solver.jsonio import problem_from_json
from devday.planning.solver.model import (
    Block,
    BusyEvent,
    DeferredTask,
    LateTask,
    PinnedBlock,
    Plan,
    Problem,
    ProblemError,
    RoutineItem,
    Task,
    UnscheduledTask,
    Violation,
)
from devday.planning.solver.plan_json import plan_from_json, plan_to_json, problem_to_json
from devday.planning.solver.replan import blocks_moved, replan
from devday.planning.solver.solve import (
    DEFAULT_BUDGET_MS,
    REPLAN_BUDGET_MS,
    default_iterations,
    lower_bound,
    solve,
)
from devday.planning.solver.wt import weighted_tardiness_sequence

__all__ = [
    "DEFAULT_BUDGET_MS",
    "REPLAN_BUDGET_MS",
    "Block",
    "BusyEvent",
    "DeferredTask",
    "LateTask",
    "PinnedBlock",
    "Plan",
    "Problem",
    "ProblemError",
    "RoutineItem",
    "Task",
    "UnscheduledTask",
    "Violation",
    "blocks_moved",
    "check_json",
    "check_plan",
    "default_iterations",
    "lower_bound",
    "plan_from_json",
    "plan_to_json",
    "problem_from_json",
    "problem_to_json",
    "replan",
    "solve",
    "solve_json",
    "weighted_tardiness_sequence",
]
