from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from inbox.models import Event, Mailbox, Membership, Message
from inbox.outbound import cancel_reply, send_reply
from inbox.services import change_labels
from notes.models import Notification
from replypad.errors import ConflictError, ReplypadError
from review import selectors, services
from review.errors import (
    DraftHeld,
    DraftLocked,
    DraftNotEditable,
    DraftTooLong,
    IllegalTransition,
    InvalidAnchor,
    NotAReviewer,
    ReviewRequired,
    SelfApproval,
    StaleDraft,
)
from review.models import Draft, DraftApproval, ReviewRules
from tests.factories import LabelFactory, MessageFactory
from tests.review.conftest import BODY

pytestmark = pytest.mark.django_db
State = Draft.State

# Which actions each state allows; everything else is an IllegalTransition.
LEGAL = {
    State.EDITING: {"submit", "cancel", "send"},
    State.IN_REVIEW: {"approve", "request_changes", "withdraw", "cancel"},
    State.CHANGES_REQUESTED: {"submit", "withdraw", "cancel"},
    State.APPROVED: {"send", "cancel"},
    State.SENT: set(),
    State.CANCELLED: set(),
}
RESULT = {
    "submit": State.IN_REVIEW,
    "approve": State.APPROVED,
    "request_changes": State.CHANGES_REQUESTED,
    "withdraw": State.EDITING,
    "cancel": State.CANCELLED,
    "send": State.SENT,
}


def _act(action, draft, agent, lead):
    if action == "submit":
        return services.submit_for_review(draft, by=agent)
    if action == "approve":
        return services.approve_draft(draft, by=lead, send=False)
    if action == "request_changes":
        return services.request_changes(draft, by=lead, comment="Please soften it")
    if action == "withdraw":
        return services.withdraw_draft(draft, by=agent)
    if action == "cancel":
        return services.cancel_draft(draft, by=agent)
    return services.send_draft(draft, by=agent)


CASES = [(state, action) for state in LEGAL for action in RESULT]


@pytest.mark.parametrize(
    ("state", "action"),
    [c for c in CASES if c[1] in LEGAL[c[0]]],
    ids=[f"{s}-{a}" for s, a in CASES if a in LEGAL[s]],
)
def test_every_legal_transition_moves_the_draft(
    make_draft, agent, lead, esp, state, action
):
    draft = make_draft(state)

    draft = _act(action, draft, agent, lead)

    assert Draft.objects.get(pk=draft.pk).state == RESULT[action]


@pytest.mark.parametrize(
    ("state", "action"),
    [c for c in CASES if c[1] not in LEGAL[c[0]]],
    ids=[f"{s}-{a}" for s, a in CASES if a not in LEGAL[s]],
)
def test_every_illegal_transition_is_a_conflict(
    make_draft, agent, lead, esp, state, action
):
    draft = make_draft(state)
    before = len(esp)

    with pytest.raises(IllegalTransition):
        _act(action, draft, agent, lead)

    assert Draft.objects.get(pk=draft.pk).state == state
    assert len(esp) == before


def test_an_author_cannot_approve_their_own_draft(make_draft, agent):
    draft = make_draft(State.IN_REVIEW)

    with pytest.raises(SelfApproval) as refused:
        services.approve_draft(draft, by=agent)

    assert refused.value.status_code == 403


def test_a_lead_cannot_approve_their_own_draft_either(make_draft, lead):
    draft = make_draft(State.IN_REVIEW, by=lead)

    with pytest.raises(SelfApproval):
        services.approve_draft(draft, by=lead)


def test_an_agent_who_was_not_asked_cannot_approve(make_draft, teammate):
    draft = make_draft(State.IN_REVIEW)

    with pytest.raises(NotAReviewer):
        services.approve_draft(draft, by=teammate)


def test_a_colleague_asked_by_name_may_approve(
    conversation, agent, teammate, esp, django_capture_on_commit_callbacks
):
    draft = services.create_draft(conversation, by=agent, body=BODY)
    services.submit_for_review(draft, by=agent, reviewer=teammate)

    with django_capture_on_commit_callbacks(execute=True):
        draft = services.approve_draft(draft, by=teammate)

    assert draft.state == State.SENT
    assert len(esp) == 1


def test_approving_records_who_which_version_and_notifies_the_author(
    make_draft, agent, lead
):
    draft = make_draft(State.IN_REVIEW)

    services.approve_draft(draft, by=lead, comment="Good one", send=False)

    approval = DraftApproval.objects.get(draft=draft)
    assert (approval.by, approval.version, approval.body) == (lead, 1, BODY)
    notification = Notification.objects.get(recipient=agent, verb="draft_approved")
    assert notification.summary == "Lena Lead approved your draft"


def test_submitting_notifies_the_leads_of_the_mailbox(make_draft, lead, teammate):
    make_draft(State.IN_REVIEW)

    assert list(
        Notification.objects.filter(verb="review_requested").values_list(
            "recipient__username", flat=True
        )
    ) == ["lena"]


def test_approve_and_send_queues_one_reply_with_the_approval_on_the_timeline(
    make_draft, agent, lead, esp, django_capture_on_commit_callbacks
):
    draft = make_draft(State.IN_REVIEW)

    with django_capture_on_commit_callbacks(execute=True):
        draft = services.approve_draft(draft, by=lead)

    message = Message.objects.get(kind=Message.Kind.REPLY)
    assert draft.message == message
    assert message.author == agent
    assert message.visible_text == BODY
    sent = Event.objects.get(kind="draft_sent")
    assert sent.data["message"] == message.pk
    assert sent.data["approved_by"] == "Lena Lead"
    assert sent.data["approved_version"] == 1
    assert len(esp) == 1


def test_request_changes_needs_a_comment_and_notifies_the_author(
    make_draft, agent, lead
):
    draft = make_draft(State.IN_REVIEW)

    with pytest.raises(Exception, match="Say what should change"):
        services.request_changes(draft, by=lead, comment="  ")
    services.request_changes(draft, by=lead, comment="Name the courier")

    assert Notification.objects.filter(recipient=agent, verb="changes_requested")
    assert draft.comments.get().body == "Name the courier"


def test_editing_an_approved_draft_voids_the_approval(make_draft, lead):
    draft = make_draft(State.APPROVED)

    draft = services.save_draft(draft, by=lead, body=BODY + " Sorry!", version=1)

    assert draft.state == State.IN_REVIEW
    assert DraftApproval.objects.get().voided_at is not None


def test_a_stale_save_is_a_conflict_with_the_current_text(make_draft, agent, lead):
    draft = make_draft()
    services.save_draft(draft, by=agent, body="Version two", version=1)
    services.take_over_lock(draft, by=lead)
    services.save_draft(draft, by=lead, body="Version three", version=2)

    with pytest.raises(StaleDraft) as stale:
        services.save_draft(draft, by=lead, body="My late edit", version=2)

    assert stale.value.status_code == 409
    assert stale.value.as_dict()["current"] == {
        "version": 3,
        "body": "Version three",
        "by": "Lena Lead",
    }


def test_someone_else_cannot_save_while_the_author_holds_the_lock(make_draft, lead):
    draft = make_draft()

    with pytest.raises(DraftLocked, match="Alice Agent is editing"):
        services.save_draft(draft, by=lead, body="Mine now", version=1)


def test_taking_over_the_lock_lets_the_other_editor_save(make_draft, agent, lead):
    draft = make_draft()

    services.take_over_lock(draft, by=lead)
    services.save_draft(draft, by=lead, body="Lead's words", version=1)

    with pytest.raises(DraftLocked, match="Lena Lead is editing"):
        services.save_draft(draft, by=agent, body="Back to me", version=2)


def test_an_expired_lock_does_not_stop_an_edit(make_draft, lead):
    draft = make_draft()

    with time_machine.travel(timezone.now() + timedelta(minutes=5)):
        draft = services.save_draft(draft, by=lead, body="Picked up", version=1)

    assert draft.lock_holder == lead


@pytest.mark.parametrize("size", [100_001, 1_000_000], ids=["just-over", "one-mb"])
def test_an_oversized_body_is_refused_with_the_limit(conversation, agent, size):
    with pytest.raises(DraftTooLong, match="at most 100,000 characters") as refused:
        services.create_draft(conversation, by=agent, body="x" * size)

    assert refused.value.status_code == 400
    assert not Draft.objects.exists()


def test_a_sent_draft_cannot_be_edited(make_draft, agent, esp):
    draft = make_draft(State.SENT)

    with pytest.raises(DraftNotEditable):
        services.save_draft(draft, by=agent, body="Changed", version=1)


def test_every_save_keeps_a_revision_and_the_diff_names_the_editor(
    make_draft, agent, lead
):
    draft = make_draft(body="Your order ships today.")
    services.save_draft(draft, by=agent, body="Your order ships tomorrow.", version=1)
    services.take_over_lock(draft, by=lead)
    services.save_draft(
        draft, by=lead, body="Sorry, your order ships tomorrow.", version=2
    )

    diff = selectors.revision_diff(draft, old=1, new=3)

    assert [r.version for r in selectors.revisions_of(draft)] == [1, 2, 3]
    assert diff.editors == ["Alice Agent", "Lena Lead"]
    assert [(p.op, p.text) for p in diff.parts if p.op != "equal"] == [
        ("delete", "Your"),
        ("insert", "Sorry, your"),
        ("delete", "today."),
        ("insert", "tomorrow."),
    ]


def test_a_comment_keeps_its_passage_and_is_outdated_after_an_edit(
    make_draft, agent, lead
):
    draft = make_draft(State.IN_REVIEW, body="Sorry. It ships today, promise.")
    comment = services.add_comment(
        draft, by=lead, body="Which courier?", start=7, end=22
    )
    services.save_draft(draft, by=agent, body="Sorry.", version=1)

    draft.refresh_from_db()
    [kept] = selectors.comments_of(draft)

    assert comment.quote == "It ships today,"
    assert kept.pk == comment.pk
    assert kept.outdated is True


@pytest.mark.parametrize(
    ("start", "end"),
    [(0, 10_000), (5, 5), (-1, 3), (3, None)],
    ids=["past-the-end", "empty", "negative", "half"],
)
def test_a_comment_anchored_outside_the_text_is_refused(make_draft, lead, start, end):
    draft = make_draft(State.IN_REVIEW, body="Short text.")

    with pytest.raises(InvalidAnchor):
        services.add_comment(draft, by=lead, body="Hm", start=start, end=end)


def test_comments_thread_and_resolve(make_draft, agent, lead):
    draft = make_draft(State.IN_REVIEW)
    top = services.add_comment(draft, by=lead, body="Too long", start=0, end=5)
    services.add_comment(draft, by=agent, body="Shortened", parent_id=top.pk)

    services.resolve_comment(top, by=agent)
    [thread] = selectors.comments_of(draft)

    assert [reply.body for reply in thread.thread] == ["Shortened"]
    assert thread.resolved_at is not None


def test_a_send_is_held_when_the_customer_wrote_after_the_approval(
    make_draft, conversation, agent, lead, esp
):
    draft = make_draft(State.APPROVED)
    MessageFactory(conversation=conversation, text="Actually, cancel the order.")

    with pytest.raises(DraftHeld):
        services.send_draft(draft, by=agent)

    draft.refresh_from_db()
    assert draft.state == State.IN_REVIEW
    assert draft.reviewer == lead
    assert Notification.objects.filter(recipient=lead, verb="draft_held").exists()
    assert esp == []


def test_undo_send_puts_the_reply_back_into_its_draft(
    make_draft, agent, settings, esp, django_capture_on_commit_callbacks
):
    settings.REPLYPAD_UNDO_SECONDS = 60
    draft = make_draft(State.SENT)

    with django_capture_on_commit_callbacks(execute=True):
        cancel_reply(Message.objects.get(kind=Message.Kind.REPLY), by=agent)

    draft.refresh_from_db()
    assert draft.state == State.EDITING
    assert draft.message is None
    assert draft.body == BODY
    assert esp == []


def test_an_outsider_cannot_act_on_a_draft(make_draft, outsider):
    draft = make_draft(State.IN_REVIEW)

    with pytest.raises(ReplypadError) as refused:
        services.approve_draft(draft, by=outsider)

    assert refused.value.status_code == 403


# --- Policy --------------------------------------------------------------------


def test_an_agent_marked_needs_review_cannot_send_a_plain_reply(
    conversation, mailbox, agent, esp
):
    mailbox.review_policy = Mailbox.ReviewPolicy.NEW_AGENTS
    mailbox.save()
    Membership.objects.filter(user=agent).update(needs_review=True)

    with pytest.raises(ReviewRequired, match="your replies in this mailbox"):
        send_reply(conversation, body="Hello", by=agent)

    assert not Message.objects.filter(kind=Message.Kind.REPLY).exists()


def test_under_new_agents_other_members_send_freely(
    conversation, mailbox, teammate, esp
):
    mailbox.review_policy = Mailbox.ReviewPolicy.NEW_AGENTS
    mailbox.save()

    send_reply(conversation, body="Hello", by=teammate)

    assert Message.objects.filter(kind=Message.Kind.REPLY).count() == 1


def test_an_approved_draft_goes_out_under_the_everyone_policy(
    make_draft, mailbox, lead, esp
):
    mailbox.review_policy = Mailbox.ReviewPolicy.EVERYONE
    mailbox.save()
    draft = make_draft(State.IN_REVIEW)

    services.approve_draft(draft, by=lead)

    assert Draft.objects.get(pk=draft.pk).state == State.SENT
    assert Message.objects.filter(kind=Message.Kind.REPLY).count() == 1


def test_an_approved_draft_id_with_another_body_is_refused(
    make_draft, conversation, mailbox, agent
):
    mailbox.review_policy = Mailbox.ReviewPolicy.EVERYONE
    mailbox.save()
    draft = make_draft(State.APPROVED)

    with pytest.raises(ReviewRequired):
        send_reply(conversation, body="Something else", by=agent, draft_id=draft.pk)


def test_an_unreviewed_draft_cannot_be_sent_when_review_is_needed(
    make_draft, mailbox, agent, esp
):
    mailbox.review_policy = Mailbox.ReviewPolicy.EVERYONE
    mailbox.save()
    draft = make_draft()

    with pytest.raises(ReviewRequired):
        services.send_draft(draft, by=agent)

    assert Draft.objects.get(pk=draft.pk).state == State.EDITING


@pytest.mark.parametrize(
    ("rules", "body", "reason"),
    [
        ({"sentiment_below": 0.5}, "Hello there", "mood is low"),
        ({"labels": ["Legal"]}, "Hello there", "labelled legal"),
        ({"empathy_blockers": True}, "Calm down, as I said before.", "blocker"),
    ],
    ids=["sentiment", "label", "empathy-blocker"],
)
def test_rule_based_review_holds_matching_replies(
    conversation, mailbox, agent, esp, rules, body, reason
):
    mailbox.review_policy = Mailbox.ReviewPolicy.RULES
    mailbox.save()
    ReviewRules.objects.create(mailbox=mailbox, **{"empathy_blockers": False, **rules})
    conversation.sentiment_last = -0.6
    conversation.save()
    change_labels(conversation, add=[LabelFactory(name="legal")], by=None)

    with pytest.raises(ReviewRequired, match=reason):
        send_reply(conversation, body=body, by=agent)


def test_rule_based_review_lets_other_replies_through(
    conversation, mailbox, agent, esp
):
    mailbox.review_policy = Mailbox.ReviewPolicy.RULES
    mailbox.save()
    ReviewRules.objects.create(mailbox=mailbox, sentiment_below=-0.9, labels=["legal"])

    send_reply(conversation, body="I am sorry for the wait, Dana.", by=agent)

    assert Message.objects.filter(kind=Message.Kind.REPLY).count() == 1


# --- Queue ---------------------------------------------------------------------


def test_the_review_queue_lists_waiting_drafts_oldest_first(
    conversation, agent, teammate, lead, django_assert_max_num_queries
):
    first = services.create_draft(conversation, by=agent, body="One")
    with time_machine.travel(timezone.now() - timedelta(hours=2)):
        services.submit_for_review(first, by=agent)
    second = services.create_draft(conversation, by=teammate, body="Calm down.")
    services.submit_for_review(second, by=teammate)

    with django_assert_max_num_queries(4):
        page = selectors.review_queue(lead)

    assert [d.pk for d in page.rows] == [first.pk, second.pk]
    assert page.rows[0].waiting >= timedelta(hours=2)
    assert page.rows[1].findings_count >= 1
    assert page.rows[0].conversation.sentiment_last is not None


def test_the_queue_pages_with_a_keyset_cursor(conversation, agent, teammate, lead):
    for author in (agent, teammate):
        services.submit_for_review(
            services.create_draft(conversation, by=author, body="x"), by=author
        )

    first = selectors.review_queue(lead, page_size=1)
    second = selectors.review_queue(lead, page_size=1, after=first.next_cursor)

    assert first.rows[0].pk != second.rows[0].pk
    assert second.next_cursor is None


def test_an_agent_sees_only_drafts_they_were_asked_to_review(
    conversation, agent, teammate, lead
):
    asked = services.create_draft(conversation, by=agent, body="x")
    services.submit_for_review(asked, by=agent, reviewer=teammate)
    services.submit_for_review(
        services.create_draft(conversation, by=lead, body="y"), by=lead
    )

    assert [d.pk for d in selectors.review_queue(teammate).rows] == [asked.pk]
    assert selectors.review_queue(agent).rows == []


def test_an_outsider_has_an_empty_queue(make_draft, outsider):
    make_draft(State.IN_REVIEW)

    assert selectors.review_queue(outsider).rows == []


def test_a_second_open_draft_by_the_same_author_is_a_conflict(
    make_draft, conversation, agent
):
    make_draft()

    with pytest.raises(ConflictError, match="already have an open draft"):
        services.create_draft(conversation, by=agent, body="Another")
