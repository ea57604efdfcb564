"""One rule, one answer: the page, the API and bulk actions refuse the same bad
input with the same message, because they all call the same service."""

from __future__ import annotations

import pytest
from django.urls import reverse

from inbox.models import Conversation
from templates_app.models import CannedTemplate
from tests.factories import ConversationFactory, LabelFactory, UserFactory

pytestmark = pytest.mark.django_db

NOT_A_MEMBER = "Choose a member of this mailbox to assign to"
SCOPE = "Limit a canned reply only to mailboxes you belong to."


@pytest.fixture
def conversation(mailbox):
    return ConversationFactory(mailbox=mailbox)


def _page(client, user, url, data):
    """The page's htmx answer to a refused action: the message and its status."""
    client.force_login(user)
    response = client.post(url, data, HTTP_HX_REQUEST="true")
    return response.status_code, response.content.decode()


def _api(api_client, user, url, data):
    api_client.force_authenticate(user)
    response = api_client.post(url, data, format="json")
    return response.status_code, response.json()


def _bulk(client, user, conversation, do):
    client.force_login(user)
    response = client.post(
        reverse("frontend:conversations-bulk"),
        {"conversation": [conversation.pk], "do": do},
        HTTP_HX_REQUEST="true",
    )
    return response.status_code, response.content.decode()


@pytest.fixture
def bad_assignees(outsider):
    return {"unknown user": "999999", "outsider": str(outsider.pk), "text": "bob!"}


@pytest.mark.parametrize("case", ["unknown user", "outsider", "text"])
def test_a_bad_assignee_gets_the_same_answer_everywhere(
    client, api_client, conversation, agent, bad_assignees, case
):
    value = bad_assignees[case]

    page = _page(
        client,
        agent,
        reverse("frontend:conversation-assign", args=[conversation.pk]),
        {"assignee": value},
    )
    api = _api(
        api_client,
        agent,
        f"/api/v1/conversations/{conversation.pk}/assign/",
        {"assignee": value},
    )
    bulk = _bulk(client, agent, conversation, f"assign:{value}")

    assert page[0] == api[0] == bulk[0] == 400
    assert NOT_A_MEMBER in page[1]
    assert api[1] == {"assignee": [NOT_A_MEMBER]}
    assert NOT_A_MEMBER in bulk[1]
    conversation.refresh_from_db()
    assert conversation.assignee is None


def test_an_unknown_label_gets_the_same_answer_everywhere_and_applies_nothing(
    client, api_client, conversation, agent
):
    LabelFactory(name="billing")

    page = _page(
        client,
        agent,
        reverse("frontend:conversation-label", args=[conversation.pk]),
        {"label": "no-such-label"},
    )
    api = _api(
        api_client,
        agent,
        f"/api/v1/conversations/{conversation.pk}/labels/",
        {"add": ["billing", "no-such-label"]},
    )
    bulk = _bulk(client, agent, conversation, "label:no-such-label")

    assert page[0] == api[0] == bulk[0] == 400
    assert "No such label: no-such-label" in page[1]
    assert api[1] == {"labels": ["No such label: no-such-label"]}
    assert "No such label: no-such-label" in bulk[1]
    assert not conversation.label_links.exists()


def test_labels_are_found_by_id_or_name_from_every_entry_point(
    client, api_client, conversation, agent
):
    billing, urgent = LabelFactory(name="billing"), LabelFactory(name="urgent")
    other = ConversationFactory(mailbox=conversation.mailbox)

    _page(
        client,
        agent,
        reverse("frontend:conversation-label", args=[conversation.pk]),
        {"label": "Billing"},
    )
    _api(
        api_client,
        agent,
        f"/api/v1/conversations/{conversation.pk}/labels/",
        {"add": [urgent.pk]},
    )
    _bulk(client, agent, other, f"label:{billing.pk}")

    assert set(conversation.label_links.values_list("label__name", flat=True)) == {
        "billing",
        "urgent",
    }
    assert list(other.label_links.values_list("label__name", flat=True)) == ["billing"]


def test_an_unknown_status_gets_the_same_answer_from_page_and_api(
    client, api_client, conversation, agent
):
    page = _page(
        client,
        agent,
        reverse("frontend:conversation-status", args=[conversation.pk]),
        {"status": "closed"},
    )
    api = _api(
        api_client,
        agent,
        f"/api/v1/conversations/{conversation.pk}/status/",
        {"status": "closed"},
    )

    assert page[0] == api[0] == 400
    assert "Cannot change status to &#x27;closed&#x27;" in page[1]
    assert api[1] == {"status": ["Cannot change status to 'closed'"]}
    conversation.refresh_from_db()
    assert conversation.status == Conversation.Status.OPEN


def test_someone_outside_the_mailbox_cannot_act_from_any_entry_point(
    client, api_client, conversation, outsider
):
    page = _page(
        client,
        outsider,
        reverse("frontend:conversation-status", args=[conversation.pk]),
        {"status": "resolved"},
    )
    api = _api(
        api_client,
        outsider,
        f"/api/v1/conversations/{conversation.pk}/status/",
        {"status": "resolved"},
    )
    bulk = _bulk(client, outsider, conversation, "resolve")

    assert page[0] == api[0] == 404
    assert bulk[0] == 204
    conversation.refresh_from_db()
    assert conversation.status == Conversation.Status.OPEN


@pytest.mark.parametrize("case", ["someone else's mailbox", "unknown mailbox"])
def test_template_scope_gets_the_same_answer_from_page_and_api(
    client, api_client, mailbox, other_mailbox, case
):
    editor = UserFactory(role="admin", mailboxes=[mailbox])
    scope = str(other_mailbox.pk) if case == "someone else's mailbox" else "999999"
    fields = {"name": "Refund", "shortcut": "refund", "body": "Hi there."}

    client.force_login(editor)
    page = client.post(reverse("frontend:template-new"), {**fields, "mailboxes": scope})
    api = _api(
        api_client,
        editor,
        "/api/v1/templates/",
        {**fields, "mailboxes": [int(scope)]},
    )

    assert page.status_code == api[0] == 400
    assert SCOPE in page.content.decode()
    assert api[1] == {"mailboxes": [SCOPE]}
    assert not CannedTemplate.objects.exists()


def test_a_template_can_be_scoped_to_the_editors_own_mailbox_everywhere(
    client, api_client, mailbox
):
    editor = UserFactory(role="admin", mailboxes=[mailbox])
    client.force_login(editor)

    client.post(
        reverse("frontend:template-new"),
        {"name": "A", "shortcut": "a", "body": "Hi.", "mailboxes": mailbox.pk},
    )
    _api(
        api_client,
        editor,
        "/api/v1/templates/",
        {"name": "B", "shortcut": "b", "body": "Hi.", "mailboxes": [mailbox.pk]},
    )

    for template in CannedTemplate.objects.all():
        assert list(template.mailboxes.all()) == [mailbox]
    assert CannedTemplate.objects.count() == 2
