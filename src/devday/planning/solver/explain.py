"""Certificates: reasons a person can read for every late or unscheduled task.

A late task's main certificate is a Hall-type interval argument on the working-time axis: the
tasks that must finish by some deadline D (the late one plus the on-time ones due by D) need more
time than is free between now and D, so at least one of them must be late. The fixes name the
smallest change that closes the gap.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from devday.planning.solver.schedule import Job, Placement
from devday.planning.solver.timeline import Axis, to_datetime


def hours(minutes: int) -> str:
    """'45 min', '2 h', '7.5 h', '5 h 50 min'."""
    if minutes < 60:
        return f"{minutes} min"
    if minutes % 30 == 0:
        return f"{minutes / 60:g} h"
    return f"{minutes // 60} h {minutes % 60} min"


def when(minute: int, zone: ZoneInfo, now: int) -> str:
    """'Tue 10:00' within a week of now, 'Tue 10 Mar 10:00' further out."""
    local = to_datetime(minute, zone)
    if -1440 < minute - now < 6 * 1440:
        return local.strftime("%a %H:%M")
    return local.strftime("%a ") + str(local.day) + local.strftime(" %b %H:%M")


def names(titles: Sequence[str]) -> str:
    """ "'A'", "'A' and 'B'", "'A', 'B' and 3 more"."""
    quoted = [f"'{t}'" for t in titles[:3]]
    if len(titles) > 3:
        return ", ".join(quoted) + f" and {len(titles) - 3} more"
    if len(quoted) == 1:
        return quoted[0]
    return ", ".join(quoted[:-1]) + " and " + quoted[-1]


class Explainer:
    """Builds reasons for one finished placement; construct once, ask per task."""

    def __init__(
        self,
        jobs: Sequence[Job],
        placement: Placement,
        axis: Axis,
        zone: ZoneInfo,
        start: int,
        end: int,
    ) -> None:
        self.jobs, self.placement, self.axis, self.zone = jobs, placement, axis, zone
        self.start, self.end = start, end
        self.on_time = sorted(
            (
                j.deadline,
                j.index,
            )
            for j in jobs
            if j.deadline is not None
            and j.remaining > 0
            and j.index in placement.finish
            and placement.finish[j.index] <= j.deadline
        )
        self.due = [d for d, _ in self.on_time]
        demand = 0
        self.excess: list[int] = []
        for d, i in self.on_time:
            demand += jobs[i].remaining
            self.excess.append(demand - axis.position(d))
        # best[k]: index of the largest excess among on-time deadlines k, k+1, ...
        self.best = list(range(len(self.excess)))
        for k in range(len(self.excess) - 2, -1, -1):
            if self.excess[self.best[k + 1]] > self.excess[k]:
                self.best[k] = self.best[k + 1]
        self._spans: list[tuple[int, int]] | None = None
        self._suffix: list[int] = []
        self._ends: list[int] = []
        self.by_size = sorted(self.on_time, key=lambda x: -jobs[x[1]].remaining)

    def _used_after(self, moment: int) -> int:
        """Minutes of placed blocks after `moment` (blocks are disjoint)."""
        if self._spans is None:
            spans = sorted(x for spans in self.placement.blocks.values() for x in spans)
            suffix = [0] * (len(spans) + 1)
            for k in range(len(spans) - 1, -1, -1):
                suffix[k] = suffix[k + 1] + spans[k][1] - spans[k][0]
            self._spans, self._suffix = spans, suffix
            self._ends = [e for _, e in spans]
        k = bisect.bisect_right(self._ends, moment)
        used = self._suffix[k]
        if k < len(self._spans) and self._spans[k][0] < moment:
            used -= moment - self._spans[k][0]
        return used

    def _t(self, minute: int) -> str:
        return when(minute, self.zone, self.start)

    def late(self, j: int) -> str:
        """Why job j misses its deadline, and what would save it."""
        job = self.jobs[j]
        assert job.deadline is not None
        finish = self.placement.finish.get(j)
        if job.deadline <= self.start:
            return f"its deadline ({self._t(job.deadline)}) had passed before the plan starts"
        k0 = bisect.bisect_right(self.due, job.deadline)
        # Candidate D: the job's own deadline, or a later on-time deadline.
        demand_own = (self.excess[k0 - 1] + self.axis.position(self.due[k0 - 1])) if k0 else 0
        due_by, gap = job.deadline, demand_own + job.remaining - self.axis.position(job.deadline)
        if k0 < len(self.due) and self.excess[self.best[k0]] + job.remaining > gap:
            k = self.best[k0]
            due_by, gap = self.due[k], self.excess[k] + job.remaining
        if gap > 0 and job.remaining > 0:
            return self._hall(job, due_by, gap)
        return self._other(job, finish)

    def _hall(self, job: Job, due_by: int, gap: int) -> str:
        count = bisect.bisect_right(self.due, due_by)  # on-time jobs due by then
        need = self.axis.position(due_by) + gap
        # Walk the on-time jobs from the largest down, only as far as the text needs.
        largest: list[Job] = []
        movable: Job | None = None
        for d, i in self.by_size:
            other = self.jobs[i]
            if other.remaining < gap and len(largest) >= 3:
                break
            if d > due_by:
                continue
            if len(largest) < 3:
                largest.append(other)
            if other.remaining >= gap and other.weight <= job.weight:
                if movable is None or (other.weight, other.remaining) < (
                    movable.weight,
                    movable.remaining,
                ):
                    movable = other
        group = sorted([job, *largest], key=lambda x: -x.remaining)
        titles = [x.title for x in group] + [""] * (count - len(largest))
        verb = "needs" if len(titles) == 1 else "need"
        text = (
            f"{names(titles)} {verb} {hours(need)} between "
            f"{self._t(self.start)} and {self._t(due_by)}; only {hours(need - gap)} are free"
        )
        fixes = []
        if movable is not None:
            fixes.append(
                f"move '{movable.title}' (P{movable.importance}, {hours(movable.remaining)}) "
                f"after {self._t(due_by)}"
            )
        fixes.append(f"add {hours(gap)} of working time before {self._t(due_by)}")
        if group[0].remaining > gap:
            fixes.append(f"cut the estimate of '{group[0].title}' by {hours(gap)}")
        return text + ". To save it: " + "; or ".join(fixes)

    def _other(self, job: Job, finish: int | None) -> str:
        assert job.deadline is not None
        if job.pinned_end is not None and job.pinned_end > job.deadline:
            return f"its pinned blocks already end after the deadline ({self._t(job.pinned_end)})"
        late_deps = [
            self.jobs[d] for d in job.deps if self.placement.finish.get(d, 0) > job.release
        ]
        if late_deps:
            dep = max(late_deps, key=lambda x: self.placement.finish[x.index])
            done = self._t(self.placement.finish[dep.index])
            return f"waits for '{dep.title}', which finishes {done}; move that earlier to save it"
        free = self.axis.free_between(job.release, job.deadline)
        if job.release > self.start and free < job.remaining:
            return (
                f"cannot start before {self._t(job.release)}; only {hours(free)} are free "
                f"from then until {self._t(job.deadline)} and it needs {hours(job.remaining)}"
            )
        if not job.splittable:
            return (
                f"needs {hours(job.remaining)} in one block; none that long is free before "
                f"{self._t(job.deadline)} around the other tasks"
            )
        ends = "is unscheduled" if finish is None else f"finishes {self._t(finish)}"
        return (
            f"{ends}; the free time before {self._t(job.deadline)} goes to tasks with earlier "
            "deadlines or more weight, in the blocks their minimum chunks allow"
        )

    def unscheduled(self, j: int, code: tuple[str, int]) -> str:
        """Why job j is not placed at all."""
        job = self.jobs[j]
        kind, other = code
        if kind == "dep":
            return f"depends on '{self.jobs[other].title}', which is unscheduled"
        if kind == "block":
            exists = any(
                e - max(s, job.release) >= job.remaining
                for s, e in zip(self.axis.starts, self.axis.ends, strict=True)
            )
            if exists:
                return (
                    f"needs {hours(job.remaining)} in one block; every free block that long "
                    "before the horizon ends goes to more urgent work"
                )
            return (
                f"needs {hours(job.remaining)} in one block; no free block that long "
                "before the horizon ends"
            )
        left = max(0, self.axis.free_between(job.release, self.end) - self._used_after(job.release))
        if kind == "chunk":
            return (
                f"needs {hours(job.remaining)} in blocks of at least {hours(job.min_chunk)}; "
                f"the {hours(left)} left free before the horizon ends come in shorter pieces"
            )
        last = self.axis.ends[-1] if self.axis.ends else self.end
        since = "" if job.release <= self.start else f" after {self._t(job.release)}"
        return (
            f"needs {hours(job.remaining)}; only {hours(left)} are left free{since} "
            f"before the horizon ends ({self._t(last)})"
        )
