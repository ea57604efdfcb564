from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from inbox.models import Message
from inbox.outbound import send_reply
from templates_app import services
from templates_app.errors import PromisedTimeInPast
from tests.factories import CannedTemplateFactory, ConversationFactory

pytestmark = pytest.mark.django_db

FIELD = "conversation.milestone_due_at"
MESSAGE = (
    "The milestone time is in the past; the customer would be promised a time "
    "that has gone."
)
PROMISE = (
    "We will finish {{ conversation.milestone }} by "
    "{{ conversation.milestone_due_at | datetime }}."
)


def _conversation(mailbox, *, due_in):
    due = None if due_in is None else timezone.now() + due_in
    return ConversationFactory(
        mailbox=mailbox, milestone="the replacement", milestone_due_at=due
    )


def test_a_past_milestone_time_in_the_template_is_a_warning(mailbox, agent):
    conversation = _conversation(mailbox, due_in=-timedelta(hours=1))
    template = CannedTemplateFactory(body=PROMISE)

    rendered = services.render_for_conversation(
        template, conversation, ask={}, agent=agent
    )

    assert [w.as_dict() for w in rendered.warnings] == [
        {"field": FIELD, "message": MESSAGE}
    ]


def test_a_past_milestone_time_in_the_subject_is_a_warning_too(mailbox, agent):
    conversation = _conversation(mailbox, due_in=-timedelta(minutes=1))
    template = CannedTemplateFactory(
        subject="Update by {{ conversation.milestone_due_at | datetime }}",
        body="Hello.",
    )

    rendered = services.render_for_conversation(
        template, conversation, ask={}, agent=agent
    )

    assert [w.field for w in rendered.warnings] == [FIELD]


@pytest.mark.parametrize(
    ("body", "due_in"),
    [
        (PROMISE, timedelta(days=1)),
        ('By {{ conversation.milestone_due_at | datetime | default("soon") }}.', None),
        ("We are on {{ conversation.milestone }}.", -timedelta(days=1)),
    ],
    ids=["future-time", "no-time-with-fallback", "template-without-the-time"],
)
def test_other_templates_and_times_render_and_send_without_a_warning(
    mailbox, agent, body, due_in
):
    conversation = _conversation(mailbox, due_in=due_in)
    template = CannedTemplateFactory(body=body)

    rendered = services.render_for_send(template, conversation, ask={}, agent=agent)

    assert rendered.warnings == ()


def test_render_for_send_refuses_a_past_milestone_time_naming_the_field(mailbox, agent):
    conversation = _conversation(mailbox, due_in=-timedelta(hours=1))
    template = CannedTemplateFactory(body=PROMISE)

    with pytest.raises(PromisedTimeInPast) as caught:
        services.render_for_send(template, conversation, ask={}, agent=agent)

    assert caught.value.as_dict() == {FIELD: [MESSAGE]}
    assert caught.value.status_code == 400


def test_a_reply_promising_a_past_milestone_time_is_never_stored(mailbox, agent):
    conversation = _conversation(mailbox, due_in=-timedelta(hours=1))
    template = CannedTemplateFactory(body=PROMISE)

    with pytest.raises(PromisedTimeInPast):
        send_reply(conversation, body="", by=agent, template_id=template.pk)

    assert not Message.objects.filter(kind=Message.Kind.REPLY).exists()


def test_the_render_api_lists_the_warning(api_client, mailbox, agent):
    conversation = _conversation(mailbox, due_in=-timedelta(hours=1))
    template = CannedTemplateFactory(body=PROMISE)
    api_client.force_authenticate(agent)

    response = api_client.post(
        f"/api/v1/templates/{template.pk}/render/",
        {"conversation": conversation.pk},
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["warnings"] == [{"field": FIELD, "message": MESSAGE}]


def test_the_reply_api_refuses_a_past_milestone_time_with_400_under_the_field(
    api_client, mailbox, agent
):
    conversation = _conversation(mailbox, due_in=-timedelta(hours=1))
    template = CannedTemplateFactory(body=PROMISE)
    api_client.force_authenticate(agent)

    response = api_client.post(
        f"/api/v1/conversations/{conversation.pk}/replies/",
        {"body": "", "template": template.pk},
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {FIELD: [MESSAGE]}
    assert not Message.objects.filter(kind=Message.Kind.REPLY).exists()
