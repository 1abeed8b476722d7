"""Latency below saturation: requests sent at a steady rate, spread evenly, over kept-alive
connections, each timed from the moment it was due (so a slow answer that delays the next
send is counted, not hidden).

A closed-loop tool (wrk, or hey with a rate) sends in bursts or only when an answer comes
back; its latency is then the queue its own bursts make. Here one request is due every
``1 / rate`` seconds whatever happens, and goes out on the first free connection.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from dataclasses import dataclass

import httpx


@dataclass(frozen=True)
class Paced:
    rate: float
    sent: int
    failed: int
    p50_ms: float
    p99_ms: float


def paced(
    url: str, headers: dict[str, str], *, rate: float, seconds: float, connections: int
) -> Paced:
    return asyncio.run(_paced(url, headers, rate, seconds, connections))


async def _paced(
    url: str, headers: dict[str, str], rate: float, seconds: float, connections: int
) -> Paced:
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    latencies: list[float] = []
    failed = 0
    async with httpx.AsyncClient(limits=limits, headers=headers, timeout=30) as client:
        # Open the connections first, so that the first requests do not time a TCP handshake.
        await asyncio.gather(*(client.get(url) for _ in range(connections)))
        free = asyncio.Semaphore(connections)

        async def one(due: float) -> None:
            nonlocal failed
            async with free:
                response = await client.get(url)
            if response.status_code != 200:
                failed += 1
            latencies.append(time.perf_counter() - due)

        start = time.perf_counter()
        total = int(rate * seconds)
        tasks = []
        for index in range(total):
            due = start + index / rate
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(due)))
        await asyncio.gather(*tasks)
    ordered = sorted(latencies)
    return Paced(
        rate=rate,
        sent=total,
        failed=failed,
        p50_ms=statistics.median(ordered) * 1000,
        p99_ms=ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000,
    )
