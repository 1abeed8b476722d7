"""What a probe's result means for its check: the problems found, each with a severity.

Pure: a check's settings and a probe result in, findings out. ``evaluated`` lists the problems
this run could tell anything about (a refused connection says nothing about speed), so that
only those count towards failing or recovering.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache

from devday.checks import assertions, tls
from devday.checks.models import Check, Problem
from devday.checks.probe import ProbeResult
from devday.checks.schemas import status_matches

# Checks run the same few assertions thousands of times a minute: parse each source once.
_parse = lru_cache(maxsize=4096)(assertions.parse)
GRADES = ("F", "D-", "D", "D+", "C-", "C", "C+", "B-", "B", "B+", "A-", "A", "A+")
WARNING_SEVERITY = {21: 2, 14: 3, 7: 4}


def grade_rank(grade: str | None) -> int:
    return GRADES.index(grade) if grade in GRADES else -1


@dataclass(frozen=True)
class Finding:
    problem: Problem
    severity: int  # 1 (low) to 4 (critical): the task's importance
    message: str


@dataclass
class Verdict:
    findings: dict[Problem, Finding] = field(default_factory=dict)
    evaluated: set[Problem] = field(default_factory=set)

    def add(self, problem: Problem, severity: int, message: str) -> None:
        self.evaluated.add(problem)
        if problem not in self.findings:
            self.findings[problem] = Finding(problem, severity, message)

    @property
    def ok(self) -> bool:
        return not self.findings

    @property
    def error(self) -> str | None:
        return "; ".join(f.message for f in self.findings.values())[:500] or None


def judge(check: Check, result: ProbeResult) -> Verdict:
    verdict = Verdict()
    https = result.tls_error is not None or result.cert_not_after is not None
    if check.tls and https:
        _certificate(verdict, result)
    if not result.answered:
        if result.tls_error is None:
            verdict.add(Problem.down, 4, result.error or "no answer")
        return verdict
    verdict.evaluated.add(Problem.down)
    _availability(verdict, check, result)
    if check.latency_budget_ms is not None and result.latency_ms is not None:
        verdict.evaluated.add(Problem.slow)
        if result.latency_ms > check.latency_budget_ms:
            verdict.add(
                Problem.slow,
                3,
                f"answered in {result.latency_ms:.0f} ms, over the {check.latency_budget_ms} ms "
                "budget",
            )
    if check.security and result.grade is not None:
        verdict.evaluated.add(Problem.security)
        baseline = check.baseline_grade
        if baseline is not None and grade_rank(result.grade) < grade_rank(baseline):
            verdict.add(
                Problem.security, 3, f"security grade dropped from {baseline} to {result.grade}"
            )
    return verdict


def _certificate(verdict: Verdict, result: ProbeResult) -> None:
    verdict.evaluated.add(Problem.certificate)
    if result.tls_error is not None:
        readable = result.tls_error.replace("_", " ")
        verdict.add(Problem.certificate, 4, f"TLS failed ({readable}): {result.error}")
        return
    if result.cert_days_left is None:
        return
    if result.cert_days_left <= 0:
        verdict.add(Problem.certificate, 4, "the certificate has expired")
        return
    threshold = tls.expiry_warning(result.cert_days_left)
    if threshold is not None:
        verdict.add(
            Problem.certificate,
            WARNING_SEVERITY.get(threshold, 2),
            f"the certificate expires in {result.cert_days_left:.0f} days "
            f"(within {threshold} days)",
        )


def _availability(verdict: Verdict, check: Check, result: ProbeResult) -> None:
    status = result.status_code or 0
    if not status_matches(check.accepted_statuses, status):
        accepted = ", ".join(check.accepted_statuses)
        verdict.add(Problem.down, 4, f"HTTP {status} is not one of {accepted}")
        return
    text = result.body.decode("utf-8", errors="replace")
    if check.must_contain is not None and check.must_contain not in text:
        verdict.add(Problem.down, 4, f"the body does not contain {check.must_contain!r}")
        return
    if check.must_not_contain is not None and check.must_not_contain in text:
        verdict.add(Problem.down, 4, f"the body contains {check.must_not_contain!r}")
        return
    if not check.assertions:
        return
    try:
        document = json.loads(text)
    except ValueError:
        verdict.add(Problem.down, 4, "the body is not JSON, so its assertions cannot hold")
        return
    for source in check.assertions:
        try:
            passed, message = _parse(source).evaluate(document)
        except ValueError as exc:
            passed, message = False, str(exc)
        if not passed:
            verdict.add(Problem.down, 4, f"{source}: {message}")
            return
