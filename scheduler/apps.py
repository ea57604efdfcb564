from __future__ import annotations

from django.apps import AppConfig


class SchedulerConfig(AppConfig):
    name = "scheduler"
    verbose_name = "Scheduler"

    def ready(self) -> None:
        from inbox import hooks
        from inbox.models import Conversation, Message
        from scheduler import tasks

        # Resolving a conversation cancels the updates still promised on it.
        hooks.subscribe(
            hooks.STATUS_CHANGED,
            tasks.cancel_on_resolve_task,
            when=lambda payload: payload["new"] == Conversation.Status.RESOLVED,
        )
        # A human reply that goes out first pushes promised updates back.
        hooks.subscribe(
            hooks.MESSAGE_ADDED,
            tasks.push_back_after_reply_task,
            when=lambda payload: payload["kind"] == Message.Kind.REPLY,
        )
