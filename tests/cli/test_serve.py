from __future__ import annotations

from typing import Any

import pytest
import uvicorn

from tests.cli.conftest import Run


def test_it_migrates_seeds_the_demo_and_serves_without_trusting_local_users(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    served: dict[str, Any] = {}

    def fake_run(app: Any, **options: Any) -> None:
        served.update(app=app, **options)

    monkeypatch.setattr(uvicorn, "run", fake_run)
    result = run("serve", "--port", "8123")
    assert result.exit_code == 0, result.output
    assert "devday is running at http://127.0.0.1:8123/" in result.output
    assert "@demo.devday.dev" in result.output  # the demo login line
    assert (served["host"], served["port"]) == ("127.0.0.1", 8123)
    assert served["app"].state.devday.trust_local_user is False

    second = run("serve", "--host", "::1", "--port", "8124")
    assert "@demo.devday.dev" not in second.output  # seeded once only
    assert "http://[::1]:8124/" in second.output


def test_it_serves_without_the_demo_when_asked(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: None)
    result = run("serve", "--no-demo")
    assert result.exit_code == 0, result.output
    assert "demo" not in result.output
    # No account was seeded: the local CLI has no one to act for.
    assert "no account in the local database yet" in run("task", "list").stderr
