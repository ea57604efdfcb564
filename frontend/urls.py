from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import path

from frontend.views import (
    conversation,
    inbound,
    inbox,
    outbox,
    replies,
    reports,
    review,
)
from frontend.views import empathy as empathy_views
from frontend.views import notes as notes_views
from frontend.views import scheduled as scheduled_views
from frontend.views import templates as canned

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
    path(
        "conversations/<int:conversation_id>/replies/",
        replies.reply_send,
        name="reply-send",
    ),
    path(
        "conversations/<int:conversation_id>/replies/outgoing/",
        replies.reply_outgoing,
        name="reply-outgoing",
    ),
    path("replies/<int:message_id>/undo/", replies.reply_undo, name="reply-undo"),
    path("replies/<int:message_id>/retry/", replies.reply_retry, name="reply-retry"),
    path("outbox/", outbox.outbox, name="outbox"),
    path("outbox/<str:name>/", outbox.outbox_message, name="outbox-message"),
    path("empathy/check/", empathy_views.check_reply, name="empathy-check"),
    path("inbound/", inbound.inbound_problems, name="inbound-problems"),
    path("reports/", reports.reports, name="reports"),
    path(
        "reports/conversations/",
        reports.report_conversations,
        name="report-conversations",
    ),
    path("reports/<str:name>.csv", reports.report_csv, name="report-csv"),
    path(
        "inbound/<int:raw_email_id>/retry/", inbound.inbound_retry, name="inbound-retry"
    ),
    # Canned replies: library, editor, composer picker.
    path("templates/", canned.template_list, name="template-list"),
    path("templates/new/", canned.template_edit, name="template-new"),
    path(
        "templates/<int:template_id>/edit/", canned.template_edit, name="template-edit"
    ),
    path(
        "templates/preview/",
        canned.template_sample_preview,
        name="template-sample-preview",
    ),
    path(
        "conversations/<int:conversation_id>/templates/",
        canned.composer_search,
        name="composer-template-search",
    ),
    path(
        "conversations/<int:conversation_id>/templates/insert/",
        canned.composer_insert,
        name="composer-template-insert",
    ),
    path(
        "conversations/<int:conversation_id>/templates/<int:template_id>/preview/",
        canned.composer_preview,
        name="composer-template-preview",
    ),
]

# Notes, followers and notifications (notes app).
urlpatterns += [
    path(
        "conversations/<int:conversation_id>/notes/",
        notes_views.note_create,
        name="note-create",
    ),
    path(
        "conversations/<int:conversation_id>/mentions/",
        notes_views.mention_suggestions,
        name="note-mentions",
    ),
    path(
        "conversations/<int:conversation_id>/followers/",
        notes_views.followers,
        name="conversation-followers",
    ),
    path(
        "conversations/<int:conversation_id>/follow/",
        notes_views.follow,
        name="conversation-follow",
    ),
    path(
        "conversations/<int:conversation_id>/unfollow/",
        notes_views.unfollow,
        name="conversation-unfollow",
    ),
    path("notes/<int:note_id>/edit/", notes_views.note_edit, name="note-edit"),
    path("notes/<int:note_id>/pin/", notes_views.note_pin, name="note-pin"),
    path("notes/<int:note_id>/unpin/", notes_views.note_unpin, name="note-unpin"),
    path("notes/<int:note_id>/history/", notes_views.note_history, name="note-history"),
    path(
        "notes/attachments/<int:attachment_id>/",
        notes_views.note_attachment,
        name="note-attachment",
    ),
    path("notifications/", notes_views.notifications, name="notifications"),
    path(
        "notifications/bell/",
        notes_views.notification_bell,
        name="notification-bell",
    ),
    path(
        "notifications/read-all/",
        notes_views.notifications_read_all,
        name="notifications-read-all",
    ),
    path(
        "notifications/settings/",
        notes_views.notification_settings,
        name="notification-settings",
    ),
    path(
        "notifications/<int:notification_id>/",
        notes_views.notification_open,
        name="notification-open",
    ),
    path(
        "notifications/<int:notification_id>/read/",
        notes_views.notification_read,
        name="notification-read",
    ),
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
        "conversations/<int:conversation_id>/history/",
        conversation.customer_history,
        name="conversation-history",
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

# Drafts and the review queue (review app).
urlpatterns += [
    path("review/", review.review_queue, name="review-queue"),
    path(
        "conversations/<int:conversation_id>/draft/",
        review.draft_from_composer,
        name="draft-from-composer",
    ),
    path(
        "conversations/<int:conversation_id>/draft/autosave/",
        review.draft_autosave,
        name="draft-autosave",
    ),
    path("drafts/<int:draft_id>/", review.draft_detail, name="draft-detail"),
    path("drafts/<int:draft_id>/save/", review.draft_save, name="draft-save"),
    path(
        "drafts/<int:draft_id>/take-over/",
        review.draft_take_over,
        name="draft-take-over",
    ),
    path("drafts/<int:draft_id>/submit/", review.draft_submit, name="draft-submit"),
    path("drafts/<int:draft_id>/approve/", review.draft_approve, name="draft-approve"),
    path(
        "drafts/<int:draft_id>/request-changes/",
        review.draft_request_changes,
        name="draft-request-changes",
    ),
    path("drafts/<int:draft_id>/send/", review.draft_send, name="draft-send"),
    path("drafts/<int:draft_id>/cancel/", review.draft_cancel, name="draft-cancel"),
    path("drafts/<int:draft_id>/comments/", review.draft_comment, name="draft-comment"),
    path(
        "comments/<int:comment_id>/resolve/",
        review.comment_resolve,
        name="comment-resolve",
    ),
]

# Send later, promised updates and escalations (scheduler app).
urlpatterns += [
    path("scheduled/", scheduled_views.scheduled_list, name="scheduled-list"),
    path(
        "conversations/<int:conversation_id>/scheduled/",
        scheduled_views.conversation_scheduled,
        name="conversation-scheduled",
    ),
    path(
        "conversations/<int:conversation_id>/scheduled/new/",
        scheduled_views.scheduled_create,
        name="scheduled-create",
    ),
    path(
        "scheduled/<int:scheduled_id>/edit/",
        scheduled_views.scheduled_edit,
        name="scheduled-edit",
    ),
    path(
        "scheduled/<int:scheduled_id>/cancel/",
        scheduled_views.scheduled_cancel,
        name="scheduled-cancel",
    ),
    path(
        "conversations/<int:conversation_id>/escalation/",
        scheduled_views.escalation_update,
        name="conversation-escalation",
    ),
]
