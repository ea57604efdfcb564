from __future__ import annotations

import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.django_db


def test_healthz_reports_each_service(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["checks"] == {
        "database": "ok",
        "broker": "ok",
        "cache": "ok",
    }


def test_healthz_names_the_broker_when_it_is_down(client, settings):
    from replypad.celery import app

    original = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:1/0"
    try:
        response = client.get("/healthz")
    finally:
        app.conf.broker_url = original

    assert response.status_code == 503
    assert response.json()["checks"]["broker"].startswith("error")
    assert response.json()["checks"]["database"] == "ok"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("REPLYPAD_UNDO_SECONDS", "ten"),
        ("REPLYPAD_DEBUG", "maybe"),
        ("REDIS_URL", "localhost:6379"),
        ("DATABASE_URL", "nonsense://x"),
    ],
    ids=["int", "bool", "redis-url", "database-url"],
)
def test_bad_environment_values_stop_start_up_naming_the_variable(name, value):
    env = {**os.environ, name: value}

    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode != 0
    assert name in result.stderr


def test_api_schema_generates_without_warnings(tmp_path):
    from django.core.management import call_command

    call_command(
        "spectacular", "--fail-on-warn", "--file", str(tmp_path / "schema.yml")
    )

    assert (
        "/api/v1/conversations/{id}/replies/" in (tmp_path / "schema.yml").read_text()
    )
