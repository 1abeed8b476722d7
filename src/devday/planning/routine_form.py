"""The routine editor's form: the stored routine as the form shows it, and the form read back
into ``RoutineWrite`` fields, each refusal under the editor's field ids (``hours-mon``,
``block-2``, ``boosts``)."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from starlette.datastructures import FormData

from devday.planning.routine import WEEKDAYS

EMPTY_BLOCK_ROWS = 3
MAX_BLOCK_ROWS = 60


def routine_form(routine: dict[str, Any], version: int) -> dict[str, Any]:
    """What the routine editor shows: one start/end pair per working window (an empty pair
    for a day off), the blocks plus a few empty rows, and the boosts as key=value lines."""
    hours = {
        day: [list(w) for w in routine["working_hours"].get(day, [])] or [["", ""]]
        for day in WEEKDAYS
    }
    blocks = [dict(b) for b in routine["blocks"]]
    blocks += [
        {"title": "", "days": [], "start": "", "end": "", "personal": False}
        for _ in range(EMPTY_BLOCK_ROWS)
    ]
    boosts = "\n".join(f"{key}={_number(value)}" for key, value in routine["boosts"].items())
    return {
        "hours": hours,
        "blocks": blocks,
        "boosts": boosts,
        "version": version,
        "kind_windows": routine["kind_windows"],
    }


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def read_routine(
    form: FormData, kind_windows: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, str]]:
    """The RoutineWrite fields the form describes, and a message per field it could not read.

    The kind windows are not edited here; they are kept as stored."""
    errors: dict[str, str] = {}
    hours: dict[str, list[list[str]]] = {}
    form_hours: dict[str, list[list[str]]] = {}
    for day in WEEKDAYS:
        starts = [str(v).strip() for v in form.getlist(f"hours-{day}-start")]
        ends = [str(v).strip() for v in form.getlist(f"hours-{day}-end")]
        pairs = [[a[:5], b[:5]] for a, b in zip(starts, ends, strict=False)][:12]
        form_hours[day] = pairs or [["", ""]]
        hours[day] = [p for p in pairs if p[0] or p[1]]
        if any(not (a and b) for a, b in hours[day]):
            errors[f"hours-{day}"] = "give both a start and an end, or neither for a day off"
    blocks: list[dict[str, Any]] = []
    form_blocks: list[dict[str, Any]] = []
    count_text = str(form.get("block_count", ""))
    count = min(int(count_text), MAX_BLOCK_ROWS) if count_text.isdigit() else 0
    for i in range(count):
        block = {
            "title": str(form.get(f"block-{i}-title", "")).strip()[:200],
            "days": [str(d) for d in form.getlist(f"block-{i}-days")][:7],
            "start": str(form.get(f"block-{i}-start", "")).strip()[:5],
            "end": str(form.get(f"block-{i}-end", "")).strip()[:5],
            "personal": form.get(f"block-{i}-personal") == "on",
        }
        form_blocks.append(block)
        if form.get(f"block-{i}-remove") == "on":
            continue
        if block["title"] or block["start"] or block["end"]:
            blocks.append({**block, "_row": i})
    boost_text = str(form.get("boosts", ""))[:10_000]
    boosts: dict[str, float] = {}
    for line in boost_text.splitlines():
        if not line.strip():
            continue
        key, sep, value = line.partition("=")
        try:
            if not sep:
                raise ValueError
            boosts[key.strip()] = float(value)
        except ValueError:
            errors["boosts"] = f"{line.strip()!r}: write one boost a line, as tag:urgent=2"
            break
    fields = {"working_hours": hours, "blocks": blocks, "boosts": boosts}
    shown = {
        "hours": form_hours,
        "blocks": form_blocks,
        "boosts": boost_text,
        "version": str(form.get("version", "")),
        "kind_windows": kind_windows,
    }
    return {"fields": fields, "shown": shown}, errors


def routine_errors(exc: ValidationError, rows: list[int]) -> dict[str, str]:
    """Pydantic's error locations as the editor's field ids: ``hours-mon``, ``block-2``,
    ``boosts``."""
    errors: dict[str, str] = {}
    for item in exc.errors():
        loc = item["loc"]
        message = str(item["msg"]).removeprefix("Value error, ")
        if loc and loc[0] == "working_hours":
            key = f"hours-{loc[1]}" if len(loc) > 1 else "hours-mon"
        elif loc and loc[0] == "blocks" and len(loc) > 1 and isinstance(loc[1], int):
            field = f"{loc[2]}: " if len(loc) > 2 else ""
            key, message = f"block-{rows[loc[1]]}", field + message
        elif loc and loc[0] == "blocks":
            key = "blocks"
        else:
            key = "boosts"
        errors.setdefault(key, message)
    return errors
