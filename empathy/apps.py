from __future__ import annotations

from django.apps import AppConfig


class EmpathyConfig(AppConfig):
    name = "empathy"
    verbose_name = "Empathy"

    def ready(self) -> None:
        from empathy.services import check_outgoing_reply
        from inbox.outbound import steps

        # Every reply is checked; a `block` mailbox refuses blocker phrases.
        steps.register(check_outgoing_reply, stage=steps.CHECK)
