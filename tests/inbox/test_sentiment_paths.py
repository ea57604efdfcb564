from __future__ import annotations

import pytest

from empathy.services import rescore_sentiment
from inbox import services
from inbox.ingest import ingest_raw_email
from inbox.models import Message, RawEmail
from inbox.sentiment import score_customer_message
from tests.factories import ConversationFactory
from tests.inbox.eml import build_email

pytestmark = pytest.mark.django_db

# Longer than one chunk, with a greeting, a sign-off and quoted praise, so
# every step of choosing the scored text matters.
BODY = (
    "Hi team,\n\n"
    + "The export is still not working and I have lost a day of work. " * 8
    + "Please call me back today.\n\nThanks,\nDana\n\n"
    "On Mon, 3 Mar 2025 at 10:00, Support <support@acme.test> wrote:\n"
    "> Great news, it's fixed! We are so happy to help!\n"
)


def test_ingest_append_message_and_rescore_store_the_same_score(mailbox):
    result = ingest_raw_email(build_email(body=BODY), source=RawEmail.Source.WEBHOOK)
    ingested = Message.objects.get(pk=result.message_id)
    appended = services.append_message(
        ConversationFactory(mailbox=mailbox),
        kind=Message.Kind.INBOUND,
        from_email="dana@customer.test",
        text=ingested.text,
        visible_text=ingested.visible_text,
    )
    stored = {(m.sentiment, m.sentiment_label) for m in Message.objects.all()}

    rescore_sentiment()

    rescored = {(m.sentiment, m.sentiment_label) for m in Message.objects.all()}
    expected = score_customer_message(BODY)
    assert stored == rescored == {(expected.score, expected.label)}
    assert appended.sentiment_label == "negative"
