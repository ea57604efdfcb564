from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import ConversationFactory, MessageFactory

pytestmark = pytest.mark.django_db


def test_anonymous_user_is_sent_to_login(client, mailbox):
    conversation = ConversationFactory(mailbox=mailbox)

    inbox = client.get("/")
    detail = client.get(f"/conversations/{conversation.pk}/")

    assert inbox.status_code == detail.status_code == 302
    assert inbox["Location"].startswith("/login/")


def test_outsider_gets_404_for_a_conversation_page(client, mailbox, outsider):
    conversation = ConversationFactory(mailbox=mailbox)
    client.force_login(outsider)

    response = client.get(f"/conversations/{conversation.pk}/")

    assert response.status_code == 404


def test_inbox_lists_only_the_users_mailboxes(client, mailbox, other_mailbox, agent):
    ConversationFactory(mailbox=mailbox, subject="Visible to Alice")
    ConversationFactory(mailbox=other_mailbox, subject="Globex secret")
    client.force_login(agent)

    page = client.get("/").content.decode()

    assert "Visible to Alice" in page
    assert "Globex secret" not in page


def test_conversation_page_shows_the_thread_inert(client, mailbox, agent):
    conversation = ConversationFactory(mailbox=mailbox)
    MessageFactory(
        conversation=conversation, text="<script>alert(1)</script> my order is late"
    )
    client.force_login(agent)

    page = client.get(f"/conversations/{conversation.pk}/").content.decode()

    assert "my order is late" in page
    assert "<script>alert(1)" not in page


def test_csrf_less_post_is_refused(mailbox, agent):
    client = Client(enforce_csrf_checks=True)
    client.force_login(agent)

    response = client.post("/logout/")

    assert response.status_code == 403


def test_inbox_page_query_count_does_not_grow_with_rows(
    client, mailbox, agent, django_assert_max_num_queries
):
    for _ in range(30):
        MessageFactory(conversation=ConversationFactory(mailbox=mailbox))
    client.force_login(agent)

    with django_assert_max_num_queries(8):
        response = client.get("/")

    assert response.status_code == 200


def test_outbox_page_lists_mail_from_the_users_mailboxes_only(
    client, settings, mailbox, agent
):
    from django.core.mail import EmailMessage

    settings.EMAIL_BACKEND = "replypad.outbox.OutboxEmailBackend"
    EmailMessage("Your refund", "Done.", mailbox.email, ["c@example.test"]).send()
    EmailMessage("Globex news", "Hi.", "help@globex.test", ["c@example.test"]).send()
    client.force_login(agent)

    listing = client.get("/outbox/").content.decode()

    assert "Your refund" in listing
    assert "Globex news" not in listing
