"""Formatting helpers every agent page uses (loaded as a template builtin)."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def person(user: Any, fallback: str = "") -> str:
    """A teammate's display name: full name, else username, else the fallback."""
    if user is None:
        return fallback
    return user.get_full_name() or user.username
