from __future__ import annotations

import pytest
from django.urls import reverse

from inbox.models import Mailbox
from tests.factories import ConversationFactory, CustomerFactory, MessageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def conversation(mailbox):
    customer = CustomerFactory(name="Dana Scully", first_name="Dana")
    conversation = ConversationFactory(mailbox=mailbox, customer=customer)
    MessageFactory(conversation=conversation, text="Still broken. Third time I write!")
    return conversation


def test_the_composer_checks_the_reply_box_live(client, agent, conversation):
    client.force_login(agent)

    response = client.get(
        reverse("frontend:conversation-detail", args=[conversation.pk])
    )

    html = response.content.decode()
    assert 'id="reply-body"' in html
    assert reverse("frontend:empathy-check") in html
    assert "input changed delay:400ms from:#reply-body" in html
    assert "frontend/js/empathy.js" in html
    assert 'name="empathy_override_reason"' not in html


def test_a_blocking_mailbox_asks_for_an_override_reason_in_the_composer(
    client, agent, conversation
):
    Mailbox.objects.filter(pk=conversation.mailbox_id).update(empathy_mode="block")
    client.force_login(agent)

    response = client.get(
        reverse("frontend:conversation-detail", args=[conversation.pk])
    )

    assert 'name="empathy_override_reason"' in response.content.decode()


def test_the_check_reads_the_typed_box_before_a_canned_reply_text(client, agent):
    client.force_login(agent)

    response = client.post(
        reverse("frontend:empathy-check"),
        {"body": ["Please calm down.", "Canned text, obviously."]},
    )

    html = response.content.decode()
    assert "<mark>Please calm down</mark>" in html
    assert "<mark>obviously</mark>" not in html


def test_the_check_renders_each_finding_on_its_phrase_with_its_rewrite(
    client, agent, conversation
):
    client.force_login(agent)

    response = client.post(
        reverse("frontend:empathy-check"),
        {"body": "Hi Dana,\n\nPlease calm down.", "conversation": conversation.pk},
        HTTP_HX_REQUEST="true",
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "<mark>Please calm down</mark>" in html
    assert 'data-suggestion="I understand how frustrating this is"' in html
    assert 'data-start="10" data-end="26"' in html
    assert "1 blocker, 3 warnings, 1 tip" in html
    assert "<html" not in html


def test_a_clean_reply_says_there_is_nothing_to_fix(client, agent, conversation):
    client.force_login(agent)
    text = (
        "Hi Dana,\n\nI'm sorry, I understand how frustrating this is. "
        "I will fix it by 3 pm today."
    )

    response = client.post(
        reverse("frontend:empathy-check"),
        {"body": text, "conversation": conversation.pk},
    )

    assert "No findings" in response.content.decode()


def test_the_text_in_findings_is_escaped(client, agent):
    client.force_login(agent)

    response = client.post(
        reverse("frontend:empathy-check"),
        {"body": "<script>alert(1)</script> Please calm down"},
    )

    html = response.content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;" in html


def test_an_outsider_gets_404_when_checking_against_a_conversation(
    client, outsider, conversation
):
    client.force_login(outsider)

    response = client.post(
        reverse("frontend:empathy-check"),
        {"body": "hello", "conversation": conversation.pk},
    )

    assert response.status_code == 404


def test_the_check_needs_a_login(client):
    response = client.post(reverse("frontend:empathy-check"), {"body": "hello"})

    assert response.status_code == 302


def test_the_check_only_answers_post(client, agent):
    client.force_login(agent)

    response = client.get(reverse("frontend:empathy-check"))

    assert response.status_code == 405


def test_the_check_costs_a_fixed_number_of_queries(
    client, agent, conversation, django_assert_max_num_queries
):
    client.force_login(agent)

    with django_assert_max_num_queries(8):
        client.post(
            reverse("frontend:empathy-check"),
            {"body": "Hello", "conversation": conversation.pk},
        )
