"""The task page's buttons for its series: skip this one, end the series."""

from __future__ import annotations

from fastapi.responses import Response

from devday.deps import IdPath
from devday.recurrence import service
from devday.task.models import Task
from devday.web.forms import FormStr, Refusal, optional_id
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
