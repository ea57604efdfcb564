from __future__ import annotations

import time

import pytest
from django.core.management import call_command

from empathy import services
from empathy.errors import EmpathyBlocked
from empathy.models import MailboxLanguage
from empathy.tasks import rescore_sentiment_task
from inbox.models import Conversation, Event, Mailbox, Message
from tests.factories import ConversationFactory, CustomerFactory, MessageFactory
from tests.worker import running_worker

pytestmark = pytest.mark.django_db

CALM_DOWN = "Hi Dana,\n\nPlease calm down. I will fix it by 3 pm.\n\nSam"


@pytest.fixture
def conversation(mailbox):
    customer = CustomerFactory(name="Dana Scully", first_name="Dana")
    conversation = ConversationFactory(mailbox=mailbox, customer=customer)
    MessageFactory(
        conversation=conversation,
        text="Still not working. This is the third time I write to you!",
    )
    return conversation


def test_the_check_uses_the_customer_name_and_their_last_message(conversation):
    findings = services.check_reply_for(
        "Hi there,\n\nI will fix it by 3 pm.", conversation=conversation
    )

    rules = {f.rule for f in findings}
    assert {"greeting-name", "acknowledge", "apology"} <= rules
    greeting = next(f for f in findings if f.rule == "greeting-name")
    assert greeting.suggestion == "Hi Dana,"


def test_the_check_uses_the_mailbox_rules(conversation):
    conversation.mailbox.phrase_rules.create(
        rule="jargon", phrase="tier 2", severity="tip", suggestion="our specialists"
    )

    findings = services.check_reply_for(
        "Hi Dana, I'm sorry, I understand. Tier 2 will call at 3 pm.",
        conversation=conversation,
    )

    assert "jargon" in {f.rule for f in findings}


def test_a_mailbox_in_another_language_uses_its_rules_and_signals(conversation):
    MailboxLanguage.objects.create(mailbox=conversation.mailbox, language="de")
    conversation.mailbox.phrase_rules.create(
        language="de", rule="ruhe", phrase="beruhigen Sie sich", severity="blocker"
    )

    findings = services.check_reply_for(
        "Bitte beruhigen Sie sich. Please calm down.", conversation=conversation
    )

    assert [f.rule for f in findings] == ["ruhe"]


def test_warn_mode_lets_a_blocker_through_and_returns_the_findings(conversation):
    findings = services.enforce_empathy(
        CALM_DOWN, conversation=conversation, override_reason=""
    )

    assert "calm-down" in {f.rule for f in findings}


def test_block_mode_refuses_a_blocker_without_a_reason(conversation):
    Mailbox.objects.filter(pk=conversation.mailbox_id).update(empathy_mode="block")
    conversation.refresh_from_db()

    with pytest.raises(EmpathyBlocked) as error:
        services.enforce_empathy(
            CALM_DOWN, conversation=conversation, override_reason="  "
        )

    assert '"Please calm down"' in error.value.message
    assert error.value.as_dict() == {"body": [error.value.message]}
    assert error.value.status_code == 400


def test_block_mode_sends_a_blocker_when_a_reason_is_given_and_logs_it(
    conversation, agent
):
    Mailbox.objects.filter(pk=conversation.mailbox_id).update(empathy_mode="block")
    conversation.refresh_from_db()
    reason = "Quoting the customer's own words back, on their request."

    findings = services.enforce_empathy(
        CALM_DOWN, conversation=conversation, override_reason=reason, by=agent
    )

    assert "calm-down" in {f.rule for f in findings}
    event = conversation.events.get(kind=Event.Kind.EMPATHY_OVERRIDDEN)
    assert event.actor == agent
    assert event.data == {"rules": ["calm-down"], "reason": reason}


def test_warn_mode_logs_no_override(conversation):
    services.enforce_empathy(CALM_DOWN, conversation=conversation, override_reason="x")

    assert not conversation.events.filter(kind=Event.Kind.EMPATHY_OVERRIDDEN).exists()


def test_block_mode_lets_warnings_and_tips_through(conversation):
    Mailbox.objects.filter(pk=conversation.mailbox_id).update(empathy_mode="block")
    conversation.refresh_from_db()

    findings = services.enforce_empathy(
        "Hi Dana, I'll reply as soon as possible!!", conversation=conversation
    )

    assert {f.severity for f in findings} <= {"warning", "tip"}
    assert findings


def _mangle_sentiment(conversation: Conversation) -> None:
    Message.objects.filter(conversation=conversation).update(
        sentiment=0.9, sentiment_label="positive"
    )
    Conversation.objects.filter(pk=conversation.pk).update(
        sentiment_first=0.9, sentiment_last=0.9
    )


def test_rescoring_updates_messages_and_conversation_first_and_last(conversation):
    MessageFactory(conversation=conversation, text="Thank you so much, that fixed it!")
    _mangle_sentiment(conversation)

    count = services.rescore_sentiment(batch_size=1)

    conversation.refresh_from_db()
    first, last = conversation.messages.order_by("created_at", "id")
    assert count == 2
    assert first.sentiment_label == "negative"
    assert last.sentiment_label == "positive"
    assert conversation.sentiment_first == first.sentiment
    assert conversation.sentiment_last == last.sentiment


def test_rescoring_one_mailbox_leaves_the_others_alone(conversation, other_mailbox):
    elsewhere = ConversationFactory(mailbox=other_mailbox)
    MessageFactory(conversation=elsewhere, text="Still broken, third time I write.")
    _mangle_sentiment(elsewhere)

    count = services.rescore_sentiment(mailbox_id=conversation.mailbox_id)

    elsewhere.refresh_from_db()
    assert count == 1
    assert elsewhere.sentiment_last == 0.9


def test_replies_are_not_rescored(conversation):
    MessageFactory(conversation=conversation, kind=Message.Kind.REPLY, text="Sorry!")

    count = services.rescore_sentiment()

    reply = conversation.messages.get(kind=Message.Kind.REPLY)
    assert count == 1
    assert reply.sentiment is None


def test_the_rescore_task_rescores(conversation):
    _mangle_sentiment(conversation)

    result = rescore_sentiment_task.apply(args=[conversation.mailbox_id])

    conversation.refresh_from_db()
    assert result.get() == 1
    assert conversation.sentiment_last < 0


def test_the_rescore_command_reports_how_many_it_scored(conversation, capsys):
    _mangle_sentiment(conversation)

    call_command("rescore_sentiment", "--mailbox", str(conversation.mailbox_id))

    conversation.refresh_from_db()
    assert "rescored 1" in capsys.readouterr().out
    assert conversation.sentiment_first < 0


def test_the_rescore_command_refuses_an_unknown_mailbox(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No mailbox with id 999999"):
        call_command("rescore_sentiment", "--mailbox", "999999")


@pytest.mark.django_db(transaction=True)
def test_a_celery_worker_runs_the_rescore_task(mailbox):
    conversation = ConversationFactory(mailbox=mailbox)
    MessageFactory(conversation=conversation, text="Still not working, third time!")
    _mangle_sentiment(conversation)

    with running_worker():
        rescore_sentiment_task.delay(mailbox.pk)
        for _ in range(100):
            conversation.refresh_from_db()
            if conversation.sentiment_last < 0:
                break
            time.sleep(0.1)

    assert conversation.sentiment_last < 0
