from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from django.core.files.base import ContentFile

from inbox import presence, services
from inbox.models import Attachment, Conversation
from notes.services import add_note
from tests.factories import (
    ConversationFactory,
    CustomerFactory,
    LabelFactory,
    MessageFactory,
)

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def _attachment(message, filename, content_type, body):
    attachment = Attachment(
        message=message,
        filename=filename,
        content_type=content_type,
        size=len(body),
        sha256="0" * 64,
    )
    attachment.file.save(filename, ContentFile(body), save=True)
    return attachment


@pytest.fixture
def conversation(mailbox):
    customer = CustomerFactory(
        name="Dana Scully",
        company="FBI",
        timezone="America/New_York",
        attributes={"plan": "Enterprise"},
    )
    conversation = ConversationFactory(
        mailbox=mailbox, customer=customer, subject="Aliens ate my invoice"
    )
    MessageFactory(conversation=conversation, text="Please help, the invoice is gone.")
    return conversation


def test_conversation_page_interleaves_messages_and_events_in_time_order(
    client, conversation, agent
):
    services.assign(conversation, to=agent, by=agent)
    MessageFactory(conversation=conversation, text="Any news?")
    client.force_login(agent)

    soup = BeautifulSoup(
        client.get(f"/conversations/{conversation.pk}/").content, "html.parser"
    )

    kinds = [li["class"][0] for li in soup.select("#thread > li")]
    assert kinds == [
        "event",
        "message",
        "event",
        "message",
    ]


def test_customer_sidebar_shows_details(client, conversation, agent):
    client.force_login(agent)

    sidebar = BeautifulSoup(
        client.get(f"/conversations/{conversation.pk}/").content, "html.parser"
    ).select_one(".customer-pane")

    text = sidebar.get_text(" ", strip=True)
    assert "Dana Scully" in text
    assert "FBI" in text
    assert "America/New_York" in text
    assert "Enterprise" in text


def test_customer_history_lists_their_other_visible_conversations(
    client, conversation, mailbox, other_mailbox, agent
):
    earlier = ConversationFactory(
        mailbox=mailbox, customer=conversation.customer, subject="Old question"
    )
    ConversationFactory(
        mailbox=other_mailbox, customer=conversation.customer, subject="Elsewhere"
    )
    client.force_login(agent)

    response = client.get(f"/conversations/{conversation.pk}/history/", **HTMX)

    text = BeautifulSoup(response.content, "html.parser").get_text(" ", strip=True)
    assert f"#{earlier.number} Old question" in text
    assert "Elsewhere" not in text


def test_assign_through_htmx_returns_the_header_and_triggers_a_refresh(
    client, conversation, agent, teammate
):
    client.force_login(agent)

    response = client.post(
        f"/conversations/{conversation.pk}/assign/", {"assignee": teammate.pk}, **HTMX
    )

    conversation.refresh_from_db()
    assert conversation.assignee == teammate
    assert "conversation-changed" in response["HX-Trigger"]
    assert 'id="conversation-header"' in response.content.decode()
    assert "Assigned to Bob Builder" in response.content.decode()


def test_assign_without_javascript_redirects_back(client, conversation, agent):
    client.force_login(agent)

    response = client.post(
        f"/conversations/{conversation.pk}/assign/", {"assignee": "me"}
    )

    conversation.refresh_from_db()
    assert response.status_code == 302
    assert conversation.assignee == agent


def test_assigning_an_outsider_is_refused_with_a_message(
    client, conversation, agent, outsider
):
    client.force_login(agent)

    response = client.post(
        f"/conversations/{conversation.pk}/assign/", {"assignee": outsider.pk}, **HTMX
    )

    conversation.refresh_from_db()
    assert response.status_code == 400
    assert "Choose a member of this mailbox" in response.content.decode()
    assert conversation.assignee is None


def test_add_and_remove_a_label(client, conversation, agent):
    label = LabelFactory(name="invoices")
    client.force_login(agent)

    client.post(f"/conversations/{conversation.pk}/label/", {"label": label.pk}, **HTMX)
    added = list(
        Conversation.objects.get(pk=conversation.pk).label_links.filter(
            removed_at__isnull=True
        )
    )
    client.post(
        f"/conversations/{conversation.pk}/label/",
        {"label": label.pk, "remove": "1"},
        **HTMX,
    )

    assert [link.label for link in added] == [label]
    assert not conversation.label_links.filter(removed_at__isnull=True).exists()


def test_resolve_and_reopen(client, conversation, agent):
    client.force_login(agent)

    client.post(
        f"/conversations/{conversation.pk}/status/", {"status": "resolved"}, **HTMX
    )
    resolved = Conversation.objects.get(pk=conversation.pk).status
    client.post(f"/conversations/{conversation.pk}/status/", {"status": "open"}, **HTMX)

    assert resolved == "resolved"
    assert Conversation.objects.get(pk=conversation.pk).status == "open"


def test_snooze_with_a_preset(client, conversation, agent):
    client.force_login(agent)

    response = client.post(
        f"/conversations/{conversation.pk}/snooze/", {"preset": "tomorrow"}, **HTMX
    )

    conversation.refresh_from_db()
    assert response.status_code == 200
    assert conversation.status == "snoozed"
    assert conversation.snoozed_until is not None


@pytest.mark.parametrize(
    "until", ["", "yesterday", "2001-01-01T10:00"], ids=["blank", "junk", "past"]
)
def test_snooze_without_a_future_time_is_refused(client, conversation, agent, until):
    client.force_login(agent)

    response = client.post(
        f"/conversations/{conversation.pk}/snooze/", {"until": until}, **HTMX
    )

    conversation.refresh_from_db()
    assert response.status_code == 400
    assert conversation.status == "open"


@pytest.mark.parametrize(
    ("method", "path", "data"),
    [
        ("get", "/conversations/{c}/", {}),
        ("post", "/conversations/{c}/assign/", {"assignee": "me"}),
        ("post", "/conversations/{c}/label/", {"label": "1"}),
        ("post", "/conversations/{c}/status/", {"status": "resolved"}),
        ("post", "/conversations/{c}/snooze/", {"preset": "4h"}),
        ("post", "/conversations/{c}/presence/", {"state": "viewing"}),
        ("get", "/conversations/{c}/new-messages/", {}),
        ("get", "/conversations/{c}/history/", {}),
        ("get", "/messages/{m}/html/", {}),
        ("get", "/attachments/{a}/download/", {}),
    ],
    ids=[
        "page",
        "assign",
        "label",
        "status",
        "snooze",
        "presence",
        "new-messages",
        "history",
        "message-html",
        "attachment",
    ],
)
def test_outsider_gets_404_everywhere_on_a_conversation(
    client, conversation, outsider, method, path, data
):
    message = conversation.messages.get()
    attachment = _attachment(message, "a.txt", "text/plain", b"hi")
    client.force_login(outsider)

    url = path.format(c=conversation.pk, m=message.pk, a=attachment.pk)
    response = getattr(client, method)(url, data)

    conversation.refresh_from_db()
    assert response.status_code == 404
    assert conversation.status == "open"


def test_message_html_is_served_for_a_sandbox_with_a_strict_csp(
    client, conversation, agent
):
    message = MessageFactory(
        conversation=conversation, text="hi", html="<p>Hello <b>there</b></p>"
    )
    client.force_login(agent)

    page = BeautifulSoup(
        client.get(f"/conversations/{conversation.pk}/").content, "html.parser"
    )
    response = client.get(f"/messages/{message.pk}/html/")

    iframe = page.select_one(f"#message-{message.pk} iframe")
    assert "allow-scripts" not in iframe["sandbox"]
    assert iframe["src"] == f"/messages/{message.pk}/html/"
    csp = response["Content-Security-Policy"]
    assert "default-src 'none'" in csp
    assert "script-src" not in csp
    assert "sandbox" in csp
    assert "<b>there</b>" in response.content.decode()


@pytest.mark.parametrize(
    ("filename", "content_type"),
    [
        ("evil.html", "text/html"),
        ("evil.svg", "image/svg+xml"),
        ("evil.xhtml", "application/xhtml+xml"),
        ("report.pdf", "application/pdf"),
    ],
    ids=["html", "svg", "xhtml", "pdf"],
)
def test_attachments_are_downloads_never_rendered(
    client, conversation, agent, filename, content_type
):
    attachment = _attachment(
        conversation.messages.get(),
        filename,
        content_type,
        b"<script>alert(1)</script>",
    )
    client.force_login(agent)

    response = client.get(f"/attachments/{attachment.pk}/download/")

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Type"] == "application/octet-stream"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_presence_poll_shows_who_else_is_here_and_what_arrived(
    client, conversation, agent, teammate
):
    last = conversation.messages.get()
    presence.touch(conversation, user=teammate, state=presence.REPLYING)
    MessageFactory(conversation=conversation, text="Hello? Anyone?")
    client.force_login(agent)

    response = client.post(
        f"/conversations/{conversation.pk}/presence/",
        {"state": "viewing", "after": last.pk},
        **HTMX,
    )

    text = BeautifulSoup(response.content, "html.parser").get_text(" ", strip=True)
    assert "Bob Builder is replying" in text
    assert "1 new message since you opened this conversation" in text


def test_presence_poll_records_the_poller(client, conversation, agent, teammate):
    client.force_login(teammate)

    client.post(f"/conversations/{conversation.pk}/presence/", {"state": "replying"})

    assert [p.name for p in presence.others_on(conversation, user=agent)] == [
        "Bob Builder"
    ]


def test_new_messages_endpoint_for_the_held_send(client, conversation, agent):
    last = conversation.messages.get()
    newer = MessageFactory(conversation=conversation, text="One more thing")
    client.force_login(agent)

    held = client.get(
        f"/conversations/{conversation.pk}/new-messages/", {"after": last.pk}
    ).json()
    clear = client.get(
        f"/conversations/{conversation.pk}/new-messages/", {"after": newer.pk}
    ).json()

    assert [m["id"] for m in held["new_messages"]] == [newer.pk]
    assert held["new_messages"][0]["preview"] == "One more thing"
    assert clear == {"new_messages": []}


def test_page_carries_the_newest_message_id_for_the_held_send(
    client, conversation, agent
):
    newest = MessageFactory(conversation=conversation, text="latest")
    client.force_login(agent)

    soup = BeautifulSoup(
        client.get(f"/conversations/{conversation.pk}/").content, "html.parser"
    )

    assert soup.select_one("[data-page=conversation]")["data-last-message"] == str(
        newest.pk
    )


@pytest.mark.parametrize("messages", [1, 40], ids=["short-thread", "long-thread"])
def test_conversation_page_query_count_is_independent_of_thread_length(
    client, conversation, agent, django_assert_max_num_queries, messages
):
    label = LabelFactory(name="thread-length")
    services.change_labels(conversation, add=[label], by=agent)
    for i in range(messages):
        message = MessageFactory(conversation=conversation, text=f"message {i}")
        _attachment(message, f"file{i}.txt", "text/plain", b"x")
        services.assign(conversation, to=agent if i % 2 else None, by=agent)
    client.force_login(agent)
    client.get(f"/conversations/{conversation.pk}/")  # caches the picker options

    with django_assert_max_num_queries(10):
        response = client.get(f"/conversations/{conversation.pk}/")

    assert response.status_code == 200


def test_conversation_page_with_a_cold_cache_stays_bounded(
    client, conversation, agent, django_assert_max_num_queries
):
    for i in range(20):
        MessageFactory(conversation=conversation, text=f"message {i}")
    client.force_login(agent)

    # One of them asks for the conversation's open drafts (cached afterwards).
    with django_assert_max_num_queries(12):
        response = client.get(f"/conversations/{conversation.pk}/")

    assert response.status_code == 200


def test_internal_notes_are_interleaved_in_the_thread_in_time_order(
    client, conversation, agent
):
    add_note(conversation, body="Checked the ledger: charged twice.", by=agent)
    MessageFactory(conversation=conversation, text="Still waiting!")
    client.force_login(agent)

    soup = BeautifulSoup(
        client.get(f"/conversations/{conversation.pk}/").content, "html.parser"
    )

    kinds = [li["class"][0] for li in soup.select("#thread > li")]
    assert kinds[-2:] == ["note", "message"]
    assert "charged twice" in soup.select_one("#thread > li.note").get_text()
