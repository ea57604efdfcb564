"""Guessing passwords stops working: the UI, the admin and the token endpoint are throttled."""

from __future__ import annotations

import time

import pytest

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LIMIT = 3


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.REPLYPAD_LOGIN_MAX_FAILURES = LIMIT
    settings.REPLYPAD_LOGIN_LOCKOUT_SECONDS = 900


def ui_login(client, username, password, **extra):
    """Whether the login page let the user in (it redirects on success)."""
    response = client.post(
        "/login/", {"username": username, "password": password}, **extra
    )
    return response.status_code == 302


def admin_login(client, username, password):
    response = client.post(
        "/admin/login/", {"username": username, "password": password}
    )
    return response.status_code == 302


def token_login(client, username, password):
    response = client.post(
        "/api/v1/auth/token/", {"username": username, "password": password}
    )
    return response.status_code == 200


@pytest.mark.parametrize(
    "login", [ui_login, admin_login, token_login], ids=["ui", "admin", "token"]
)
def test_after_too_many_wrong_passwords_the_right_one_is_refused_too(
    client, admin, login
):
    for _ in range(LIMIT):
        login(client, admin.username, "wrong password")

    logged_in = login(client, admin.username, PASSWORD)

    assert not logged_in


@pytest.mark.parametrize(
    "login", [ui_login, admin_login, token_login], ids=["ui", "admin", "token"]
)
def test_a_few_wrong_passwords_still_let_the_right_one_in(client, admin, login):
    for _ in range(LIMIT - 1):
        login(client, admin.username, "wrong password")

    logged_in = login(client, admin.username, PASSWORD)

    assert logged_in


def test_one_address_guessing_many_accounts_is_stopped(client, agent):
    for n in range(LIMIT * 5):
        ui_login(client, f"guess{n}", "wrong password")

    logged_in = ui_login(client, agent.username, PASSWORD)

    assert not logged_in


def test_an_account_locked_from_one_address_is_locked_from_another(client, agent):
    for _ in range(LIMIT):
        ui_login(client, agent.username, "wrong", REMOTE_ADDR="203.0.113.7")

    logged_in = ui_login(client, agent.username, PASSWORD)

    assert not logged_in


def test_the_lock_ends_with_its_window(client, settings):
    settings.REPLYPAD_LOGIN_LOCKOUT_SECONDS = 1
    user = UserFactory(username="bob")
    for _ in range(LIMIT):
        ui_login(client, user.username, "wrong password")
    time.sleep(1.5)

    logged_in = ui_login(client, user.username, PASSWORD)

    assert logged_in
