from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from django.utils import timezone

from inbox import presence, services
from inbox.models import Conversation
from tests.factories import (
    ConversationFactory,
    LabelFactory,
    MessageFactory,
)

pytestmark = pytest.mark.django_db


def _subjects(response):
    soup = BeautifulSoup(response.content, "html.parser")
    return [a.get_text(strip=True) for a in soup.select("a.subject")]


def _numbered(conversations):
    return [f"#{c.number} {c.subject}" for c in conversations]


def _conversation(mailbox, subject, **kwargs):
    conversation = ConversationFactory(mailbox=mailbox, subject=subject, **kwargs)
    MessageFactory(conversation=conversation, text=f"About {subject}")
    return conversation


def test_folders_show_counts_of_open_mine_and_unassigned(client, mailbox, agent):
    mine = _conversation(mailbox, "Mine")
    services.assign(mine, to=agent, by=agent)
    _conversation(mailbox, "Nobody's")
    ConversationFactory(mailbox=mailbox, status=Conversation.Status.PENDING)
    client.force_login(agent)

    soup = BeautifulSoup(client.get("/").content, "html.parser")

    counts = {
        a.contents[0].strip(): a.select_one(".count").get_text()
        for a in soup.select(".folder-list a")
        if a.select_one(".count")
    }
    assert counts == {
        "Mine": "1",
        "Unassigned": "1",
        "Open": "2",
        "Pending": "1",
        "Snoozed": "0",
    }


def test_mine_filter_lists_only_conversations_assigned_to_me(
    client, mailbox, agent, teammate
):
    mine = _conversation(mailbox, "Mine")
    theirs = _conversation(mailbox, "Theirs")
    services.assign(mine, to=agent, by=agent)
    services.assign(theirs, to=teammate, by=agent)
    client.force_login(agent)

    response = client.get("/", {"assignee": "me"})

    assert _subjects(response) == _numbered([mine])


def test_unassigned_filter(client, mailbox, agent):
    taken = _conversation(mailbox, "Taken")
    free = _conversation(mailbox, "Free")
    services.assign(taken, to=agent, by=agent)
    client.force_login(agent)

    response = client.get("/", {"assignee": "none"})

    assert _subjects(response) == _numbered([free])


def test_label_filter(client, mailbox, agent):
    label = LabelFactory(name="refunds")
    tagged = _conversation(mailbox, "Tagged")
    _conversation(mailbox, "Plain")
    services.change_labels(tagged, add=[label], by=agent)
    client.force_login(agent)

    response = client.get("/", {"label": label.pk})

    assert _subjects(response) == _numbered([tagged])


def test_status_folder_lists_that_status_only(client, mailbox, agent):
    _conversation(mailbox, "Open one")
    pending = ConversationFactory(
        mailbox=mailbox, subject="Waiting on customer", status="pending"
    )
    client.force_login(agent)

    response = client.get("/", {"status": "pending"})

    assert _subjects(response) == _numbered([pending])


def test_sort_waiting_longest_puts_the_oldest_activity_first(client, mailbox, agent):
    first = _conversation(mailbox, "First")
    second = _conversation(mailbox, "Second")
    client.force_login(agent)

    newest = client.get("/")
    oldest = client.get("/", {"sort": "oldest"})

    assert _subjects(newest) == _numbered([second, first])
    assert _subjects(oldest) == _numbered([first, second])


@pytest.mark.parametrize("sort", ["newest", "oldest"])
def test_keyset_pages_cover_every_conversation_once(client, mailbox, agent, sort):
    made = [_conversation(mailbox, f"Conversation {i}") for i in range(30)]
    client.force_login(agent)

    first = client.get("/", {"sort": sort})
    cursor = BeautifulSoup(first.content, "html.parser").select_one("a[rel=next]")
    second = client.get("/" + cursor["href"].lstrip("/"))

    seen = _subjects(first) + _subjects(second)
    assert len(_subjects(first)) == 25
    assert sorted(seen) == sorted(_numbered(made))


def test_rows_show_customer_labels_assignee_snippet_and_waiting_time(
    client, mailbox, agent
):
    label = LabelFactory(name="urgent", colour="#b42318")
    conversation = _conversation(mailbox, "Broken login")
    services.change_labels(conversation, add=[label], by=agent)
    services.assign(conversation, to=agent, by=agent)
    client.force_login(agent)

    row = BeautifulSoup(client.get("/").content, "html.parser").select_one(
        ".conversation-row"
    )

    assert conversation.customer.name in row.select_one(".customer").get_text()
    assert row.select_one(".label").get_text() == "urgent"
    assert row.select_one(".assignee").get_text() == "Alice Agent"
    assert row.select_one(".snippet").get_text() == "About Broken login"
    assert row.select_one(".waiting time")["title"].startswith("Customer waiting since")


def test_rows_mark_a_teammate_who_is_replying(client, mailbox, agent, teammate):
    conversation = _conversation(mailbox, "Hot potato")
    presence.touch(conversation, user=teammate, state=presence.REPLYING)
    client.force_login(agent)

    row = BeautifulSoup(client.get("/").content, "html.parser").select_one(
        ".conversation-row"
    )

    assert "Bob Builder replying" in row.select_one(".presence-mark").get_text()


def test_search_shows_highlighted_snippets(client, mailbox, agent):
    conversation = ConversationFactory(mailbox=mailbox, subject="Hello")
    MessageFactory(conversation=conversation, text="The espresso machine leaks.")
    _conversation(mailbox, "Other")
    client.force_login(agent)

    response = client.get("/", {"q": "espresso"})

    soup = BeautifulSoup(response.content, "html.parser")
    assert _subjects(response) == _numbered([conversation])
    assert soup.select_one(".snippet mark").get_text() == "espresso"


def test_search_result_snippet_is_inert(client, mailbox, agent):
    conversation = ConversationFactory(mailbox=mailbox)
    MessageFactory(conversation=conversation, text="<script>alert(1)</script> gotcha")
    client.force_login(agent)

    page = client.get("/", {"q": "gotcha"}).content.decode()

    assert "<script>alert(1)" not in page
    assert "<mark>gotcha</mark>" in page


def test_outsider_gets_404_for_a_foreign_mailbox_filter(client, mailbox, outsider):
    client.force_login(outsider)

    response = client.get("/", {"mailbox": mailbox.pk})

    assert response.status_code == 404


def test_bulk_resolve_from_the_list(client, mailbox, agent):
    chosen = [_conversation(mailbox, f"Bulk {i}") for i in range(2)]
    client.force_login(agent)

    response = client.post(
        "/conversations/bulk/",
        {"conversation": [c.pk for c in chosen], "do": "resolve:", "next": "/"},
    )

    assert response.status_code == 302
    assert set(
        Conversation.objects.filter(pk__in=[c.pk for c in chosen]).values_list(
            "status", flat=True
        )
    ) == {"resolved"}


def test_bulk_move_to_a_mailbox(client, mailbox, other_mailbox, admin):
    conversation = _conversation(mailbox, "Wrong desk")
    client.force_login(admin)

    client.post(
        "/conversations/bulk/",
        {"conversation": [conversation.pk], "do": f"move:{other_mailbox.pk}"},
    )

    conversation.refresh_from_db()
    assert conversation.mailbox == other_mailbox


def test_bulk_without_a_selection_says_so(client, mailbox, agent):
    client.force_login(agent)

    response = client.post("/conversations/bulk/", {"do": "resolve:"}, follow=True)

    assert "Select at least one conversation" in response.content.decode()


def test_bulk_never_redirects_off_site(client, mailbox, agent):
    conversation = _conversation(mailbox, "Safe")
    client.force_login(agent)

    response = client.post(
        "/conversations/bulk/",
        {"conversation": [conversation.pk], "do": "resolve:", "next": "//evil.test/"},
    )

    assert response["Location"] == "/"


@pytest.mark.parametrize("rows", [3, 30], ids=["few-rows", "many-rows"])
def test_inbox_list_query_count_is_independent_of_page_size(
    client, mailbox, agent, teammate, django_assert_max_num_queries, rows
):
    label = LabelFactory(name="vip")
    for i in range(rows):
        conversation = _conversation(mailbox, f"Row {i}")
        services.change_labels(conversation, add=[label], by=agent)
        services.assign(conversation, to=teammate, by=agent)
    client.force_login(agent)

    with django_assert_max_num_queries(10):
        response = client.get("/", {"mailbox": mailbox.pk, "label": label.pk})

    assert response.status_code == 200


def test_search_page_query_count(client, mailbox, agent, django_assert_max_num_queries):
    for i in range(30):
        MessageFactory(
            conversation=ConversationFactory(mailbox=mailbox), text=f"widget {i}"
        )
    client.force_login(agent)
    client.get("/", {"q": "warm-up"})  # caches folder counts and picker options

    with django_assert_max_num_queries(10):
        response = client.get("/", {"q": "widget"})

    assert response.status_code == 200
    assert len(_subjects(response)) == 25


def test_waiting_time_is_blank_once_we_replied(client, mailbox, agent):
    conversation = _conversation(mailbox, "Answered")
    services.append_message(
        conversation,
        kind="reply",
        from_email=mailbox.email,
        text="On it",
        author=agent,
        at=timezone.now(),
    )
    client.force_login(agent)

    row = BeautifulSoup(client.get("/").content, "html.parser").select_one(
        ".conversation-row"
    )

    assert "Customer waiting" not in str(row.select_one(".waiting"))


def test_only_conversations_whose_last_customer_message_is_negative_show_upset(
    client, mailbox, agent
):
    angry = ConversationFactory(mailbox=mailbox, subject="Angry")
    MessageFactory(conversation=angry, text="Still not working, third time I write!")
    calm = ConversationFactory(mailbox=mailbox, subject="Calm")
    MessageFactory(conversation=calm, text="How do I export my data?")
    client.force_login(agent)

    soup = BeautifulSoup(client.get("/").content, "html.parser")

    upset = [
        row.select_one("a.subject").get_text(strip=True)
        for row in soup.select("tr.conversation-row")
        if row.select_one(".mood-negative")
    ]
    assert upset == [f"#{angry.number} Angry"]
