"""A real Celery worker thread for the tests that prove a task runs on a worker."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from celery.contrib.testing.worker import start_worker

from replypad.celery import app


@contextmanager
def running_worker() -> Iterator[Any]:
    """A worker consuming from the Redis broker in REDIS_URL; while it runs,
    tasks go through the broker instead of running inline (the test default)."""
    app.control.purge()
    app.conf.task_always_eager = False
    try:
        with start_worker(
            app, pool="solo", perform_ping_check=False, shutdown_timeout=10
        ) as worker:
            yield worker
    finally:
        app.conf.task_always_eager = True
