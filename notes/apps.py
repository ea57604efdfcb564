from __future__ import annotations

from django.apps import AppConfig


class NotesConfig(AppConfig):
    name = "notes"
    verbose_name = "Notes"

    def ready(self) -> None:
        from inbox.signals import message_added
        from notes.receivers import on_message_added

        message_added.connect(on_message_added, dispatch_uid="notes.on_message_added")
