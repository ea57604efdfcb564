from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import path

from frontend.views import conversation, inbox, outbox

app_name = "frontend"

urlpatterns = [
    path("", inbox.inbox, name="inbox"),
    path(
        "login/",
        auth_views.LoginView.as_view(template_name="frontend/auth/login.html"),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "conversations/<int:conversation_id>/",
        conversation.conversation_detail,
        name="conversation-detail",
    ),
    path("outbox/", outbox.outbox, name="outbox"),
    path("outbox/<str:name>/", outbox.outbox_message, name="outbox-message"),
]

# Inbox list and conversation page (issue 6).
urlpatterns += [
    path("conversations/bulk/", inbox.bulk_action, name="conversations-bulk"),
    path(
        "conversations/<int:conversation_id>/assign/",
        conversation.assign,
        name="conversation-assign",
    ),
    path(
        "conversations/<int:conversation_id>/label/",
        conversation.label,
        name="conversation-label",
    ),
    path(
        "conversations/<int:conversation_id>/status/",
        conversation.status,
        name="conversation-status",
    ),
    path(
        "conversations/<int:conversation_id>/snooze/",
        conversation.snooze,
        name="conversation-snooze",
    ),
    path(
        "conversations/<int:conversation_id>/presence/",
        conversation.presence_poll,
        name="conversation-presence",
    ),
    path(
        "conversations/<int:conversation_id>/new-messages/",
        conversation.new_messages,
        name="conversation-new-messages",
    ),
    path(
        "messages/<int:message_id>/html/",
        conversation.message_html,
        name="message-html",
    ),
    path(
        "attachments/<int:attachment_id>/download/",
        conversation.attachment_download,
        name="attachment-download",
    ),
]
