"""The gate in front of Anymail's inbound and tracking webhooks (`/anymail/...`).

Anymail accepts any post when `ANYMAIL_WEBHOOK_SECRET` is unset (it only
warns), checks an ESP signature without looking at its age, and answers 400 to
a bad one. This middleware refuses every webhook until the secret is set,
refuses signed posts older than `REPLYPAD_WEBHOOK_MAX_AGE_SECONDS` and any
signature seen before (kept in the cache for twice that long), and turns
Anymail's validation failures into 403.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable

from anymail.exceptions import AnymailWebhookValidationFailure
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden

PREFIX = "/anymail/"
# Where ESPs put the signing time and signature: Mailgun form and JSON posts,
# SendGrid's signed event webhook, and Svix-style headers (Resend and others).
_SIGNATURE_HEADERS = (
    (
        "X-Twilio-Email-Event-Webhook-Timestamp",
        "X-Twilio-Email-Event-Webhook-Signature",
    ),
    ("Svix-Timestamp", "Svix-Signature"),
    ("Webhook-Timestamp", "Webhook-Signature"),
)


def _signature_of(request: HttpRequest) -> tuple[str, str]:
    """(timestamp, signature) the ESP signed this post with, or ("", "") if unsigned."""
    for timestamp_header, signature_header in _SIGNATURE_HEADERS:
        if request.headers.get(signature_header):
            return (
                request.headers.get(timestamp_header, ""),
                request.headers[signature_header],
            )
    if request.content_type == "application/json":
        try:
            signed = json.loads(request.body).get("signature")
        except (ValueError, AttributeError):
            signed = None
        if isinstance(signed, dict):
            return str(signed.get("timestamp", "")), str(signed.get("signature", ""))
        return "", ""
    return request.POST.get("timestamp", ""), request.POST.get("signature", "")


def _seen_key(signature: str) -> str:
    return "webhook-signature:" + hashlib.sha256(signature.encode()).hexdigest()


class WebhookGuardMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(PREFIX) or request.method != "POST":
            return self.get_response(request)
        if not settings.ANYMAIL.get("WEBHOOK_SECRET"):
            return HttpResponseForbidden(
                "Webhooks are off until ANYMAIL_WEBHOOK_SECRET is set."
            )
        timestamp, signature = _signature_of(request)
        if not signature:
            return self.get_response(request)
        max_age = settings.REPLYPAD_WEBHOOK_MAX_AGE_SECONDS
        try:
            age = time.time() - float(timestamp)
        except ValueError:
            return HttpResponseForbidden("Signed webhook without a timestamp.")
        if abs(age) > max_age:
            return HttpResponseForbidden("Signed webhook is too old.")
        key = _seen_key(signature)
        if not cache.add(key, 1, timeout=2 * max_age):
            return HttpResponseForbidden("Signed webhook was already received.")
        response = self.get_response(request)
        if response.status_code >= 300:
            cache.delete(key)  # the ESP will retry this very post; let it in
        return response

    def process_exception(
        self, request: HttpRequest, exception: Exception
    ) -> HttpResponse | None:
        if isinstance(exception, AnymailWebhookValidationFailure):
            return HttpResponseForbidden(str(exception))
        return None
