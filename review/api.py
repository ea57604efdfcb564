"""REST API for drafts and the review queue (included from replypad/api_urls.py).

Every action answers the draft with its new `state`; an illegal transition is
409, the author approving their own draft 403, a draft outside the caller's
mailboxes 404.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.urls import path
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from inbox import selectors as inbox_selectors
from inbox.api import InboxCursorPagination
from inbox.models import Conversation
from inbox.outbound.api import AddressListField
from replypad.errors import ReplypadError
from review import selectors, services
from review.models import Draft, ReviewComment


class CommentSerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="author.username")
    outdated = serializers.SerializerMethodField()
    resolved = serializers.SerializerMethodField()

    class Meta:
        model = ReviewComment
        fields = [
            "id",
            "parent",
            "author",
            "body",
            "start",
            "end",
            "quote",
            "version",
            "outdated",
            "resolved",
            "created_at",
        ]
        read_only_fields = fields

    def get_outdated(self, comment: ReviewComment) -> bool:
        return comment.is_outdated(comment.draft.body)

    def get_resolved(self, comment: ReviewComment) -> bool:
        return comment.resolved_at is not None


@extend_schema_serializer(component_name="Draft")
class DraftSerializer(serializers.ModelSerializer):
    author = serializers.IntegerField(source="author_id")
    reviewer = serializers.IntegerField(source="reviewer_id", allow_null=True)
    lock_holder = serializers.IntegerField(source="lock_holder_id", allow_null=True)
    template = serializers.IntegerField(source="template_id", allow_null=True)
    message = serializers.IntegerField(source="message_id", allow_null=True)
    findings_count = serializers.IntegerField()
    comments = serializers.SerializerMethodField()

    class Meta:
        model = Draft
        fields = [
            "id",
            "conversation",
            "state",
            "body",
            "version",
            "author",
            "reviewer",
            "cc",
            "subject",
            "template",
            "ask",
            "findings",
            "findings_count",
            "lock_holder",
            "lock_expires_at",
            "submitted_at",
            "message",
            "comments",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_comments(self, draft: Draft) -> list[dict[str, Any]]:
        if not self.context.get("with_comments"):
            return []
        comments = list(draft.comments.select_related("author").order_by("id"))
        for comment in comments:
            comment.draft = draft
        return CommentSerializer(comments, many=True).data


@extend_schema_serializer(component_name="ReviewQueueRow")
class QueueRowSerializer(DraftSerializer):
    customer = serializers.CharField(source="conversation.customer.email")
    sentiment = serializers.FloatField(
        source="conversation.sentiment_last", allow_null=True
    )
    waiting_seconds = serializers.SerializerMethodField()

    class Meta(DraftSerializer.Meta):
        fields = [
            *DraftSerializer.Meta.fields,
            "customer",
            "sentiment",
            "waiting_seconds",
        ]
        read_only_fields = fields

    def get_waiting_seconds(self, draft: Draft) -> int:
        return int(draft.waiting.total_seconds())


def _answer(draft: Draft, *, code: int = status.HTTP_200_OK) -> Response:
    draft.refresh_from_db()
    return Response(DraftSerializer(draft, context={"with_comments": True}).data, code)


def _validated(
    serializer_class: type[serializers.Serializer], request: Request
) -> dict:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _member(user_id: int | None, field: str) -> Any:
    if user_id is None:
        return None
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        raise ReplypadError("No such user.", field=field)
    return user


class DraftListQuery(serializers.Serializer):
    conversation = serializers.IntegerField(required=False, min_value=1)
    state = serializers.ChoiceField(choices=Draft.State.choices, required=False)


class DraftListCreateApi(APIView):
    @extend_schema_serializer(component_name="DraftInput")
    class InputSerializer(serializers.Serializer):
        conversation = serializers.IntegerField()
        # No max_length: the service refuses an oversized body with its limit.
        body = serializers.CharField(
            trim_whitespace=False, allow_blank=True, required=False, default=""
        )
        cc = AddressListField(required=False, default=list)
        subject = serializers.CharField(
            required=False, allow_blank=True, default="", max_length=998
        )
        template = serializers.IntegerField(required=False, allow_null=True)
        ask = serializers.DictField(
            child=serializers.CharField(allow_blank=True), required=False
        )
        submit = serializers.BooleanField(required=False, default=False)
        reviewer = serializers.IntegerField(required=False, allow_null=True)

    @extend_schema(parameters=[DraftListQuery], responses=DraftSerializer(many=True))
    def get(self, request: Request) -> Response:
        """Drafts in the caller's mailboxes, newest change first (paginated)."""
        query = DraftListQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        queryset = selectors.drafts_for(request.user)
        if "conversation" in query.validated_data:
            queryset = queryset.filter(
                conversation_id=query.validated_data["conversation"]
            )
        if "state" in query.validated_data:
            queryset = queryset.filter(state=query.validated_data["state"])
        paginator = api_settings.DEFAULT_PAGINATION_CLASS()
        page = paginator.paginate_queryset(
            queryset.order_by("-updated_at", "-id"), request, view=self
        )
        return paginator.get_paginated_response(DraftSerializer(page, many=True).data)

    @extend_schema(request=InputSerializer, responses={201: DraftSerializer})
    def post(self, request: Request) -> Response:
        data = _validated(self.InputSerializer, request)
        conversation: Conversation = inbox_selectors.get_conversation_for(
            request.user, data["conversation"]
        )
        draft = services.create_draft(
            conversation,
            by=request.user,
            body=data["body"],
            cc=data["cc"],
            subject=data["subject"],
            template_id=data.get("template"),
            ask=data.get("ask"),
        )
        if data["submit"]:
            reviewer = _member(data.get("reviewer"), "reviewer")
            draft = services.submit_for_review(
                draft, by=request.user, reviewer=reviewer
            )
        return _answer(draft, code=status.HTTP_201_CREATED)


class DraftDetailApi(APIView):
    @extend_schema_serializer(component_name="DraftEdit")
    class InputSerializer(serializers.Serializer):
        version = serializers.IntegerField(min_value=1)
        body = serializers.CharField(trim_whitespace=False, allow_blank=True)
        cc = AddressListField(required=False)
        subject = serializers.CharField(
            required=False, allow_blank=True, max_length=998
        )

    @extend_schema(responses=DraftSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return _answer(selectors.get_draft_for(request.user, pk))

    @extend_schema(
        request=InputSerializer,
        responses=DraftSerializer,
        summary="Save an edit on top of `version` (409 with the current text when stale)",
    )
    def patch(self, request: Request, pk: int) -> Response:
        draft = selectors.get_draft_for(request.user, pk)
        data = _validated(self.InputSerializer, request)
        draft = services.save_draft(
            draft,
            by=request.user,
            body=data["body"],
            version=data["version"],
            cc=data.get("cc"),
            subject=data.get("subject"),
        )
        return _answer(draft)


class DraftSubmitApi(APIView):
    @extend_schema_serializer(component_name="DraftSubmitInput")
    class InputSerializer(serializers.Serializer):
        reviewer = serializers.IntegerField(required=False, allow_null=True)

    @extend_schema(request=InputSerializer, responses=DraftSerializer)
    def post(self, request: Request, pk: int) -> Response:
        draft = selectors.get_draft_for(request.user, pk)
        data = _validated(self.InputSerializer, request)
        reviewer = _member(data.get("reviewer"), "reviewer")
        return _answer(
            services.submit_for_review(draft, by=request.user, reviewer=reviewer)
        )


class DraftApproveApi(APIView):
    @extend_schema_serializer(component_name="DraftApproveInput")
    class InputSerializer(serializers.Serializer):
        comment = serializers.CharField(required=False, allow_blank=True, default="")
        # Approve and queue the reply at once (default), or only approve.
        send = serializers.BooleanField(required=False, default=True)

    @extend_schema(request=InputSerializer, responses=DraftSerializer)
    def post(self, request: Request, pk: int) -> Response:
        draft = selectors.get_draft_for(request.user, pk)
        data = _validated(self.InputSerializer, request)
        return _answer(
            services.approve_draft(
                draft, by=request.user, comment=data["comment"], send=data["send"]
            )
        )


class DraftRequestChangesApi(APIView):
    @extend_schema_serializer(component_name="DraftRequestChangesInput")
    class InputSerializer(serializers.Serializer):
        comment = serializers.CharField(allow_blank=True, default="")

    @extend_schema(request=InputSerializer, responses=DraftSerializer)
    def post(self, request: Request, pk: int) -> Response:
        draft = selectors.get_draft_for(request.user, pk)
        data = _validated(self.InputSerializer, request)
        return _answer(
            services.request_changes(draft, by=request.user, comment=data["comment"])
        )


class DraftSimpleActionApi(APIView):
    """send / cancel / withdraw / take-over: no input, one service each."""

    service: Any = None

    @extend_schema(request=None, responses=DraftSerializer)
    def post(self, request: Request, pk: int) -> Response:
        draft = selectors.get_draft_for(request.user, pk)
        return _answer(type(self).service(draft, by=request.user))


class DraftCommentApi(APIView):
    @extend_schema_serializer(component_name="DraftCommentInput")
    class InputSerializer(serializers.Serializer):
        body = serializers.CharField(allow_blank=True)
        start = serializers.IntegerField(required=False, allow_null=True, min_value=0)
        end = serializers.IntegerField(required=False, allow_null=True, min_value=0)
        parent = serializers.IntegerField(required=False, allow_null=True)

    @extend_schema(request=InputSerializer, responses={201: DraftSerializer})
    def post(self, request: Request, pk: int) -> Response:
        draft = selectors.get_draft_for(request.user, pk)
        data = _validated(self.InputSerializer, request)
        services.add_comment(
            draft,
            by=request.user,
            body=data["body"],
            start=data.get("start"),
            end=data.get("end"),
            parent_id=data.get("parent"),
        )
        return _answer(draft, code=status.HTTP_201_CREATED)


class CommentResolveApi(APIView):
    @extend_schema_serializer(component_name="CommentResolveInput")
    class InputSerializer(serializers.Serializer):
        resolved = serializers.BooleanField(default=True)

    @extend_schema(request=InputSerializer, responses=DraftSerializer)
    def post(self, request: Request, pk: int) -> Response:
        comment = selectors.get_comment_for(request.user, pk)
        data = _validated(self.InputSerializer, request)
        services.resolve_comment(comment, by=request.user, resolved=data["resolved"])
        return _answer(comment.draft)


class DraftDiffApi(APIView):
    @extend_schema(
        responses={200: dict},
        summary="Word diff between two saved versions (?old=&new=)",
    )
    def get(self, request: Request, pk: int) -> Response:
        draft = selectors.get_draft_for(request.user, pk)
        try:
            old = int(request.query_params.get("old", 1))
            new = int(request.query_params.get("new", draft.version))
        except ValueError:
            raise ReplypadError("Versions are numbers.", field="old") from None
        diff = selectors.revision_diff(draft, old=old, new=new)
        return Response(
            {
                "old": old,
                "new": new,
                "editors": diff.editors,
                "parts": [{"op": p.op, "text": p.text} for p in diff.parts],
            }
        )


class ReviewQueueApi(APIView):
    @extend_schema(responses=QueueRowSerializer(many=True))
    def get(self, request: Request) -> Response:
        """Drafts waiting for the caller, oldest first; paginated like the
        conversation list (`after` / `before` cursors)."""
        page = selectors.review_queue(
            request.user,
            after=request.query_params.get("after"),
            before=request.query_params.get("before"),
        )
        paginator = InboxCursorPagination()
        paginator.paginate(request, page, selectors.review_queue_count(request.user))
        return paginator.get_paginated_response(
            QueueRowSerializer(page.rows, many=True).data
        )


def _action(name: str, service: Any) -> Any:
    return type(name, (DraftSimpleActionApi,), {"service": staticmethod(service)})


urlpatterns = [
    path("drafts/", DraftListCreateApi.as_view(), name="draft-list"),
    path("drafts/<int:pk>/", DraftDetailApi.as_view(), name="draft-detail"),
    path("drafts/<int:pk>/submit/", DraftSubmitApi.as_view(), name="draft-submit"),
    path("drafts/<int:pk>/approve/", DraftApproveApi.as_view(), name="draft-approve"),
    path(
        "drafts/<int:pk>/request-changes/",
        DraftRequestChangesApi.as_view(),
        name="draft-request-changes",
    ),
    path(
        "drafts/<int:pk>/send/",
        _action("DraftSendApi", services.send_draft).as_view(),
        name="draft-send",
    ),
    path(
        "drafts/<int:pk>/cancel/",
        _action("DraftCancelApi", services.cancel_draft).as_view(),
        name="draft-cancel",
    ),
    path(
        "drafts/<int:pk>/withdraw/",
        _action("DraftWithdrawApi", services.withdraw_draft).as_view(),
        name="draft-withdraw",
    ),
    path(
        "drafts/<int:pk>/take-over/",
        _action("DraftTakeOverApi", services.take_over_lock).as_view(),
        name="draft-take-over",
    ),
    path("drafts/<int:pk>/comments/", DraftCommentApi.as_view(), name="draft-comments"),
    path("drafts/<int:pk>/diff/", DraftDiffApi.as_view(), name="draft-diff"),
    path(
        "comments/<int:pk>/resolve/",
        CommentResolveApi.as_view(),
        name="comment-resolve",
    ),
    path("review-queue/", ReviewQueueApi.as_view(), name="review-queue"),
]
