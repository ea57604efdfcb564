from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from inbox.errors import NotAMember
from notes import selectors, services
from notes.errors import BadAttachment, EmptyNote, NotTheAuthor
from notes.models import Follower, NoteMention, Notification
from tests.factories import ConversationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def conversation(mailbox):
    return ConversationFactory(mailbox=mailbox, subject="Refund for order 1234")


def test_a_note_is_stored_with_its_rendered_markdown(conversation, agent):
    result = services.add_note(conversation, body="Customer is **upset**", by=agent)

    note = result.note
    assert note.author == agent
    assert note.body == "Customer is **upset**"
    assert "<strong>upset</strong>" in note.body_html
    assert selectors.notes_for(conversation) == [note]


@pytest.mark.parametrize("body", ["", "   \n  "], ids=["empty", "whitespace"])
def test_an_empty_note_is_refused_naming_the_body(conversation, agent, body):
    with pytest.raises(EmptyNote) as error:
        services.add_note(conversation, body=body, by=agent)

    assert error.value.field == "body"


def test_an_outsider_cannot_write_a_note(conversation, outsider):
    with pytest.raises(NotAMember):
        services.add_note(conversation, body="hello", by=outsider)


def test_mentioning_a_teammate_notifies_them_and_makes_them_a_follower(
    conversation, agent, teammate
):
    result = services.add_note(conversation, body="@bob can you check?", by=agent)

    assert result.not_notified == []
    assert Follower.objects.filter(conversation=conversation, user=teammate).exists()
    notification = Notification.objects.get(recipient=teammate)
    assert notification.verb == Notification.Verb.MENTION
    assert notification.note == result.note
    assert notification.summary == "Alice Agent mentioned you in a note"


def test_mentioning_someone_without_access_does_not_notify_and_says_so(
    conversation, agent, outsider
):
    result = services.add_note(conversation, body="@oscar knows billing", by=agent)

    assert [problem.username for problem in result.not_notified] == ["oscar"]
    assert result.warnings == [
        "Oscar Outsider (@oscar) cannot see the Acme Support mailbox, "
        "so was not notified."
    ]
    assert not Notification.objects.filter(recipient=outsider).exists()
    assert not Follower.objects.filter(user=outsider).exists()
    assert NoteMention.objects.get(user=outsider).notified is False
    assert "mention-no-access" in result.note.body_html


def test_the_author_follows_and_other_followers_hear_of_the_note(
    conversation, agent, teammate, lead
):
    Follower.objects.add(conversation, lead)

    services.add_note(conversation, body="@bob see this", by=agent)

    assert selectors.is_following(conversation, agent)
    assert Notification.objects.get(recipient=lead).verb == "note_added"
    assert Notification.objects.get(recipient=teammate).verb == "mention"
    assert not Notification.objects.filter(recipient=agent).exists()


def test_editing_keeps_the_old_text_and_notifies_new_mentions_only(
    conversation, agent, teammate, lead
):
    note = services.add_note(conversation, body="@bob first", by=agent).note

    services.edit_note(note, body="@bob @lena second", by=agent)

    note.refresh_from_db()
    assert note.body == "@bob @lena second"
    assert note.is_edited
    assert [r.body for r in selectors.revisions_for(note)] == ["@bob first"]
    assert Notification.objects.filter(recipient=teammate, verb="mention").count() == 1
    assert Notification.objects.filter(recipient=lead, verb="mention").count() == 1


def test_only_the_author_may_edit_a_note(conversation, agent, teammate):
    note = services.add_note(conversation, body="mine", by=agent).note

    with pytest.raises(NotTheAuthor):
        services.edit_note(note, body="yours now", by=teammate)


def test_pinning_and_unpinning_a_note(conversation, agent, teammate):
    note = services.add_note(
        conversation, body="Refund approved by finance", by=agent
    ).note

    services.pin_note(note, by=teammate)
    pinned = selectors.pinned_notes_for(conversation)
    services.unpin_note(note, by=teammate)

    assert pinned == [note]
    assert selectors.pinned_notes_for(conversation) == []


def test_attachments_are_stored_with_size_and_checksum(conversation, agent):
    upload = SimpleUploadedFile("../../etc/log.txt", b"stack trace", "text/plain")

    note = services.add_note(
        conversation, body="log attached", by=agent, attachments=[upload]
    ).note

    attachment = note.attachments.get()
    assert attachment.filename == "log.txt"
    assert attachment.size == 11
    assert len(attachment.sha256) == 64
    assert attachment.file.read() == b"stack trace"


def test_an_oversized_attachment_is_refused(conversation, agent, settings):
    settings.REPLYPAD_NOTE_ATTACHMENT_MAX_BYTES = 10
    upload = SimpleUploadedFile("big.bin", b"x" * 11, "application/octet-stream")

    with pytest.raises(BadAttachment):
        services.add_note(conversation, body="big", by=agent, attachments=[upload])


def test_notes_for_uses_three_queries_whatever_the_number_of_notes(
    conversation, agent, teammate, django_assert_num_queries
):
    for number in range(5):
        services.add_note(conversation, body=f"note {number} @bob", by=agent)

    with django_assert_num_queries(3):
        notes = selectors.notes_for(conversation)
        [(n.author, list(n.mentions.all()), list(n.attachments.all())) for n in notes]
