"""The task page's buttons for its series: skip this one, end the series."""

from __future__ import annotations

from fastapi.responses import Response

from devday.dateparse import parse_duration
from devday.deps import IdPath
from devday.errors import Invalid
from devday.recurrence import service
from devday.recurrence.schemas import SeriesUpdate
from devday.task.models import Task
from devday.web.forms import FormStr, Refusal, form_version, optional_id
from devday.web.page import Missing, Page, PageContext, page_router

router = page_router(
    Missing(
        title="Series not found",
        text="There is no such repeating task, or it is not shared with you.",
        back="/tasks",
        back_label="Back to your tasks",
    )
)


def _refused(page: PageContext, back: str, refusal: Refusal) -> Response:
    context = {"message": refusal.message, "back": back}
    return page.render("recurrence/refused.html", context, status=refusal.status)


def _back(task_id: FormStr) -> str:
    found = optional_id(task_id)
    return f"/tasks/{found}" if found else "/tasks"


@router.post("/series/{series_id}/skip")
def skip(page: Page, series_id: IdPath, task_id: FormStr = "") -> Response:
    def change() -> Task | None:
        return service.skip(session=page.session, user=page.user, series_id=series_id, now=page.now)

    def then(made: Task | None) -> str:
        return f"/tasks/{made.id}" if made is not None else _back(task_id)

    back = _back(task_id)
    return page.submit(change, then=then, refused=lambda r: _refused(page, back, r))


@router.post("/series/{series_id}/end")
def end(page: Page, series_id: IdPath, task_id: FormStr = "") -> Response:
    def change() -> None:
        service.end_series(session=page.session, user=page.user, series_id=series_id, now=page.now)

    back = _back(task_id)
    return page.submit(change, then=back, refused=lambda r: _refused(page, back, r))


@router.post("/series/{series_id}/edit")
def edit(
    page: Page,
    series_id: IdPath,
    task_id: FormStr = "",
    repeat: FormStr = "",
    title: FormStr = "",
    importance: FormStr = "",
    estimate_minutes: FormStr = "",
    version: FormStr = "",
) -> Response:
    """Edit the series: its rule and the template of its instances (the open one follows
    where it still had the series' values)."""

    def change() -> None:
        if not repeat.strip():
            raise Invalid("give a rule such as “every weekday”; to stop, end the series")
        estimate: int | None = None
        if estimate_minutes.strip():
            try:
                estimate = parse_duration(estimate_minutes)
            except ValueError as exc:
                raise Invalid(f"estimate: {exc}", field="estimate_minutes") from None
        current = service.get_series(session=page.session, user=page.user, series_id=series_id)
        fields: dict[str, object] = {"title": title, "estimate_minutes": estimate}
        if importance.strip():
            fields["importance"] = importance
        # The rule as shown is no change (a new one would count its weeks from today).
        if " ".join(repeat.split()) != current.text:
            fields["repeat"] = repeat
        data = SeriesUpdate.model_validate(fields)
        service.update_series(
            session=page.session,
            user=page.user,
            series_id=series_id,
            data=data,
            version=form_version(version) or 0,
            now=page.now,
        )

    back = _back(task_id)
    return page.submit(change, then=f"{back}?saved=1", refused=lambda r: _refused(page, back, r))
