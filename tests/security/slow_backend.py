"""The outbox backend, slowed down so a test can kill a worker in the middle of a send."""

from __future__ import annotations

import os
import time
from collections.abc import Sequence

from django.core.mail import EmailMessage

from replypad.outbox import OutboxEmailBackend


class SlowOutboxBackend(OutboxEmailBackend):
    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        time.sleep(float(os.environ.get("SLOW_SEND_SECONDS", "1")))
        return super().send_messages(email_messages)
