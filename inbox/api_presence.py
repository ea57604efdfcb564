"""API for collision detection: who else has a conversation open, and what
arrived since a given message (the composer's held send, for API clients)."""

from __future__ import annotations

from django.urls import path
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_serializer,
)
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from inbox import presence, selectors


class PresenceSerializer(serializers.Serializer):
    user = serializers.IntegerField(source="user_id")
    name = serializers.CharField()
    state = serializers.ChoiceField(choices=presence.STATES)


class NewMessageSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    kind = serializers.CharField()
    from_email = serializers.EmailField()
    created_at = serializers.DateTimeField()
    text = serializers.CharField(source="visible_text")


class ConversationPresenceApi(APIView):
    @extend_schema_serializer(component_name="ConversationPresenceInput")
    class InputSerializer(serializers.Serializer):
        state = serializers.ChoiceField(
            choices=presence.STATES, default=presence.VIEWING
        )

    @extend_schema_serializer(component_name="ConversationPresenceOutput")
    class OutputSerializer(serializers.Serializer):
        others = PresenceSerializer(many=True)
        new_messages = NewMessageSerializer(many=True)

    def _answer(self, request: Request, conversation: object) -> Response:
        after = request.query_params.get("after", "")
        arrived = (
            presence.messages_since(conversation, after_message_id=int(after))
            if after.isdigit()
            else []
        )
        others = presence.others_on(conversation, user=request.user)
        return Response(
            self.OutputSerializer({"others": others, "new_messages": arrived}).data
        )

    @extend_schema(
        parameters=[OpenApiParameter("after", int, description="newest message seen")],
        responses=OutputSerializer,
    )
    def get(self, request: Request, pk: int) -> Response:
        conversation = selectors.get_conversation_for(request.user, pk)
        return self._answer(request, conversation)

    @extend_schema(request=InputSerializer, responses=OutputSerializer)
    def post(self, request: Request, pk: int) -> Response:
        conversation = selectors.get_conversation_for(request.user, pk)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        presence.touch(
            conversation, user=request.user, state=serializer.validated_data["state"]
        )
        return self._answer(request, conversation)


urlpatterns = [
    path(
        "conversations/<int:pk>/presence/",
        ConversationPresenceApi.as_view(),
        name="conversation-presence",
    ),
]
