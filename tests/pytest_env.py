"""Loaded with `-p tests.pytest_env` before Django starts: test defaults for settings.

Real PostgreSQL and Redis, Anymail's test backend, and Playwright's event loop
allowed beside the ORM.
"""

from __future__ import annotations

import os
import tempfile

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/replypad")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")
os.environ.setdefault("EMAIL_BACKEND", "anymail.backends.test.EmailBackend")
os.environ.setdefault("REPLYPAD_VAR_DIR", tempfile.mkdtemp(prefix="replypad-test-"))
# WhiteNoise warns about a missing STATIC_ROOT; tests serve from the app folders.
os.makedirs(os.path.join(os.environ["REPLYPAD_VAR_DIR"], "static"), exist_ok=True)
os.environ.setdefault("REPLYPAD_UNDO_SECONDS", "0")
# Tasks enqueued after commit (inbox.hooks subscribers, sends) run in the test's
# own thread; the tests that start a real worker switch this off.
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "true")
os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production")
os.environ.setdefault("REPLYPAD_DEBUG", "false")
os.environ.setdefault("REPLYPAD_STATIC_MANIFEST", "false")
os.environ.setdefault("REPLYPAD_STATIC_FINDERS", "true")
# Playwright's sync API runs an event loop in the test thread; the ORM calls it
# makes are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
