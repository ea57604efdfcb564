from __future__ import annotations

from django.apps import AppConfig


class EmpathyConfig(AppConfig):
    name = "empathy"
    verbose_name = "Empathy"
