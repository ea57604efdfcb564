from __future__ import annotations

from django.apps import AppConfig


class NotesConfig(AppConfig):
    name = "notes"
    verbose_name = "Notes"

    def ready(self) -> None:
        from inbox import hooks, selectors
        from inbox.models import Message
        from notes import tasks
        from notes.api import NoteSerializer
        from notes.selectors import notes_for

        # Followers hear of customer mail, assignments and status changes, on a
        # worker after the inbox change commits.
        hooks.subscribe(
            hooks.MESSAGE_ADDED,
            tasks.notify_new_message_task,
            when=lambda payload: payload["kind"] == Message.Kind.INBOUND,
        )
        hooks.subscribe(hooks.CONVERSATION_ASSIGNED, tasks.conversation_assigned_task)
        hooks.subscribe(hooks.STATUS_CHANGED, tasks.status_changed_task)
        # Internal notes interleave with messages and events on the timeline.
        selectors.register_timeline_source(
            selectors.TimelineSource(
                kind="note",
                items=notes_for,
                as_dict=lambda note: NoteSerializer(note).data,
            )
        )
