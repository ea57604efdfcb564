"""Personas, service checks and the browser.

Personas: `agent`, `teammate` and `lead` belong to `mailbox`; `admin` to both
mailboxes; `outsider` only to `other_mailbox`.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlparse

import pytest

from inbox import roles
from tests.factories import PASSWORD, MailboxFactory, UserFactory

CHROMIUM = "/usr/bin/chromium"


def _reachable(url: str, default_port: int) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection(
            (parsed.hostname or "127.0.0.1", parsed.port or default_port), timeout=2
        ):
            return True
    except OSError:
        return False


def pytest_sessionstart(session: pytest.Session) -> None:
    database_url = os.environ["DATABASE_URL"]
    redis_url = os.environ["REDIS_URL"]
    if database_url.startswith("postgres") and not _reachable(database_url, 5432):
        pytest.exit(
            f"PostgreSQL is not reachable at {urlparse(database_url).netloc}: start it "
            "(e.g. `pg_ctlcluster 15 main start` or `docker compose up -d postgres`) "
            "or set DATABASE_URL.",
            returncode=3,
        )
    if not _reachable(redis_url, 6379):
        pytest.exit(
            f"Redis is not reachable at {urlparse(redis_url).netloc}: start it "
            "(e.g. `redis-server --daemonize yes` or `docker compose up -d redis`) "
            "or set REDIS_URL.",
            returncode=3,
        )


@pytest.fixture(autouse=True)
def _isolated_dirs(settings: Any, tmp_path: Any) -> None:
    settings.REPLYPAD_OUTBOX_DIR = tmp_path / "outbox"
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def mailbox(db: None) -> Any:
    return MailboxFactory(name="Acme Support", email="support@acme.test")


@pytest.fixture
def other_mailbox(db: None) -> Any:
    return MailboxFactory(name="Globex Support", email="help@globex.test")


@pytest.fixture
def agent(mailbox: Any) -> Any:
    return UserFactory(
        username="alice",
        first_name="Alice",
        last_name="Agent",
        role=roles.AGENT,
        mailboxes=[mailbox],
    )


@pytest.fixture
def teammate(mailbox: Any) -> Any:
    return UserFactory(
        username="bob",
        first_name="Bob",
        last_name="Builder",
        role=roles.AGENT,
        mailboxes=[mailbox],
    )


@pytest.fixture
def lead(mailbox: Any) -> Any:
    return UserFactory(
        username="lena",
        first_name="Lena",
        last_name="Lead",
        role=roles.LEAD,
        mailboxes=[mailbox],
    )


@pytest.fixture
def admin(mailbox: Any, other_mailbox: Any) -> Any:
    return UserFactory(
        username="ada",
        first_name="Ada",
        last_name="Admin",
        role=roles.ADMIN,
        mailboxes=[mailbox, other_mailbox],
    )


@pytest.fixture
def outsider(other_mailbox: Any) -> Any:
    return UserFactory(
        username="oscar",
        first_name="Oscar",
        last_name="Outsider",
        role=roles.AGENT,
        mailboxes=[other_mailbox],
    )


@pytest.fixture
def api_client() -> Any:
    from rest_framework.test import APIClient

    return APIClient()


# --- Browser -----------------------------------------------------------------


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.exit(
            f"{CHROMIUM} is missing: run `make test`, which installs Debian's chromium.",
            returncode=3,
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def login(live_server: Any) -> Any:
    """login(page, user, password=PASSWORD): signs in through the real login form."""

    def _login(page: Any, user: Any, password: str = PASSWORD) -> Any:
        page.goto(f"{live_server.url}/login/")
        page.get_by_label("Username").fill(user.username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(f"{live_server.url}/")
        return page

    return _login


@pytest.fixture(autouse=True)
def _isolated_cache(settings: Any) -> None:
    """Each test gets its own cache key space on the real Redis: the test database
    reuses ids on every run, so cached values (presence, folder counts) must not
    outlive their test."""
    import uuid

    caches = {name: dict(config) for name, config in settings.CACHES.items()}
    caches["default"]["KEY_PREFIX"] = f"test-{uuid.uuid4().hex}"
    settings.CACHES = caches


# --- Hooks ---------------------------------------------------------------------


class _Recorder:
    """Stands in for a subscribed Celery task: keeps what each hook delivered."""

    name = "tests.recorder"

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    def delay(self, **payload: Any) -> None:
        self.calls.append(payload)


@pytest.fixture
def hook_calls() -> Iterator[Any]:
    """hook_calls(hook) -> the list of payloads that hook delivers after commit."""
    from inbox import hooks

    subscribed: list[tuple[str, _Recorder]] = []

    def _listen(hook: str) -> list[dict[str, Any]]:
        recorder = _Recorder()
        hooks.subscribe(hook, recorder)
        subscribed.append((hook, recorder))
        return recorder.calls

    yield _listen
    for hook, recorder in subscribed:
        hooks._subscriptions[hook] = [
            s for s in hooks._subscriptions[hook] if s.task is not recorder
        ]
