"""Benchmark of the task list filters: ``python -m bench.tasks.run``."""
