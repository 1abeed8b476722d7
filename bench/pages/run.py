"""Server-side render time of every page for a demo user (target: under 50 ms each).

Run from the repository root: `.venv/bin/python -m bench.pages.run [--repeat 30]`.
The app-check pages are measured over a month of recorded runs (tests/web/checks_seed.py).
Each page is requested through the ASGI app in-process (no network), signed in as the demo
user, on a SQLite file seeded with the demo workspace. The baseline, measured in the same run,
is the signed-out login page: the cost of the framework, middleware and a template with no
data, so the ratio shows what each page's own work adds. Medians judge the target; the best
of the runs shows the cost without the machine's noise.
"""

from __future__ import annotations

import argparse
import importlib
import re
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select
from tests.web.checks_seed import seed_checks

from devday.app import PAGE_ROUTERS, create_app
from devday.clock import MockClock
from devday.config import Settings
from devday.db import make_engine, make_session_factory, transaction
from devday.demo import DEMO_PASSWORD, PEOPLE, seed
from devday.migrate import upgrade
from devday.team.models import Team

# Monday 30 November 2026, 10:00 in Berlin: a working day of the demo.
NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
PAGES = [
    "/today",
    "/tasks",
    "/tasks/9",
    "/tasks/new",
    "/week",
    "/wrapup",
    "/reflect",
    "/settings",
    "/settings/routine",
    "/settings/tokens",
    "/settings/channels",
    "/settings/forges",
]
# Over a month of app checks (tests/web/checks_seed.py): three apps, four checks.
CHECK_PAGES = ["/apps", "/apps/{billing}", "/apps/{billing}?range=7d", "/apps/{orders}?range=30d",
               "/incidents"]  # fmt: skip
# Pages that other parts of the app add; each is measured once its route exists. The meeting
# is measured where the Team page links to it (``/meeting`` only redirects there).
LATER_PAGES = [
    "/inbox",
    "/team",
    "/team/{team_id}/meeting",
    "/teams",
    "/teams/{team_id}",
    "/projects",
]
TARGET_MS = 50.0


def timings_ms(client: TestClient, path: str, repeat: int) -> tuple[float, float]:
    """The median and the best of ``repeat`` renders of ``path``."""
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(path)
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    return statistics.median(samples), min(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        engine = make_engine(url)
        upgrade(engine)
        with transaction(make_session_factory(engine)) as session:
            users = seed(session=session, now=NOW)
            owner_id = users[0].id
            team_id = session.scalars(select(Team.id)).one()
        apps = seed_checks(engine, owner_id=owner_id, team_id=team_id, now=NOW)
        check_pages = [
            p.format(billing=apps["billing-web"], orders=apps["orders-api"]) for p in CHECK_PAGES
        ]
        settings = Settings(data_dir=Path(folder), secret_key="bench", database_url=url)
        app = create_app(settings, engine=engine, clock=MockClock(NOW))
        with TestClient(app) as client:
            baseline, _ = timings_ms(client, "/login", args.repeat)
            page = client.get("/login")
            token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
            assert token is not None
            client.post(
                "/login",
                data={
                    "email": PEOPLE[0][0],
                    "password": DEMO_PASSWORD,
                    "csrf_token": token.group(1),
                },
            )
            client.post("/today/plan", data={"csrf_token": token.group(1)})
            print(f"baseline /login (signed out): {baseline:.1f} ms median of {args.repeat}")
            print("page | median ms | best ms | x baseline | under 50 ms")
            print("--- | --- | --- | --- | ---")
            worst = 0.0
            routers = [importlib.import_module(name).router for name in PAGE_ROUTERS]
            routes = {getattr(r, "path", "") for router in routers for r in router.routes}
            later = [p.format(team_id=team_id) for p in LATER_PAGES if p in routes]
            for path in PAGES + check_pages + later:
                ms, best = timings_ms(client, path, args.repeat)
                worst = max(worst, ms)
                verdict = "yes" if ms < TARGET_MS else "NO"
                print(f"{path} | {ms:.1f} | {best:.1f} | {ms / baseline:.1f} | {verdict}")
            print(f"slowest page: {worst:.1f} ms (target < {TARGET_MS:.0f} ms)")
        engine.dispose()


if __name__ == "__main__":
    main()
