"""Following a conversation: by choice, or added by a teammate."""

from __future__ import annotations

from typing import Any

from inbox.errors import NotAMember
from inbox.models import Conversation
from inbox.roles import is_lead
from inbox.selectors import ensure_member, is_member
from notes.errors import NotAllowedToUnfollow
from notes.models import Follower


def follow(conversation: Conversation, *, user: Any, by: Any) -> Follower:
    """Make `user` a follower; idempotent. Both must be members of the mailbox."""
    ensure_member(by, conversation.mailbox_id)
    if not is_member(user, conversation.mailbox_id):
        raise NotAMember(
            f"{user.get_full_name() or user.username} is not a member of "
            f"{conversation.mailbox.name}, so cannot follow this conversation",
            field="user",
        )
    reason = Follower.Reason.MANUAL if user.pk == by.pk else Follower.Reason.ADDED
    follower, _ = Follower.objects.add(conversation, user, reason=reason, by=by)
    return follower


def unfollow(conversation: Conversation, *, user: Any, by: Any) -> bool:
    """Stop following; anyone may unfollow themselves, a team lead anyone.

    Returns False when `user` was not following.
    """
    ensure_member(by, conversation.mailbox_id)
    if user.pk != by.pk and not is_lead(by):
        raise NotAllowedToUnfollow("Only a team lead can remove another follower")
    return Follower.objects.remove(conversation, user)
