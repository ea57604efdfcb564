from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from scheduler import services
from scheduler.models import ScheduledEmail
from tests.factories import ConversationFactory, CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def conversation(mailbox):
    return ConversationFactory(
        mailbox=mailbox,
        subject="Late parcel",
        customer=CustomerFactory(timezone="Europe/Paris"),
    )


def test_the_conversation_page_loads_the_scheduled_panel(client, agent, conversation):
    client.force_login(agent)

    page = client.get(f"/conversations/{conversation.pk}/")
    panel = client.get(
        f"/conversations/{conversation.pk}/scheduled/", headers={"HX-Request": "true"}
    )

    assert f"/conversations/{conversation.pk}/scheduled/" in page.content.decode()
    assert "Promise an update" in panel.content.decode()
    assert "<html" not in panel.content.decode()


def test_an_agent_promises_an_update_in_the_customers_time(client, agent, conversation):
    client.force_login(agent)
    local = (timezone.now() + timedelta(days=1)).strftime("%Y-%m-%dT10:00")

    response = client.post(
        f"/conversations/{conversation.pk}/scheduled/new/",
        {"kind": "update", "body": "Your parcel update", "send_at": local},
        headers={"HX-Request": "true"},
    )

    scheduled = ScheduledEmail.objects.get()
    assert response.status_code == 200
    assert "Your parcel update" in response.content.decode()
    assert scheduled.send_at_local.strftime("%H:%M") == "10:00"
    assert scheduled.timezone == "Europe/Paris"


def test_a_past_time_from_the_form_is_refused(client, agent, conversation):
    client.force_login(agent)

    response = client.post(
        f"/conversations/{conversation.pk}/scheduled/new/",
        {"body": "Hi", "send_at": "2001-01-01T10:00"},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 400
    assert ScheduledEmail.objects.count() == 0


def test_the_scheduled_page_lists_mine_and_cancels(
    client, agent, teammate, conversation, django_assert_max_num_queries
):
    mine = services.schedule(conversation, by=agent, body="Mine", every="24h")
    services.schedule(conversation, by=teammate, body="Theirs", every="24h")
    client.force_login(agent)

    with django_assert_max_num_queries(8):
        page = client.get("/scheduled/")
    team = client.get("/scheduled/?who=team")
    client.post(f"/scheduled/{mine.pk}/cancel/", {"next": "list"})

    assert "Mine" in page.content.decode()
    assert "Theirs" not in page.content.decode()
    assert "Theirs" in team.content.decode()
    assert ScheduledEmail.objects.get(pk=mine.pk).status == "cancelled"


def test_an_outsider_cannot_see_or_cancel_a_scheduled_email(
    client, agent, outsider, conversation
):
    scheduled = services.schedule(conversation, by=agent, body="Hi", every="24h")
    client.force_login(outsider)

    answers = [
        client.get(f"/conversations/{conversation.pk}/scheduled/").status_code,
        client.post(f"/scheduled/{scheduled.pk}/cancel/").status_code,
        client.post(f"/conversations/{conversation.pk}/escalation/").status_code,
    ]

    assert answers == [404, 404, 404]
    assert "Hi" not in client.get("/scheduled/?who=team").content.decode()


def test_the_escalation_form_sets_owner_milestone_and_due_time(
    client, agent, teammate, conversation
):
    client.force_login(agent)
    due = (timezone.now() + timedelta(days=2)).strftime("%Y-%m-%dT09:30")

    client.post(
        f"/conversations/{conversation.pk}/escalation/",
        {"owner": teammate.pk, "milestone": "Courier reply", "milestone_due_at": due},
    )

    conversation.refresh_from_db()
    assert conversation.escalation_owner == teammate
    assert conversation.milestone == "Courier reply"
