"""PostgreSQL stopped for a while and started again under write load: nothing acknowledged is
lost, the outage answers 503 (never 500), and devday recovers by itself.

    python -m bench.api.restart [--postgres URL] [--outage 10] [--seconds 30] [--writers 8]

Restarts the local PostgreSQL cluster (``pg_ctlcluster``, so run it as a user that may, on a
machine where nothing else needs the server meanwhile). devday (``devday serve``) runs on a
throwaway database; ``--writers`` clients add tasks for ``--seconds``; after a third of that the
cluster stops for ``--outage`` seconds. Prints what was acknowledged, how each answer went, how
long the service took to answer again, and exits 1 if an acknowledged task is missing or any
answer was a 500.
"""

from __future__ import annotations

import argparse
import subprocess
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from bench.api.run import BIN, DEFAULT_POSTGRES, prepare, served
from bench.tasks.databases import PostgresScratch


def cluster(action: str) -> None:
    version = sorted(p.name for p in Path("/etc/postgresql").iterdir())[-1]
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", action], check=True
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", default=DEFAULT_POSTGRES)
    parser.add_argument("--outage", type=float, default=10.0)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--writers", type=int, default=8)
    args = parser.parse_args()
    with PostgresScratch(args.postgres, "devday_bench_restart") as scratch:
        engine = scratch.fresh("ours")
        _user, token = prepare(engine, 10)
        url = engine.url.render_as_string(hide_password=False)
        engine.dispose()
        headers = {"Authorization": f"Bearer {token}"}
        acknowledged: list[int] = []
        answers: Counter[str] = Counter()
        samples: dict[int, str] = {}
        lock = threading.Lock()
        back_at: list[float] = []
        with tempfile.TemporaryDirectory() as data:
            env = {
                "DEVDAY_DATABASE_URL": url,
                "DEVDAY_DATA_DIR": data,
                "DEVDAY_SECRET_KEY": "bench",
                "DEVDAY_DEMO": "false",
            }
            command = [str(BIN / "devday"), "serve", "--no-demo", "--no-worker", "--port", "{port}"]
            with served(command, env, "/login") as base:
                start = time.monotonic()
                stop = start + args.seconds
                restarted = threading.Event()

                def write(n: int) -> None:
                    with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
                        i = 0
                        while time.monotonic() < stop:
                            i += 1
                            try:
                                answer = client.post("/api/v1/tasks", json={"title": f"w{n} {i}"})
                            except httpx.TransportError as exc:
                                with lock:
                                    answers[type(exc).__name__] += 1
                                time.sleep(0.2)
                                continue
                            with lock:
                                answers[str(answer.status_code)] += 1
                                samples.setdefault(answer.status_code, answer.text[:200])
                                if answer.status_code == 201:
                                    acknowledged.append(answer.json()["id"])
                                    if restarted.is_set() and not back_at:
                                        back_at.append(time.monotonic())
                            if answer.status_code != 201:
                                time.sleep(0.2)

                with ThreadPoolExecutor(args.writers) as pool:
                    writers = [pool.submit(write, n) for n in range(args.writers)]
                    time.sleep(args.seconds / 3)
                    cluster("stop")
                    down_at = time.monotonic()
                    time.sleep(args.outage)
                    cluster("start")
                    up_at = time.monotonic()
                    scratch.admin.dispose()  # its connection died with the server
                    restarted.set()
                    for writer in writers:
                        writer.result()
                listed: set[int] = set()
                offset: int | None = 0
                while offset is not None:
                    page = httpx.get(
                        f"{base}/api/v1/tasks",
                        params={"limit": 200, "offset": offset},
                        headers=headers,
                        timeout=30,
                    ).json()
                    listed |= {t["id"] for t in page["items"]}
                    offset = page["next_offset"]
    lost = set(acknowledged) - listed
    print(f"acknowledged {len(acknowledged)} tasks; answers: {dict(sorted(answers.items()))}")
    print(f"PostgreSQL down {up_at - down_at:.1f} s; first acknowledged write after its start:")
    print(f"  {back_at[0] - up_at:.1f} s" if back_at else "  none (devday did not recover)")
    print(f"acknowledged and missing: {len(lost)}")
    for status, text in sorted(samples.items()):
        if status != 201:
            print(f"  a {status}: {text}")
    if lost or answers["500"] or not back_at:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
