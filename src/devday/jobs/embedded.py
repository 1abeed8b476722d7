"""Running a worker in a thread beside the web server (``devday.wiring`` builds the worker)."""

from __future__ import annotations

import threading

from devday.jobs.runner import Worker


class WorkerThread:
    """Runs ``worker.run_forever`` in a thread until ``stop()``; stop waits for the delivery
    in flight, then closes the worker's deliverers."""

    def __init__(self, worker: Worker, *, idle_sleep: float = 1.0) -> None:
        self.worker = worker
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=worker.run_forever,
            args=(self._stop, idle_sleep),
            name=f"devday-worker {worker.worker_id}",
            daemon=True,
        )

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)
        self.worker.close()

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()
