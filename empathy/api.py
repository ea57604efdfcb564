"""`POST /api/v1/checks/reply/` and `POST /api/v1/sentiment/` (stable interfaces)."""

from __future__ import annotations

from django.urls import path
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from empathy import services
from empathy.checker import MAX_CHARS
from inbox import selectors
from inbox.sentiment import score_customer_message


class FindingSerializer(serializers.Serializer):
    rule = serializers.CharField()
    severity = serializers.ChoiceField(choices=["blocker", "warning", "tip"])
    start = serializers.IntegerField(help_text="Offset in code points")
    end = serializers.IntegerField()
    message = serializers.CharField()
    suggestion = serializers.CharField(allow_blank=True)


class ReplyCheckApi(APIView):
    @extend_schema_serializer(component_name="ReplyCheckInput")
    class InputSerializer(serializers.Serializer):
        text = serializers.CharField(
            allow_blank=True, trim_whitespace=False, max_length=MAX_CHARS
        )
        conversation = serializers.IntegerField(required=False, allow_null=True)
        resolves = serializers.BooleanField(
            default=False, help_text="The reply will resolve the conversation."
        )

    @extend_schema_serializer(component_name="ReplyCheckOutput")
    class OutputSerializer(serializers.Serializer):
        findings = FindingSerializer(many=True)

    @extend_schema(request=InputSerializer, responses=OutputSerializer)
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        conversation = None
        if data.get("conversation") is not None:
            conversation = selectors.get_conversation_for(
                request.user, data["conversation"]
            )
        findings = services.check_reply_for(
            data["text"], conversation=conversation, resolves=data["resolves"]
        )
        return Response({"findings": [f.as_dict() for f in findings]})


class SentimentApi(APIView):
    @extend_schema_serializer(component_name="SentimentInput")
    class InputSerializer(serializers.Serializer):
        text = serializers.CharField(
            allow_blank=True, trim_whitespace=False, max_length=MAX_CHARS
        )

    @extend_schema_serializer(component_name="SentimentOutput")
    class OutputSerializer(serializers.Serializer):
        score = serializers.FloatField(min_value=-1, max_value=1)
        label = serializers.ChoiceField(choices=["negative", "neutral", "positive"])

    @extend_schema(request=InputSerializer, responses=OutputSerializer)
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        sentiment = score_customer_message(serializer.validated_data["text"])
        return Response({"score": sentiment.score, "label": sentiment.label})


urlpatterns = [
    path("checks/reply/", ReplyCheckApi.as_view(), name="check-reply"),
    path("sentiment/", SentimentApi.as_view(), name="sentiment"),
]
