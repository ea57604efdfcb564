"""Admin actions on messages: send a failed message again, or stop a queued one."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from inbox import outbound
from inbox.models import Message
from replypad.errors import ReplypadError


@admin.action(description="Send again (failed messages)")
def retry_sending(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Message]
) -> None:
    requeued = 0
    for message in queryset.filter(delivery_status=Message.DeliveryStatus.FAILED):
        outbound.retry_message(message, by=request.user)
        requeued += 1
    modeladmin.message_user(request, f"{requeued} message(s) queued to send again.")


@admin.action(description="Cancel sending (queued messages)")
def cancel_sending(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Message]
) -> None:
    cancelled = 0
    for message in queryset.filter(delivery_status=Message.DeliveryStatus.QUEUED):
        try:
            outbound.cancel_reply(message, by=request.user)
        except ReplypadError as error:
            modeladmin.message_user(request, error.message, level=messages.WARNING)
        else:
            cancelled += 1
    modeladmin.message_user(request, f"{cancelled} message(s) cancelled.")
