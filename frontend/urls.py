from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import path

from frontend.views import conversation, inbox, outbox
from frontend.views import empathy as empathy_views

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
    path("empathy/check/", empathy_views.check_reply, name="empathy-check"),
]
