"""Benchmarks run by `manage.py bench NAME`: the registry and the measuring helpers.

A benchmark is a module with `add_arguments(parser)` and `run(options) -> dict`;
register it in BENCHMARKS. Results are written as JSON to bench-results/NAME.json.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any

from django.db import connection, reset_queries
from django.test.utils import CaptureQueriesContext

# name → module path.
BENCHMARKS: dict[str, str] = {
    "dispatch": "benchmarks.dispatch",
    "empathy": "benchmarks.empathy",
    "hostile": "benchmarks.hostile",
    "ingest": "benchmarks.ingest",
    "seed": "benchmarks.seed",
    "web": "benchmarks.web",
}


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def measure(
    action: Callable[[], Any], *, repeat: int = 50, warmup: int = 3
) -> dict[str, float]:
    """Run `action` repeatedly; p50/p95/mean in milliseconds and queries per run."""
    for _ in range(warmup):
        action()
    samples: list[float] = []
    queries = 0
    for _ in range(repeat):
        reset_queries()
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            action()
            samples.append((time.perf_counter() - started) * 1000)
        queries = max(queries, len(captured.captured_queries))
    return {
        "p50_ms": round(statistics.median(samples), 3),
        "p95_ms": round(percentile(samples, 0.95), 3),
        "mean_ms": round(statistics.fmean(samples), 3),
        "runs": repeat,
        "queries": queries,
    }
