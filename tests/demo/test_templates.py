from __future__ import annotations

import pytest
from django.core.management import call_command

from demo import templates as templates_demo
from templates_app.models import CannedTemplate
from templates_app.rendering import validate_template

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "starter",
    templates_demo.STARTERS,
    ids=[starter[1] for starter in templates_demo.STARTERS],
)
def test_every_starter_template_is_valid(starter):
    _, _, _, _, subject, body, _ = starter

    validate_template(subject, single_line=True)
    info = validate_template(body)

    assert info.variables


@pytest.mark.parametrize(
    "starter",
    templates_demo.STARTERS,
    ids=[starter[1] for starter in templates_demo.STARTERS],
)
def test_every_starter_apologises_and_names_an_owner(starter):
    body = starter[5]

    assert "sorry" in body.lower()
    assert "agent.name" in body or "escalation_owner" in body


def test_seed_demo_creates_the_starter_library_once(capsys):
    call_command("seed_demo")
    call_command("seed_demo")

    assert CannedTemplate.objects.count() == len(templates_demo.STARTERS)
    refund = CannedTemplate.objects.get(shortcut="refund")
    assert [mailbox.email for mailbox in refund.mailboxes.all()] == [
        "billing@acme.test"
    ]
    assert refund.revisions.count() == 1
