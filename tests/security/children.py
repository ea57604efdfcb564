"""Environment for child processes (workers, measured parses) that must use the test database."""

from __future__ import annotations

import os

from django.db import connection


def child_env(**extra: str) -> dict[str, str]:
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    return {**os.environ, "DATABASE_URL": url, **extra}
