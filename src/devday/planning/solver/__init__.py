"""The planning solver: pure, stdlib only. Frozen dataclasses in, a plan out.

The service and the CLI use only what this module exports.
"""

from __future__ import annotations

from devday.planning.solver.check import check_plan
from devday.planning.solver.forecast import (
    ENOUGH as HISTORY_ENOUGH,
)
from devday.planning.solver.forecast import (
    MOVABLE_AT_MOST,
    ON_TIME_TARGET,
    PRIOR_VELOCITIES,
    Calibration,
    History,
    TaskForecast,
    Velocities,
    VelocitySource,
    calibration,
    forecast,
    on_time_probabilities,
    velocities,
)
from devday.planning.solver.forecast import (
    RECENT as HISTORY_RECENT,
)
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
    "HISTORY_ENOUGH",
    "HISTORY_RECENT",
    "MOVABLE_AT_MOST",
    "ON_TIME_TARGET",
    "PRIOR_VELOCITIES",
    "REPLAN_BUDGET_MS",
    "Block",
    "BusyEvent",
    "Calibration",
    "DeferredTask",
    "History",
    "LateTask",
    "PinnedBlock",
    "Plan",
    "Problem",
    "ProblemError",
    "RoutineItem",
    "Task",
    "TaskForecast",
    "UnscheduledTask",
    "Velocities",
    "VelocitySource",
    "Violation",
    "blocks_moved",
    "calibration",
    "check_json",
    "check_plan",
    "default_iterations",
    "forecast",
    "lower_bound",
    "on_time_probabilities",
    "plan_from_json",
    "plan_to_json",
    "problem_from_json",
    "problem_to_json",
    "replan",
    "solve",
    "solve_json",
    "velocities",
    "weighted_tardiness_sequence",
]
