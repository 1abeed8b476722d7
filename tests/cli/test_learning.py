"""devday learn and devday feed, in-process, against a feed server on 127.0.0.1."""

from __future__ import annotations

import json

from tests.cli.conftest import Run, create_user, ok
from tests.learning.feedserver import feed_server, rss


def test_it_adds_lists_and_marks_learning_done(run: Run) -> None:
    create_user(run, "alex@example.com")
    assert (
        ok(
            run(
                "learn",
                "add",
                "course",
                "Rust",
                "--part",
                "Ownership",
                "--part",
                "Traits",
                "--goal",
                "2026-12-20",
                "--minutes",
                "25",
            )
        )
        == "added course #1 Rust\n"
    )
    assert "added talk #2" in ok(run("learn", "add", "talk", "Async", "--star"))
    listed = ok(run("learn", "list"))
    assert listed.index("Rust") < listed.index("* Async") and "0/2" in listed
    assert ok(run("learn", "done", "1")) == "progress: Rust (1/2), 25m spent\n"
    assert ok(run("learn", "done", "2", "--minutes", "50")) == "finished: Async, 50m spent\n"
    items = json.loads(ok(run("learn", "list", "--done", "--json")))
    assert [i["minutes_spent"] for i in items] == [25, 50]


def test_it_follows_a_feed_and_reads_an_item_later(run: Run) -> None:
    create_user(run, "alex@example.com")
    with feed_server() as server:
        url = server.serve("/f.xml", rss([("urn:1", "https://n.example.com/1", "Big news")]))
        assert ok(run("feed", "add", url)) == "following feed #1 Dev news\n"
        refused = run("feed", "add", server.url("/nothing.xml"))
        assert refused.exit_code == 1 and "answered 404" in str(refused.stderr)
    assert "Dev news" in ok(run("feed", "list"))
    shown = ok(run("feed", "read"))
    assert "Big news" in shown and "Dev news" in shown
    later = ok(run("feed", "read", "--later", "1"))
    assert later == "on your learning list: #1 Big news (5m)\n"
    assert "no new items" in ok(run("feed", "read"))
