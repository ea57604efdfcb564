"""REST API for notes, followers, notifications and notification preferences.

Each view resolves its object through notes/inbox selectors (404 outside the
user's mailboxes) and calls one service.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.shortcuts import get_object_or_404
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from inbox import selectors as inbox_selectors
from notes import selectors, services
from notes.models import Follower, Note, Notification


class UserBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    name = serializers.SerializerMethodField()

    def get_name(self, user: Any) -> str:
        return user.get_full_name() or user.username


class NoteAttachmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    filename = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()


class NoteMentionSerializer(serializers.Serializer):
    user = UserBriefSerializer()
    notified = serializers.BooleanField()


class NoteSerializer(serializers.ModelSerializer):
    author = UserBriefSerializer(allow_null=True)
    mentions = NoteMentionSerializer(many=True)
    attachments = NoteAttachmentSerializer(many=True)

    class Meta:
        model = Note
        fields = [
            "id",
            "conversation",
            "author",
            "body",
            "body_html",
            "created_at",
            "edited_at",
            "pinned_at",
            "mentions",
            "attachments",
        ]
        read_only_fields = fields


class NoteRevisionSerializer(serializers.Serializer):
    body = serializers.CharField()
    edited_by = UserBriefSerializer(allow_null=True)
    created_at = serializers.DateTimeField()


def _note_answer(result: services.NoteResult, *, status_code: int) -> Response:
    data = NoteSerializer(selectors.note_with_details(result.note.pk)).data
    data["mentions_not_notified"] = [
        {"username": problem.username, "message": problem.message}
        for problem in result.not_notified
    ]
    return Response(data, status=status_code)


class ConversationNotesApi(GenericAPIView):
    """GET lists a conversation's notes (paginated); POST {"body"} adds one."""

    parser_classes = [JSONParser, MultiPartParser, FormParser]
    serializer_class = NoteSerializer
    queryset = Note.objects.none()  # for the schema; rows come from notes_for

    class InputSerializer(serializers.Serializer):
        body = serializers.CharField(allow_blank=True, trim_whitespace=False)
        attachments = serializers.ListField(
            child=serializers.FileField(), required=False, default=list
        )

        class Meta:
            ref_name = "ConversationNotesInput"

    @extend_schema(responses=NoteSerializer(many=True))
    def get(self, request: Request, pk: int) -> Response:
        conversation = inbox_selectors.get_conversation_for(request.user, pk)
        page = self.paginate_queryset(selectors.notes_for(conversation))
        return self.get_paginated_response(NoteSerializer(page, many=True).data)

    @extend_schema(request=InputSerializer, responses={201: NoteSerializer})
    def post(self, request: Request, pk: int) -> Response:
        conversation = inbox_selectors.get_conversation_for(request.user, pk)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        result = services.add_note(
            conversation,
            body=serializer.validated_data["body"],
            by=request.user,
            attachments=serializer.validated_data["attachments"],
        )
        return _note_answer(result, status_code=status.HTTP_201_CREATED)


class NoteDetailApi(APIView):
    """GET one note; PATCH {"body"} edits it (author only, history kept)."""

    class InputSerializer(serializers.Serializer):
        body = serializers.CharField(allow_blank=True, trim_whitespace=False)

        class Meta:
            ref_name = "NoteDetailInput"

    @extend_schema(responses=NoteSerializer)
    def get(self, request: Request, note_id: int) -> Response:
        note = selectors.get_note_for(request.user, note_id)
        return _note_answer(services.NoteResult(note=note), status_code=200)

    @extend_schema(request=InputSerializer, responses=NoteSerializer)
    def patch(self, request: Request, note_id: int) -> Response:
        note = selectors.get_note_for(request.user, note_id)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        result = services.edit_note(
            note, body=serializer.validated_data["body"], by=request.user
        )
        return _note_answer(result, status_code=200)


class NoteRevisionsApi(APIView):
    @extend_schema(responses=NoteRevisionSerializer(many=True))
    def get(self, request: Request, note_id: int) -> Response:
        note = selectors.get_note_for(request.user, note_id)
        revisions = selectors.revisions_for(note)
        return Response(NoteRevisionSerializer(revisions, many=True).data)


class NotePinApi(APIView):
    """POST pins the note, DELETE unpins it."""

    @extend_schema(request=None, responses=NoteSerializer)
    def post(self, request: Request, note_id: int) -> Response:
        note = selectors.get_note_for(request.user, note_id)
        note = services.pin_note(note, by=request.user)
        return _note_answer(services.NoteResult(note=note), status_code=200)

    @extend_schema(request=None, responses=NoteSerializer)
    def delete(self, request: Request, note_id: int) -> Response:
        note = selectors.get_note_for(request.user, note_id)
        note = services.unpin_note(note, by=request.user)
        return _note_answer(services.NoteResult(note=note), status_code=200)


class FollowerSerializer(serializers.ModelSerializer):
    user = UserBriefSerializer()

    class Meta:
        model = Follower
        fields = ["user", "reason", "created_at"]
        read_only_fields = fields


class ConversationFollowersApi(APIView):
    """GET lists followers; POST {"user": id} (default: me) adds one."""

    class InputSerializer(serializers.Serializer):
        user = serializers.IntegerField(required=False)

        class Meta:
            ref_name = "ConversationFollowersInput"

    @extend_schema(responses=FollowerSerializer(many=True))
    def get(self, request: Request, pk: int) -> Response:
        conversation = inbox_selectors.get_conversation_for(request.user, pk)
        followers = selectors.followers_for(conversation)
        return Response(FollowerSerializer(followers, many=True).data)

    @extend_schema(request=InputSerializer, responses={201: FollowerSerializer})
    def post(self, request: Request, pk: int) -> Response:
        conversation = inbox_selectors.get_conversation_for(request.user, pk)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = request.user
        if "user" in serializer.validated_data:
            user = get_object_or_404(
                get_user_model(), pk=serializer.validated_data["user"], is_active=True
            )
        follower = services.follow(conversation, user=user, by=request.user)
        return Response(FollowerSerializer(follower).data, status=201)


class ConversationFollowerApi(APIView):
    """DELETE stops `user_id` following (yourself, or anyone if you are a lead)."""

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request, pk: int, user_id: int) -> Response:
        conversation = inbox_selectors.get_conversation_for(request.user, pk)
        user = get_object_or_404(get_user_model(), pk=user_id)
        services.unfollow(conversation, user=user, by=request.user)
        return Response(status=204)


class NotificationSerializer(serializers.ModelSerializer):
    actor = UserBriefSerializer(allow_null=True)
    summary = serializers.CharField()
    conversation = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = [
            "id",
            "verb",
            "summary",
            "actor",
            "conversation",
            "note",
            "message",
            "created_at",
            "read_at",
        ]
        read_only_fields = fields

    def get_conversation(self, notification: Notification) -> dict[str, Any]:
        conversation = notification.conversation
        return {
            "id": conversation.pk,
            "number": conversation.number,
            "subject": conversation.subject,
        }


class NotificationListApi(GenericAPIView):
    """GET the user's notifications, newest first; `?unread=1` for unread only."""

    serializer_class = NotificationSerializer
    queryset = Notification.objects.none()  # for the schema; rows from the selector

    def get(self, request: Request) -> Response:
        unread = request.query_params.get("unread") in {"1", "true", "yes"}
        queryset = selectors.notifications_for(request.user, unread_only=unread)
        page = self.paginate_queryset(queryset.order_by("-created_at", "-id"))
        response = self.get_paginated_response(
            NotificationSerializer(page, many=True).data
        )
        response.data["unread"] = selectors.unread_count(request.user)
        return response


class NotificationReadApi(APIView):
    @extend_schema(request=None, responses=NotificationSerializer)
    def post(self, request: Request, notification_id: int) -> Response:
        notification = selectors.get_notification_for(request.user, notification_id)
        notification = services.mark_read(notification, by=request.user)
        return Response(NotificationSerializer(notification).data)


class NotificationReadAllApi(APIView):
    class OutputSerializer(serializers.Serializer):
        marked = serializers.IntegerField()

        class Meta:
            ref_name = "NotificationReadAllOutput"

    @extend_schema(request=None, responses=OutputSerializer)
    def post(self, request: Request) -> Response:
        return Response({"marked": services.mark_all_read(request.user)})


class NotificationPreferencesApi(APIView):
    """GET every event's choice; PUT a list of {"event", "email", "auto_follow"}."""

    class PreferenceSerializer(serializers.Serializer):
        event = serializers.ChoiceField(choices=Notification.Verb.choices)
        email = serializers.BooleanField()
        auto_follow = serializers.BooleanField()

        class Meta:
            ref_name = "NotificationPreferencesPreference"

    def _answer(self, user: Any) -> Response:
        preferences = selectors.preferences_for(user)
        return Response(
            [
                {
                    "event": event,
                    "label": Notification.Verb(event).label,
                    "email": preference.email,
                    "auto_follow": preference.auto_follow,
                    "auto_follow_configurable": event
                    in selectors.CONFIGURABLE_AUTO_FOLLOW,
                }
                for event, preference in preferences.items()
            ]
        )

    @extend_schema(responses=PreferenceSerializer(many=True))
    def get(self, request: Request) -> Response:
        return self._answer(request.user)

    @extend_schema(
        request=PreferenceSerializer(many=True),
        responses=PreferenceSerializer(many=True),
    )
    def put(self, request: Request) -> Response:
        serializer = self.PreferenceSerializer(data=request.data, many=True)
        serializer.is_valid(raise_exception=True)
        for row in serializer.validated_data:
            services.set_preference(request.user, **row)
        return self._answer(request.user)


urlpatterns = [
    path(
        "conversations/<int:pk>/notes/",
        ConversationNotesApi.as_view(),
        name="conversation-notes",
    ),
    path(
        "conversations/<int:pk>/followers/",
        ConversationFollowersApi.as_view(),
        name="conversation-followers",
    ),
    path(
        "conversations/<int:pk>/followers/<int:user_id>/",
        ConversationFollowerApi.as_view(),
        name="conversation-follower",
    ),
    path("notes/<int:note_id>/", NoteDetailApi.as_view(), name="note-detail"),
    path(
        "notes/<int:note_id>/revisions/",
        NoteRevisionsApi.as_view(),
        name="note-revisions",
    ),
    path("notes/<int:note_id>/pin/", NotePinApi.as_view(), name="note-pin"),
    path("notifications/", NotificationListApi.as_view(), name="notifications"),
    path(
        "notifications/read-all/",
        NotificationReadAllApi.as_view(),
        name="notifications-read-all",
    ),
    path(
        "notifications/<int:notification_id>/read/",
        NotificationReadApi.as_view(),
        name="notification-read",
    ),
    path(
        "notification-preferences/",
        NotificationPreferencesApi.as_view(),
        name="notification-preferences",
    ),
]
