"""devday learn: add, list, done; devday feed: add, list, read."""

from __future__ import annotations

from typing import Annotated

import typer

from devday.cli import output
from devday.cli.state import state

learn_app = typer.Typer(
    help="Your learning list: courses, books, articles, talks.", no_args_is_help=True
)
feed_app = typer.Typer(help="RSS and Atom feeds you follow.", no_args_is_help=True)


@learn_app.command("add")
def add(
    ctx: typer.Context,
    kind: Annotated[str, typer.Argument(help="course, book, article or talk")],
    title: str,
    url: Annotated[str, typer.Option(help="A link to it.")] = "",
    minutes: Annotated[int, typer.Option(help="Minutes to read or watch (each part).")] = 30,
    goal: Annotated[str | None, typer.Option(help="Goal date, YYYY-MM-DD.")] = None,
    part: Annotated[
        list[str] | None, typer.Option(help="A lesson or chapter (repeat, in order).")
    ] = None,
    star: Annotated[bool, typer.Option("--star", help="Star it.")] = False,
) -> None:
    """Add to your learning list."""
    body: dict[str, object] = {
        "kind": kind,
        "title": title,
        "url": url,
        "minutes": minutes,
        "starred": star,
        "parts": [{"title": p} for p in part or []],
    }
    if goal:
        body["goal_date"] = goal
    item = state(ctx).client().post("/api/v1/learning/items", body)
    output.line(f"added {item['kind']} #{item['id']} {item['title']}")


@learn_app.command("list")
def list_(
    ctx: typer.Context,
    done: Annotated[bool, typer.Option("--done", help="Finished ones too.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the API's JSON.")] = False,
) -> None:
    """Your learning list, in the order the planner takes it."""
    params = {"include_done": "true"} if done else None
    items = state(ctx).client().get("/api/v1/learning/items", params=params)
    if as_json:
        output.raw_json(items)
        return
    rows = (
        (
            i["id"],
            i["kind"],
            ("* " if i["starred"] else "") + i["title"],
            f"{i['parts_done']}/{len(i['parts'])}" if i["parts"] else f"{i['minutes']}m",
            i["goal_date"] or "",
            "done" if i["done_at"] else "",
        )
        for i in items
    )
    output.simple_table(
        ["id", "kind", "title", "progress", "goal", ""], rows, empty="nothing to learn yet"
    )


@learn_app.command("done")
def done(
    ctx: typer.Context,
    item_id: int,
    minutes: Annotated[int | None, typer.Option(help="Minutes spent (default: estimate).")] = None,
) -> None:
    """Mark the next lesson or chapter (or the article or talk) done, with the time spent."""
    body: dict[str, object] = {} if minutes is None else {"minutes": minutes}
    item = state(ctx).client().post(f"/api/v1/learning/items/{item_id}/done", body)
    progress = f" ({item['parts_done']}/{len(item['parts'])})" if item["parts"] else ""
    finished = "finished" if item["done_at"] else "progress"
    output.line(f"{finished}: {item['title']}{progress}, {item['minutes_spent']}m spent")


@feed_app.command("add")
def feed_add(
    ctx: typer.Context,
    url: str,
    star: Annotated[
        bool, typer.Option("--star", help="Show its items in the morning review.")
    ] = False,
) -> None:
    """Follow an RSS or Atom feed (it is fetched once now)."""
    feed = state(ctx).client().post("/api/v1/feeds", {"url": url, "starred": star})
    output.line(f"following feed #{feed['id']} {feed['title']}")


@feed_app.command("list")
def feed_list(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print the API's JSON.")] = False,
) -> None:
    """The feeds you follow."""
    feeds = state(ctx).client().get("/api/v1/feeds")
    if as_json:
        output.raw_json(feeds)
        return
    rows = ((f["id"], f["title"], f["url"], f["last_error"]) for f in feeds)
    output.simple_table(["id", "title", "url", "last error"], rows, empty="no feeds")


@feed_app.command("read")
def feed_read(
    ctx: typer.Context,
    later: Annotated[int | None, typer.Option(help="Put this item on your learning list.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the API's JSON.")] = False,
) -> None:
    """Your feeds' new items, newest first; --later ID to read one later."""
    client = state(ctx).client()
    if later is not None:
        item = client.post(f"/api/v1/feeds/items/{later}/later", {})
        output.line(f"on your learning list: #{item['id']} {item['title']} ({item['minutes']}m)")
        return
    items = client.get("/api/v1/feeds/items")
    if as_json:
        output.raw_json(items)
        return
    rows = ((i["id"], i["title"], i["feed_title"], f"{i['reading_minutes']}m") for i in items)
    output.simple_table(["id", "title", "feed", "read"], rows, empty="no new items")
