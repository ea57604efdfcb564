from __future__ import annotations

import uuid

import pytest


@pytest.fixture(autouse=True)
def _own_cache_keys(settings):
    """Cached unread counts are keyed by user id, which restarts in every test
    database: give each test its own cache key prefix."""
    caches = {name: dict(config) for name, config in settings.CACHES.items()}
    caches["default"]["KEY_PREFIX"] = f"test-notes-{uuid.uuid4().hex}"
    settings.CACHES = caches
