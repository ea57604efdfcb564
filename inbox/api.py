"""REST API for mailboxes, customers, conversations, messages and labels.

Every queryset goes through inbox.selectors, so another mailbox's rows are 404.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet, prefetch_related_objects
from django.urls import path
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import pagination, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter
from rest_framework.utils.urls import remove_query_param, replace_query_param
from rest_framework.views import APIView

from inbox import selectors, services
from inbox.models import Conversation, Customer, Event, Label, Mailbox, Message


class MailboxSerializer(serializers.ModelSerializer):
    class Meta:
        model = Mailbox
        fields = [
            "id",
            "name",
            "email",
            "review_policy",
            "empathy_mode",
            "auto_reply_enabled",
        ]


class CustomerSerializer(serializers.ModelSerializer):
    class Meta:
        model = Customer
        fields = [
            "id",
            "email",
            "name",
            "first_name",
            "company",
            "timezone",
            "attributes",
        ]


class CustomerBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Customer
        fields = ["id", "email", "name"]


class LabelSerializer(serializers.ModelSerializer):
    class Meta:
        model = Label
        fields = ["id", "name", "colour"]


class ConversationSerializer(serializers.ModelSerializer):
    customer = CustomerBriefSerializer(read_only=True)
    labels = serializers.SerializerMethodField()

    class Meta:
        model = Conversation
        fields = [
            "id",
            "number",
            "subject",
            "status",
            "mailbox",
            "customer",
            "assignee",
            "labels",
            "sentiment_first",
            "sentiment_last",
            "snippet",
            "message_count",
            "snoozed_until",
            "created_at",
            "last_activity_at",
            "last_customer_message_at",
            "first_response_at",
            "resolved_at",
            "reopen_count",
            "next_update_at",
        ]
        read_only_fields = fields

    def get_labels(self, conversation: Conversation) -> list[str]:
        return [link.label.name for link in conversation.current_labels]


class MessageSerializer(serializers.ModelSerializer):
    class Meta:
        model = Message
        fields = [
            "id",
            "kind",
            "from_email",
            "from_name",
            "to",
            "cc",
            "subject",
            "text",
            "visible_text",
            "html",
            "message_id",
            "in_reply_to",
            "created_at",
            "sent_at",
            "delivery_status",
            "delivery_detail",
            "sentiment",
            "sentiment_label",
        ]
        read_only_fields = fields


class EventSerializer(serializers.ModelSerializer):
    class Meta:
        model = Event
        fields = ["id", "kind", "actor", "data", "created_at"]
        read_only_fields = fields


class TimelineItemSerializer(serializers.Serializer):
    type = serializers.CharField(
        help_text='"message", "event", or the kind of another app\'s rows ("note")'
    )
    at = serializers.DateTimeField()
    data = serializers.DictField(
        help_text="The row as its own endpoint shows it: a message, an event, a note"
    )


class TimelineSerializer(serializers.Serializer):
    results = TimelineItemSerializer(many=True)


def _timeline_data(item: selectors.ThreadItem) -> dict[str, Any]:
    if item.kind == "message":
        return MessageSerializer(item.obj).data
    if item.kind == "event":
        return EventSerializer(item.obj).data
    return selectors.timeline_source(item.kind).as_dict(item.obj)


class ConversationListQuery(serializers.Serializer):
    """The list's query parameters, read into conversations_for_inbox's keywords."""

    mailbox = serializers.IntegerField(required=False, min_value=1)
    status = serializers.ChoiceField(
        choices=Conversation.Status.choices, required=False, allow_blank=True
    )
    label = serializers.CharField(required=False, allow_blank=True, max_length=50)
    assignee = serializers.RegexField(
        r"^(me|none|null|\d+)?$",
        required=False,
        allow_blank=True,
        error_messages={"invalid": "Use a user id, 'me' or 'none'."},
    )
    search = serializers.CharField(required=False, allow_blank=True, max_length=200)
    sort = serializers.ChoiceField(
        choices=list(selectors.SORTS), required=False, default=selectors.SORT_NEWEST
    )
    after = serializers.CharField(required=False, max_length=100)
    before = serializers.CharField(required=False, max_length=100)

    def filters(self) -> dict:
        data = self.validated_data
        return {
            "mailbox_id": data.get("mailbox"),
            "status": data.get("status") or None,
            "assignee": "none"
            if data.get("assignee") == "null"
            else data.get("assignee"),
            "label": data.get("label") or None,
        }


class InboxCursorPagination(pagination.BasePagination):
    """`{count, next, previous, results}` over a keyset page: the links carry
    `after` / `before` cursors, so any page costs what the first does."""

    def paginate(self, request: Request, page: selectors.InboxPage, count: int) -> None:
        self.request, self.page, self.count = request, page, count

    def _link(self, name: str, cursor: str | None) -> str | None:
        if cursor is None:
            return None
        url = self.request.build_absolute_uri()
        url = remove_query_param(remove_query_param(url, "after"), "before")
        return replace_query_param(url, name, cursor)

    def get_paginated_response(self, data: list) -> Response:
        return Response(
            {
                "count": self.count,
                "next": self._link("after", self.page.next_cursor),
                "previous": self._link("before", self.page.previous_cursor),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema: dict) -> dict:
        return pagination.PageNumberPagination().get_paginated_response_schema(schema)


class MailboxViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = MailboxSerializer

    def get_queryset(self) -> QuerySet[Mailbox]:
        return selectors.mailboxes_for(self.request.user)


class CustomerViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = CustomerSerializer

    def get_queryset(self) -> QuerySet[Customer]:
        return selectors.customers_for(self.request.user).order_by("email")


class LabelViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = LabelSerializer
    queryset = Label.objects.order_by("name")


class ConversationViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = ConversationSerializer

    def get_queryset(self) -> QuerySet[Conversation]:
        return selectors.conversations_for(self.request.user)

    @extend_schema(parameters=[ConversationListQuery])
    def list(self, request: Request) -> Response:
        """The inbox list: the same selector, filters and keyset as the page."""
        query = ConversationListQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        filters = query.filters()
        page = selectors.conversations_for_inbox(
            request.user,
            **filters,
            query=query.validated_data.get("search", ""),
            sort=query.validated_data["sort"],
            after=query.validated_data.get("after"),
            before=query.validated_data.get("before"),
        )
        count = (
            len(page.rows)
            if page.search is not None
            else selectors.count_for_inbox(request.user, **filters)
        )
        paginator = InboxCursorPagination()
        paginator.paginate(request, page, count)
        prefetch_related_objects(page.rows, selectors.current_labels_prefetch())
        return paginator.get_paginated_response(
            ConversationSerializer(page.rows, many=True).data
        )

    @extend_schema(responses=MessageSerializer(many=True))
    @action(detail=True, methods=["get"])
    def messages(self, request: Request, pk: str | None = None) -> Response:
        conversation = selectors.get_conversation_for(request.user, pk)
        queryset = Message.objects.filter(conversation=conversation).defer(
            "search_vector"
        )
        page = self.paginate_queryset(queryset.order_by("created_at", "id"))
        return self.get_paginated_response(MessageSerializer(page, many=True).data)

    @extend_schema(responses=TimelineSerializer)
    @action(detail=True, methods=["get"], pagination_class=None)
    def timeline(self, request: Request, pk: str | None = None) -> Response:
        """Messages, events and notes, oldest first: what the conversation page shows."""
        conversation = selectors.get_conversation_for(request.user, pk)
        items = [
            {"type": item.kind, "at": item.at, "data": _timeline_data(item)}
            for item in selectors.thread_for(conversation, full_text=True)
        ]
        return Response(TimelineSerializer({"results": items}).data)


def _conversation_answer(request: Request, conversation: Conversation) -> Response:
    fresh = selectors.get_conversation_for(request.user, conversation.pk)
    return Response(ConversationSerializer(fresh).data)


def _validated(
    serializer_class: type[serializers.Serializer], request: Request
) -> dict:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class ConversationAssignApi(APIView):
    @extend_schema_serializer(component_name="ConversationAssignInput")
    class InputSerializer(serializers.Serializer):
        # A user id, "me", or null; read by services.assign like every entry point.
        assignee = serializers.CharField(allow_null=True, allow_blank=True)

    @extend_schema(request=InputSerializer, responses=ConversationSerializer)
    def post(self, request: Request, pk: int) -> Response:
        conversation = selectors.get_conversation_for(request.user, pk)
        data = _validated(self.InputSerializer, request)
        conversation = services.assign(
            conversation, to=data["assignee"], by=request.user
        )
        return _conversation_answer(request, conversation)


class ConversationStatusApi(APIView):
    @extend_schema_serializer(component_name="ConversationStatusInput")
    class InputSerializer(serializers.Serializer):
        # open, pending or resolved; checked by services.change_status.
        status = serializers.CharField()

    @extend_schema(request=InputSerializer, responses=ConversationSerializer)
    def post(self, request: Request, pk: int) -> Response:
        conversation = selectors.get_conversation_for(request.user, pk)
        data = _validated(self.InputSerializer, request)
        conversation = services.change_status(
            conversation, status=data["status"], by=request.user
        )
        return _conversation_answer(request, conversation)


class ConversationSnoozeApi(APIView):
    @extend_schema_serializer(component_name="ConversationSnoozeInput")
    class InputSerializer(serializers.Serializer):
        until = serializers.DateTimeField()

    @extend_schema(request=InputSerializer, responses=ConversationSerializer)
    def post(self, request: Request, pk: int) -> Response:
        conversation = selectors.get_conversation_for(request.user, pk)
        data = _validated(self.InputSerializer, request)
        conversation = services.snooze(
            conversation, until=data["until"], by=request.user
        )
        return _conversation_answer(request, conversation)


class ConversationLabelsApi(APIView):
    @extend_schema_serializer(component_name="ConversationLabelsInput")
    class InputSerializer(serializers.Serializer):
        add = serializers.ListField(
            child=serializers.CharField(max_length=50), default=list
        )
        remove = serializers.ListField(
            child=serializers.CharField(max_length=50), default=list
        )

    @extend_schema(request=InputSerializer, responses=ConversationSerializer)
    def post(self, request: Request, pk: int) -> Response:
        conversation = selectors.get_conversation_for(request.user, pk)
        data = _validated(self.InputSerializer, request)
        conversation = services.change_labels(
            conversation, add=data["add"], remove=data["remove"], by=request.user
        )
        return _conversation_answer(request, conversation)


router = DefaultRouter()
router.register("mailboxes", MailboxViewSet, basename="mailbox")
router.register("customers", CustomerViewSet, basename="customer")
router.register("labels", LabelViewSet, basename="label")
router.register("conversations", ConversationViewSet, basename="conversation")

urlpatterns = [
    path(
        "conversations/<int:pk>/assign/",
        ConversationAssignApi.as_view(),
        name="conversation-assign",
    ),
    path(
        "conversations/<int:pk>/status/",
        ConversationStatusApi.as_view(),
        name="conversation-status",
    ),
    path(
        "conversations/<int:pk>/snooze/",
        ConversationSnoozeApi.as_view(),
        name="conversation-snooze",
    ),
    path(
        "conversations/<int:pk>/labels/",
        ConversationLabelsApi.as_view(),
        name="conversation-labels",
    ),
    *router.urls,
]
