from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import IntegrityError, transaction
from django.http import Http404

from inbox import services as inbox_services
from replypad.errors import PermissionDeniedError
from templates_app import selectors, services
from templates_app.errors import (
    MissingValues,
    TemplateFieldsInvalid,
    TemplateInactive,
    TemplateNotForMailbox,
)
from templates_app.models import CannedTemplate, TemplateRevision
from tests.factories import (
    CannedTemplateFactory,
    ConversationFactory,
    CustomerFactory,
    LabelFactory,
)

pytestmark = pytest.mark.django_db


def test_admin_creates_a_template_with_a_first_revision(admin, mailbox):
    template = services.create_template(
        by=admin,
        name="Damaged parcel",
        shortcut="/Damaged",
        subject="Re: {{ conversation.subject }}",
        body="Hi {{ customer.first_name }}, sorry about order {{ ask.order_number }}.",
        category="Shipping",
        mailboxes=[mailbox],
        labels=[LabelFactory(name="shipping")],
    )

    assert template.shortcut == "damaged"
    assert list(template.mailboxes.all()) == [mailbox]
    assert template.revisions.count() == 1
    assert template.created_by == admin


def test_creating_reports_every_bad_field_by_name(admin):
    CannedTemplateFactory(shortcut="taken")

    with pytest.raises(TemplateFieldsInvalid) as caught:
        services.create_template(
            by=admin,
            name=" ",
            shortcut="taken",
            subject="Re: {{ conversation.subjet }}",
            body="Hi {{ customer.first_name }\n",
        )

    errors = caught.value.as_dict()
    assert set(errors) == {"name", "shortcut", "subject", "body"}
    assert errors["body"] == ["Line 1, column 27: Unexpected '}'"]
    assert "Did you mean 'conversation.subject'" in errors["subject"][0]


def test_an_agent_may_not_create_templates(agent):
    with pytest.raises(PermissionDeniedError):
        services.create_template(by=agent, name="x", shortcut="x", body="Hi")


def test_updating_the_body_adds_a_revision_and_keeps_the_old_text(admin):
    template = services.create_template(
        by=admin, name="Refund", shortcut="refund", body="Refund on its way."
    )

    services.update_template(template, by=admin, body="Your refund is on its way.")

    bodies = list(
        TemplateRevision.objects.filter(template=template)
        .order_by("id")
        .values_list("body", flat=True)
    )
    assert bodies == ["Refund on its way.", "Your refund is on its way."]


def test_updating_only_the_name_adds_no_revision(admin):
    template = services.create_template(by=admin, name="A", shortcut="a", body="Hi")

    services.update_template(template, by=admin, name="B")

    assert template.revisions.count() == 1
    assert CannedTemplate.objects.get(pk=template.pk).name == "B"


def test_an_unsafe_update_is_refused_and_nothing_changes(admin):
    template = services.create_template(by=admin, name="A", shortcut="a", body="Hi")

    with pytest.raises(TemplateFieldsInvalid):
        services.update_template(template, by=admin, body="{{ ''.__class__ }}")

    assert CannedTemplate.objects.get(pk=template.pk).body == "Hi"


def test_context_is_built_from_the_conversation(mailbox, agent, teammate):
    customer = CustomerFactory(
        name="Maria Lopez",
        first_name="Maria",
        company="Lopez & Co",
        timezone="Europe/Madrid",
        attributes={"plan": "Pro"},
    )
    conversation = ConversationFactory(
        mailbox=mailbox, customer=customer, subject="Broken login"
    )
    conversation.escalation_owner = teammate
    conversation.next_update_at = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    conversation.save()

    context = services.build_context(conversation, agent=agent)

    assert context["customer"]["attributes"] == {"plan": "Pro"}
    assert context["conversation"]["escalation_owner"] == "Bob Builder"
    assert context["agent"] == {
        "name": "Alice Agent",
        "first_name": "Alice",
        "email": agent.email,
    }
    assert context["mailbox"]["email"] == "support@acme.test"


def test_rendering_for_a_conversation_uses_the_customers_timezone(mailbox, agent):
    customer = CustomerFactory(first_name="Maria", timezone="Asia/Tokyo")
    conversation = ConversationFactory(mailbox=mailbox, customer=customer)
    conversation.next_update_at = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    conversation.save()
    template = CannedTemplateFactory(
        subject="",
        body="Hi {{ customer.first_name }}, next update "
        "{{ conversation.next_update_at | datetime('time') }} from {{ agent.first_name }}.",
    )

    rendered = services.render_for_conversation(
        template, conversation, ask={}, agent=agent
    )

    assert rendered.body == "Hi Maria, next update 18:00 JST from Alice."
    assert rendered.subject == f"Re: {conversation.subject}"


def test_render_for_send_refuses_while_values_are_missing(mailbox, agent):
    conversation = ConversationFactory(mailbox=mailbox)
    template = CannedTemplateFactory(
        body="Order {{ ask.order_number }} refund {{ ask.refund_amount }}"
    )

    with pytest.raises(MissingValues) as caught:
        services.render_for_send(
            template, conversation, ask={"order_number": "A-1"}, agent=agent
        )

    assert caught.value.missing == ("ask.refund_amount",)
    assert CannedTemplate.objects.get(pk=template.pk).usage_count == 0


def test_render_for_send_counts_a_use_after_commit(
    mailbox, agent, django_capture_on_commit_callbacks
):
    conversation = ConversationFactory(mailbox=mailbox)
    template = CannedTemplateFactory(body="Order {{ ask.order_number }} is on its way")

    with django_capture_on_commit_callbacks(execute=True):
        rendered = services.render_for_send(
            template, conversation, ask={"order_number": "A-1"}, agent=agent
        )

    template.refresh_from_db()
    assert rendered.body == "Order A-1 is on its way"
    assert template.usage_count == 1
    assert template.last_used_at is not None


def test_a_template_scoped_to_another_mailbox_cannot_render(
    mailbox, other_mailbox, agent
):
    conversation = ConversationFactory(mailbox=mailbox)
    template = CannedTemplateFactory(mailboxes=[other_mailbox])

    with pytest.raises(TemplateNotForMailbox):
        services.render_for_conversation(template, conversation, ask={}, agent=agent)


def test_an_agent_sees_unscoped_and_own_mailbox_templates_only(
    mailbox, other_mailbox, agent
):
    shared = CannedTemplateFactory(name="Shared")
    own = CannedTemplateFactory(name="Own", mailboxes=[mailbox])
    CannedTemplateFactory(name="Theirs", mailboxes=[other_mailbox])
    CannedTemplateFactory(name="Retired", is_active=False)

    visible = list(selectors.templates_for(agent))

    assert visible == [own, shared]


def test_search_matches_shortcut_prefix_name_and_body(agent):
    refund = CannedTemplateFactory(name="Refund issued", shortcut="refund")
    CannedTemplateFactory(name="Welcome", shortcut="hello", body="Welcome aboard")

    assert list(selectors.templates_for(agent, search="/ref")) == [refund]
    assert selectors.templates_for(agent, search="aboard").get().shortcut == "hello"


def test_outsider_gets_404_for_a_template_scoped_to_another_mailbox(mailbox, outsider):
    template = CannedTemplateFactory(mailboxes=[mailbox])

    with pytest.raises(Http404):
        selectors.get_template_for(outsider, template.pk)


def test_the_database_refuses_a_malformed_shortcut():
    with pytest.raises(IntegrityError), transaction.atomic():
        CannedTemplateFactory(shortcut="Bad Shortcut")


def test_a_retired_template_cannot_be_sent(mailbox, agent):
    conversation = ConversationFactory(mailbox=mailbox)
    template = CannedTemplateFactory(is_active=False)

    with pytest.raises(TemplateInactive):
        services.render_for_send(template, conversation, ask={}, agent=agent)


def test_picker_suggests_templates_sharing_a_label_first(mailbox, agent):
    outage = LabelFactory(name="outage")
    conversation = ConversationFactory(mailbox=mailbox)
    inbox_services.change_labels(conversation, add=[outage], by=agent)
    CannedTemplateFactory(name="Popular", usage_count=50)
    matching = CannedTemplateFactory(name="Outage apology", usage_count=1)
    matching.labels.set([outage])

    picks = selectors.templates_for_conversation(agent, conversation)

    assert [template.name for template in picks] == ["Outage apology", "Popular"]
    assert picks[0].suggested


def test_ask_values_are_read_from_form_fields():
    data = {"ask__order_number": "A-1", "body": "x", "ask__note": ""}

    assert services.ask_values_from(data) == {"order_number": "A-1", "note": ""}
