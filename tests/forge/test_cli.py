"""devday forge add|list|sync|remove, in-process over the test database, against the fake."""

from __future__ import annotations

from tests.cli.conftest import Run, create_user, ok, rows
from tests.forge.fake_forge import TOKEN, FakeForge


def test_it_connects_syncs_and_removes_from_the_terminal(run: Run, forge: FakeForge) -> None:
    forge.add(1, "Fix login", labels=["priority:high"])
    forge.add(2, "Write docs")
    create_user(run, "alex@example.com")
    alex = ("--user", "alex@example.com")
    ok(run(*alex, "project", "add", "api"))

    added = ok(
        run(
            *alex,
            "forge",
            "add",
            "gitlab",
            "acme/api",
            "--token-stdin",
            "--base-url",
            forge.url,
            "--project",
            "api",
            "--on-finish",
            "comment",
            input=TOKEN + "\n",
        )
    )
    assert added.startswith("connected #1: gitlab acme/api (token …6789)")
    assert TOKEN not in added

    assert ok(run(*alex, "forge", "sync", "1")) == "#1: 2 new tasks, 0 updated, 0 finished\n"
    assert ok(run(*alex, "forge", "sync", "1")) == "#1: nothing changed\n"
    listed = rows(ok(run(*alex, "forge", "list")))
    assert listed[0].startswith("1 gitlab acme/api api comment Mon 30 Nov")
    titles = ok(run(*alex, "task", "list"))
    assert "Fix login" in titles and "Write docs" in titles

    assert ok(run(*alex, "forge", "remove", "1")) == "removed connection #1; its tasks stay\n"
    assert ok(run(*alex, "forge", "list")).startswith("no repositories connected")


def test_it_names_a_failed_sync(run: Run, forge: FakeForge) -> None:
    create_user(run, "alex@example.com")
    alex = ("--user", "alex@example.com")
    ok(
        run(
            *alex,
            "forge",
            "add",
            "github",
            "acme/api",
            "--token-stdin",
            "--base-url",
            forge.url,
            input="not-the-token-123\n",
        )
    )

    failed = run(*alex, "forge", "sync", "1")

    assert failed.exit_code == 1
    assert "sync of #1 failed: GitHub refused the token (401" in failed.stderr
    assert "error: GitHub refused the token" in ok(run(*alex, "forge", "list"))
