from __future__ import annotations

from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from django.utils import timezone

from inbox.models import Conversation, Message
from inbox.outbound import deliver_message, record_tracking_event, send_reply
from tests.factories import CannedTemplateFactory, MessageFactory
from tests.inbox.outbound_support import (  # noqa: F401
    FlakyEsp,
    conversation_fixture,
    esp_error,
    esp_fixture,
)

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def undo_window(settings):
    settings.REPLYPAD_UNDO_SECONDS = 10


def _send_url(conversation):
    return f"/conversations/{conversation.pk}/replies/"


def test_the_conversation_page_has_the_composer_with_its_stable_ids(
    client, conversation, agent
):
    client.force_login(agent)

    page = BeautifulSoup(
        client.get(f"/conversations/{conversation.pk}/").content, "html.parser"
    )

    form = page.find("form", id="reply-form")
    assert form["action"] == _send_url(conversation)
    assert form.find("textarea", id="reply-body")["name"] == "body"
    assert form.find("div", id="composer-extras") is not None
    assert [b.get_text() for b in form.find_all("button")] == [
        "Send",
        "Send & resolve",
        "Send & set pending",
        "Save as draft",
        "Ask for review",
    ]


def test_sending_through_htmx_queues_the_reply_and_shows_undo(
    client, conversation, agent, esp, undo_window
):
    client.force_login(agent)

    response = client.post(
        _send_url(conversation), {"body": "So sorry, Dana!", "status": ""}, **HTMX
    )

    message = Message.objects.get(kind=Message.Kind.REPLY)
    page = BeautifulSoup(response.content, "html.parser")
    assert response.status_code == 200
    assert message.delivery_status == "queued"
    assert page.find("textarea", id="reply-body").get_text() == ""
    assert page.find("button", string="Undo") is not None
    assert "conversation-changed" in response["HX-Trigger"]


def test_a_canned_reply_chosen_in_the_composer_is_recorded(
    client, conversation, agent, esp
):
    template = CannedTemplateFactory()
    client.force_login(agent)

    client.post(
        _send_url(conversation), {"body": "Sorry!", "template": template.pk}, **HTMX
    )

    assert (
        Message.objects.get(kind=Message.Kind.REPLY).template_use.template == template
    )


def test_send_and_resolve_from_the_page_resolves(client, conversation, agent, esp):
    client.force_login(agent)

    client.post(
        _send_url(conversation), {"body": "Fixed", "status": "resolved"}, **HTMX
    )

    conversation.refresh_from_db()
    assert conversation.status == Conversation.Status.RESOLVED


def test_send_and_set_pending_from_the_page(client, conversation, agent, esp):
    client.force_login(agent)

    client.post(
        _send_url(conversation), {"body": "Can you check?", "status": "pending"}
    )

    conversation.refresh_from_db()
    assert conversation.status == Conversation.Status.PENDING


def test_without_javascript_sending_redirects_back_to_the_conversation(
    client, conversation, agent, esp
):
    client.force_login(agent)

    response = client.post(_send_url(conversation), {"body": "Hello"})

    assert response.status_code == 302
    assert response["Location"] == f"/conversations/{conversation.pk}/"


def test_a_refused_reply_shows_the_reason_and_queues_nothing(
    client, conversation, agent, esp
):
    client.force_login(agent)

    response = client.post(
        _send_url(conversation),
        {"body": "Hi", "cc": "x@y.test\r\nBcc: victim@z.test"},
        **HTMX,
    )

    assert response.status_code == 400
    assert "cc must be a single line" in response.content.decode()
    assert response["HX-Retarget"] == "#flash"
    assert not Message.objects.filter(kind=Message.Kind.REPLY).exists()


def test_undo_cancels_and_puts_the_text_back_in_the_composer(
    client, conversation, agent, esp, undo_window
):
    client.force_login(agent)
    client.post(_send_url(conversation), {"body": "Oops", "cc": "a@b.test"}, **HTMX)
    message = Message.objects.get(kind=Message.Kind.REPLY)

    response = client.post(f"/replies/{message.pk}/undo/", **HTMX)

    message.refresh_from_db()
    page = BeautifulSoup(response.content, "html.parser")
    assert message.delivery_status == "cancelled"
    assert page.find("textarea", id="reply-body").get_text() == "Oops"
    assert page.find("input", id="reply-cc")["value"] == "a@b.test"


def test_undo_after_sending_says_it_is_too_late(client, conversation, agent, esp):
    message = send_reply(conversation, body="Gone", by=agent)
    deliver_message(message.pk)
    client.force_login(agent)

    response = client.post(f"/replies/{message.pk}/undo/", **HTMX)

    assert response.status_code == 409
    assert "Too late to undo" in response.content.decode()


def test_an_outsider_cannot_send_undo_or_see_outgoing_mail(
    client, conversation, agent, outsider, esp, undo_window
):
    message = send_reply(conversation, body="Private", by=agent)
    client.force_login(outsider)

    sent = client.post(_send_url(conversation), {"body": "Hi"})
    undone = client.post(f"/replies/{message.pk}/undo/")
    outgoing = client.get(f"/conversations/{conversation.pk}/replies/outgoing/")

    assert (sent.status_code, undone.status_code, outgoing.status_code) == (
        404,
        404,
        404,
    )
    message.refresh_from_db()
    assert message.delivery_status == "queued"


def test_sending_needs_a_post(client, conversation, agent):
    client.force_login(agent)

    response = client.get(_send_url(conversation))

    assert response.status_code == 405


def test_a_failed_reply_shows_the_reason_and_can_be_sent_again(
    client, conversation, agent, esp, django_capture_on_commit_callbacks
):
    message = send_reply(conversation, body="Hello", by=agent)
    FlakyEsp.failures = [esp_error(422, "Invalid From address")]
    deliver_message(message.pk)
    client.force_login(agent)

    outgoing = client.get(f"/conversations/{conversation.pk}/replies/outgoing/")
    with django_capture_on_commit_callbacks(execute=True):
        retried = client.post(f"/replies/{message.pk}/retry/", **HTMX)

    message.refresh_from_db()
    assert "Not sent: ESP API response 422" in outgoing.content.decode()
    assert retried.status_code == 200
    assert message.delivery_status == "sent"


def test_a_bounce_shows_in_the_composer_and_on_the_timeline(
    client, conversation, agent, esp
):
    from anymail.signals import AnymailTrackingEvent

    message = send_reply(conversation, body="Hello", by=agent)
    deliver_message(message.pk)
    record_tracking_event(
        AnymailTrackingEvent(
            event_type="bounced",
            metadata={"replypad_message": str(message.pk)},
            recipient="dana@example.test",
            mta_response="550 5.1.1 User unknown",
        )
    )
    client.force_login(agent)

    outgoing = client.get(f"/conversations/{conversation.pk}/replies/outgoing/")
    page = client.get(f"/conversations/{conversation.pk}/").content.decode()

    assert "Not delivered: 550 5.1.1 User unknown" in outgoing.content.decode()
    assert "the email to dana@example.test was not delivered" in page


def test_the_outgoing_region_polls_only_while_mail_is_in_flight(
    client, conversation, agent, esp, undo_window
):
    message = send_reply(conversation, body="Hello", by=agent)
    client.force_login(agent)
    url = f"/conversations/{conversation.pk}/replies/outgoing/"

    waiting = client.get(url, **HTMX)
    Message.objects.filter(pk=message.pk).update(
        send_after=timezone.now() - timedelta(seconds=1)
    )
    deliver_message(message.pk)
    landed = client.get(f"{url}?polling=1", **HTMX)

    assert 'hx-trigger="every 2s"' in waiting.content.decode()
    assert "hx-trigger" not in landed.content.decode()
    assert "conversation-changed" in landed["HX-Trigger"]


def test_the_outgoing_region_query_count_does_not_grow_with_messages(
    client, conversation, agent, esp, undo_window, django_assert_max_num_queries
):
    for n in range(8):
        send_reply(conversation, body=f"Reply {n}", by=agent)
        MessageFactory(conversation=conversation, text="More")
    client.force_login(agent)

    with django_assert_max_num_queries(6):
        response = client.get(f"/conversations/{conversation.pk}/replies/outgoing/")

    assert response.content.decode().count("Undo") == 8
