from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from inbox import roles
from inbox.models import Message
from templates_app.models import CannedTemplate
from tests.factories import (
    CannedTemplateFactory,
    ConversationFactory,
    CustomerFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def test_library_lists_templates_with_usage(
    client, agent, django_assert_max_num_queries
):
    CannedTemplateFactory.create_batch(10, category="Shipping")
    CannedTemplateFactory(name="Refund issued", shortcut="refund", usage_count=7)
    client.force_login(agent)

    with django_assert_max_num_queries(10):
        page = client.get("/templates/").content.decode()

    assert "Refund issued" in page
    assert "<td>7</td>" in page
    assert "New canned reply" not in page


def test_library_filters_by_search_and_category_for_htmx(client, agent):
    CannedTemplateFactory(name="Refund issued", category="Billing")
    CannedTemplateFactory(name="Refund denied", category="Policy")
    client.force_login(agent)

    response = client.get(
        "/templates/", {"q": "refund", "category": "Billing"}, HTTP_HX_REQUEST="true"
    )

    html = response.content.decode()
    assert html.lstrip().startswith('<table class="template-list"')
    assert "Refund issued" in html
    assert "Refund denied" not in html


def test_agent_cannot_open_the_editor(client, agent):
    client.force_login(agent)

    response = client.get("/templates/new/")

    assert response.status_code == 403


def test_admin_saves_a_new_template_from_the_editor(client, admin, mailbox):
    client.force_login(admin)

    response = client.post(
        "/templates/new/",
        {
            "name": "Outage apology",
            "shortcut": "outage",
            "subject": "Re: {{ conversation.subject }}",
            "body": "Hi {{ customer.first_name | default('there') }}, sorry.",
            "category": "Incidents",
            "mailboxes": [mailbox.pk],
            "is_active": "on",
        },
    )

    template = CannedTemplate.objects.get(shortcut="outage")
    assert response.status_code == 302
    assert list(template.mailboxes.all()) == [mailbox]


def test_editor_shows_a_syntax_error_with_its_line_and_keeps_the_text(client, admin):
    client.force_login(admin)

    response = client.post(
        "/templates/new/",
        {"name": "Broken", "shortcut": "broken", "body": "Hi\n{% if x %}"},
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert "Line 2, column 1: Unexpected end of template" in html
    assert "Hi\n{% if x %}</textarea>" in html
    assert not CannedTemplate.objects.exists()


def test_editor_preview_renders_against_the_sample_conversation(client, admin):
    client.force_login(admin)

    response = client.post(
        "/templates/preview/",
        {"subject": "", "body": "Hi {{ customer.first_name }}, order {{ ask.order }}"},
        HTTP_HX_REQUEST="true",
    )

    html = response.content.decode()
    assert "Hi Jane, order" in html
    assert 'data-missing="ask.order"' in html
    assert "The agent will be asked for: ask.order" in html


def test_editor_preview_escapes_what_it_shows(client, admin):
    client.force_login(admin)

    response = client.post(
        "/templates/preview/", {"body": "<img src=x onerror=alert(1)>"}
    )

    assert "<img" not in response.content.decode()


def test_conversation_page_includes_the_template_picker(client, mailbox, agent):
    conversation = ConversationFactory(mailbox=mailbox)
    client.force_login(agent)

    html = client.get(f"/conversations/{conversation.pk}/").content.decode()

    assert 'id="template-picker-input"' in html


def test_insert_by_shortcut_shows_ask_fields_and_blocks_send(client, mailbox, agent):
    customer = CustomerFactory(first_name="Maria")
    conversation = ConversationFactory(mailbox=mailbox, customer=customer)
    CannedTemplateFactory(
        shortcut="damaged",
        body="Hi {{ customer.first_name }}, order {{ ask.order_number }}",
    )
    client.force_login(agent)

    response = client.get(
        f"/conversations/{conversation.pk}/templates/insert/",
        {"q": "/damaged"},
        HTTP_HX_REQUEST="true",
    )

    html = response.content.decode()
    assert 'name="ask__order_number"' in html
    assert "Send is blocked until these are filled in: ask.order_number" in html
    assert 'id="template-send" disabled' in html
    assert '"ready": false' in response["HX-Trigger"]


def test_preview_with_every_value_enables_send(client, mailbox, agent):
    conversation = ConversationFactory(mailbox=mailbox)
    template = CannedTemplateFactory(body="Order {{ ask.order_number }} is on its way")
    client.force_login(agent)

    response = client.post(
        f"/conversations/{conversation.pk}/templates/{template.pk}/preview/",
        {"ask__order_number": "A-1"},
        HTTP_HX_REQUEST="true",
    )

    html = response.content.decode()
    assert "Order A-1 is on its way" in html
    assert "Ready to send." in html
    assert 'id="template-send" disabled' not in html


def test_picker_search_lists_only_templates_for_the_conversations_mailbox(
    client, mailbox, other_mailbox, admin, django_assert_max_num_queries
):
    conversation = ConversationFactory(mailbox=mailbox)
    CannedTemplateFactory(name="Acme refund", mailboxes=[mailbox])
    CannedTemplateFactory(name="Globex refund", mailboxes=[other_mailbox])
    CannedTemplateFactory.create_batch(10, mailboxes=[mailbox])
    client.force_login(admin)

    with django_assert_max_num_queries(6):
        html = client.get(
            f"/conversations/{conversation.pk}/templates/", {"q": "refund"}
        ).content.decode()

    assert "Acme refund" in html
    assert "Globex refund" not in html


def test_outsider_gets_404_from_the_picker(client, mailbox, outsider):
    conversation = ConversationFactory(mailbox=mailbox)
    client.force_login(outsider)

    response = client.get(f"/conversations/{conversation.pk}/templates/", {"q": "x"})

    assert response.status_code == 404


def test_editor_preview_can_use_a_real_conversation(client, mailbox, admin):
    customer = CustomerFactory(name="Tom Baker", first_name="Tom")
    conversation = ConversationFactory(mailbox=mailbox, customer=customer)
    client.force_login(admin)

    response = client.post(
        "/templates/preview/",
        {
            "body": "Hi {{ customer.first_name }}",
            "preview_conversation": conversation.pk,
        },
    )

    assert "Hi Tom" in response.content.decode()


def test_editor_preview_refuses_a_foreign_conversation(client, mailbox, other_mailbox):
    conversation = ConversationFactory(mailbox=mailbox)
    foreign_admin = UserFactory(role=roles.ADMIN, mailboxes=[other_mailbox])
    client.force_login(foreign_admin)

    response = client.post(
        "/templates/preview/",
        {"body": "Hi", "preview_conversation": conversation.pk},
    )

    assert response.status_code == 404


def test_agent_cannot_use_the_editor_preview(client, agent):
    client.force_login(agent)

    response = client.post("/templates/preview/", {"body": "Hi"})

    assert response.status_code == 403


def test_a_value_missing_from_the_conversation_is_explained(client, mailbox, agent):
    customer = CustomerFactory(name="", first_name="")
    conversation = ConversationFactory(mailbox=mailbox, customer=customer)
    template = CannedTemplateFactory(body="Hi {{ customer.first_name }}")
    client.force_login(agent)

    response = client.get(
        f"/conversations/{conversation.pk}/templates/insert/",
        {"template": template.pk},
        HTTP_HX_REQUEST="true",
    )

    html = response.content.decode()
    assert "This conversation has no value for customer.first_name" in html
    assert 'id="template-send" disabled' in html


PAST_MILESTONE = "The milestone time is in the past"


def _past_milestone_conversation(mailbox):
    return ConversationFactory(
        mailbox=mailbox,
        milestone="the replacement",
        milestone_due_at=timezone.now() - timedelta(hours=2),
    )


def test_a_past_milestone_time_shows_a_warning_and_blocks_send(client, mailbox, agent):
    conversation = _past_milestone_conversation(mailbox)
    template = CannedTemplateFactory(
        body="Done by {{ conversation.milestone_due_at | datetime }}."
    )
    client.force_login(agent)

    response = client.get(
        f"/conversations/{conversation.pk}/templates/insert/",
        {"template": template.pk},
        HTTP_HX_REQUEST="true",
    )

    html = response.content.decode()
    assert PAST_MILESTONE in html
    assert 'data-field="conversation.milestone_due_at"' in html
    assert "Ready to send." not in html
    assert 'id="template-send" disabled' in html
    assert '"ready": false' in response["HX-Trigger"]


def test_a_canned_reply_without_the_milestone_time_is_ready_despite_a_past_one(
    client, mailbox, agent
):
    conversation = _past_milestone_conversation(mailbox)
    template = CannedTemplateFactory(body="We are on {{ conversation.milestone }}.")
    client.force_login(agent)

    response = client.get(
        f"/conversations/{conversation.pk}/templates/insert/",
        {"template": template.pk},
        HTTP_HX_REQUEST="true",
    )

    html = response.content.decode()
    assert PAST_MILESTONE not in html
    assert "Ready to send." in html
    assert '"ready": true' in response["HX-Trigger"]


def test_sending_a_canned_reply_with_a_past_milestone_time_is_refused_on_the_page(
    client, mailbox, agent
):
    conversation = _past_milestone_conversation(mailbox)
    template = CannedTemplateFactory(
        body="Done by {{ conversation.milestone_due_at | datetime }}."
    )
    client.force_login(agent)

    response = client.post(
        f"/conversations/{conversation.pk}/replies/",
        {"body": "", "template": template.pk},
        HTTP_HX_REQUEST="true",
    )

    assert response.status_code == 400
    assert PAST_MILESTONE in response.content.decode()
    assert not Message.objects.filter(kind=Message.Kind.REPLY).exists()


def test_editor_preview_against_a_conversation_warns_of_a_past_milestone_time(
    client, mailbox, admin
):
    conversation = _past_milestone_conversation(mailbox)
    client.force_login(admin)

    response = client.post(
        "/templates/preview/",
        {
            "body": "Done by {{ conversation.milestone_due_at | datetime }}.",
            "preview_conversation": conversation.pk,
        },
    )

    assert PAST_MILESTONE in response.content.decode()
