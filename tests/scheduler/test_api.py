from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from scheduler.models import ScheduledEmail
from tests.factories import ConversationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def conversation(mailbox):
    return ConversationFactory(mailbox=mailbox, subject="Refund")


def _url(conversation):
    return f"/api/v1/conversations/{conversation.pk}/scheduled/"


def _later(hours=2):
    return (timezone.now() + timedelta(hours=hours)).isoformat()


def test_scheduling_a_send_later_reply_returns_201_with_its_time(
    api_client, agent, conversation
):
    api_client.force_authenticate(agent)

    response = api_client.post(
        _url(conversation),
        {"body": "We will follow up", "send_at": "2099-01-02T10:00:00+01:00"},
        format="json",
    )

    assert response.status_code == 201
    body = response.json()
    assert (body["status"], body["kind"]) == ("pending", "send_later")
    assert body["send_at"].startswith("2099-01-02T09:00:00")


def test_a_recurring_promise_is_listed_on_the_conversation(
    api_client, agent, conversation
):
    api_client.force_authenticate(agent)
    api_client.post(
        _url(conversation), {"body": "Update", "every": "24h"}, format="json"
    )

    response = api_client.get(_url(conversation))

    assert [(row["kind"], row["every"]) for row in response.json()] == [
        ("update", "1d")
    ]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"body": "Hi", "send_at": "2001-01-01T10:00:00+00:00"}, "send_at"),
        ({"body": "Hi", "every": "1m"}, "every"),
        ({"body": "Hi", "every": "24h", "timezone": "Nowhere/City"}, "timezone"),
        ({"send_at": "2099-01-01T10:00:00+00:00"}, "body"),
    ],
    ids=["past-time", "every-minute", "unknown-zone", "nothing-to-send"],
)
def test_bad_input_is_refused_with_400_under_the_field(
    api_client, agent, conversation, data, field
):
    api_client.force_authenticate(agent)

    response = api_client.post(_url(conversation), data, format="json")

    assert response.status_code == 400
    assert field in response.json()


def test_patch_changes_and_delete_cancels_a_scheduled_email(
    api_client, agent, conversation
):
    api_client.force_authenticate(agent)
    created = api_client.post(
        _url(conversation), {"body": "Hi", "send_at": _later()}, format="json"
    ).json()
    url = f"/api/v1/scheduled/{created['id']}/"

    patched = api_client.patch(url, {"body": "Hello"}, format="json")
    deleted = api_client.delete(url)
    again = api_client.delete(url)

    assert patched.json()["body"] == "Hello"
    assert deleted.json()["status"] == "cancelled"
    assert again.status_code == 409


def test_an_outsider_gets_404_for_a_scheduled_email_and_its_conversation(
    api_client, agent, outsider, conversation
):
    api_client.force_authenticate(agent)
    created = api_client.post(
        _url(conversation), {"body": "Hi", "send_at": _later()}, format="json"
    ).json()
    api_client.force_authenticate(outsider)

    answers = [
        api_client.get(f"/api/v1/scheduled/{created['id']}/").status_code,
        api_client.delete(f"/api/v1/scheduled/{created['id']}/").status_code,
        api_client.get(_url(conversation)).status_code,
        api_client.post(_url(conversation), {"body": "x", "every": "2h"}).status_code,
    ]

    assert answers == [404, 404, 404, 404]
    assert ScheduledEmail.objects.filter(status="pending").count() == 1


def test_resolving_through_the_api_cancels_what_is_pending(
    api_client, agent, conversation, django_capture_on_commit_callbacks
):
    api_client.force_authenticate(agent)
    api_client.post(_url(conversation), {"body": "Hi", "every": "2h"}, format="json")

    with django_capture_on_commit_callbacks(execute=True):
        api_client.post(
            f"/api/v1/conversations/{conversation.pk}/status/",
            {"status": "resolved"},
            format="json",
        )

    assert list(ScheduledEmail.objects.values_list("status", flat=True)) == [
        "cancelled"
    ]


def test_escalation_owner_and_milestone_are_writable_through_the_api(
    api_client, agent, teammate, conversation
):
    api_client.force_authenticate(agent)
    due = _later(5)

    response = api_client.patch(
        f"/api/v1/conversations/{conversation.pk}/escalation/",
        {"owner": teammate.pk, "milestone": "Fix shipped", "milestone_due_at": due},
        format="json",
    )
    listed = api_client.get(
        f"/api/v1/conversations/{conversation.pk}/escalation/"
    ).json()

    assert response.status_code == 200
    assert (listed["escalation_owner"], listed["milestone"]) == (
        teammate.pk,
        "Fix shipped",
    )


def test_an_escalation_owner_outside_the_mailbox_is_refused(
    api_client, agent, outsider, conversation
):
    api_client.force_authenticate(agent)

    response = api_client.patch(
        f"/api/v1/conversations/{conversation.pk}/escalation/",
        {"owner": outsider.pk},
        format="json",
    )

    assert response.status_code == 403
