from __future__ import annotations

from django.apps import AppConfig


class ReviewConfig(AppConfig):
    name = "review"
    verbose_name = "Drafts and review"

    def ready(self) -> None:
        from inbox import hooks
        from inbox.outbound import steps
        from review import tasks
        from review.policy import enforce_review_policy

        # A reply the mailbox's review policy holds back leaves only from an
        # approved draft, whichever way it is sent (page, API, old form).
        steps.register(enforce_review_policy, stage=steps.CHECK)
        # Undo-send of a draft's reply puts the text back into the draft.
        hooks.subscribe(hooks.REPLY_CANCELLED, tasks.reply_cancelled_task)
