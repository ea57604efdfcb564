"""Races decided by PostgreSQL row locks: each thread has its own connection."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from inbox.models import Message
from replypad.errors import ReplypadError
from review import services
from review.models import Draft
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)
State = Draft.State


def _at_once(*calls):
    """Run the calls in threads released together; returns results or errors."""
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(index, call):
        barrier.wait()
        try:
            outcomes[index] = call()
        except ReplypadError as error:
            outcomes[index] = error
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_two_leads_approving_at_once_send_exactly_one_email(
    make_draft, mailbox, lead, esp
):
    second_lead = UserFactory(username="lars", role="lead", mailboxes=[mailbox])
    draft = make_draft(State.IN_REVIEW)

    outcomes = _at_once(
        lambda: services.approve_draft(draft, by=lead),
        lambda: services.approve_draft(draft, by=second_lead),
    )

    assert sorted(type(o).__name__ for o in outcomes) == ["Draft", "IllegalTransition"]
    assert Message.objects.filter(kind=Message.Kind.REPLY).count() == 1
    assert len(esp) == 1


def test_two_sends_of_an_approved_draft_at_once_send_exactly_one_email(
    make_draft, agent, lead, esp
):
    draft = make_draft(State.APPROVED)

    outcomes = _at_once(
        lambda: services.send_draft(draft, by=agent),
        lambda: services.send_draft(draft, by=lead),
    )

    assert sorted(type(o).__name__ for o in outcomes) == ["Draft", "IllegalTransition"]
    assert len(esp) == 1


def test_a_send_racing_an_edit_never_sends_unapproved_text(
    make_draft, agent, lead, esp
):
    draft = make_draft(State.APPROVED)

    _at_once(
        lambda: services.send_draft(draft, by=agent),
        lambda: services.save_draft(draft, by=lead, body="Edited text", version=1),
    )

    draft.refresh_from_db()
    sent = list(Message.objects.filter(kind=Message.Kind.REPLY))
    assert [m.visible_text for m in sent] in ([], [draft.revisions.first().body])
    assert len(esp) == len(sent)
