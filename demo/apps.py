from __future__ import annotations

from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Holds `seed_demo`; the domain apps never import it."""

    name = "demo"
    verbose_name = "Demo data"
