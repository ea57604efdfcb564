from __future__ import annotations

from django.apps import AppConfig


class BenchmarksConfig(AppConfig):
    """Holds `bench`; the domain apps never import it."""

    name = "benchmarks"
    verbose_name = "Benchmarks"
