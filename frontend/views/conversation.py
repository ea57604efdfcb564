from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from frontend.helpers import HtmxHttpRequest, partial
from inbox import selectors


@login_required
def conversation_detail(request: HtmxHttpRequest, conversation_id: int) -> HttpResponse:
    conversation = selectors.get_conversation_for(request.user, conversation_id)
    context = {
        "conversation": conversation,
        "thread": selectors.thread_for(conversation),
    }
    return render(
        request,
        partial(request, "frontend/conversation/detail.html", "thread"),
        context,
    )
