"""Small pieces every frontend view shares."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.html import escape
from django_htmx.middleware import HtmxDetails

from replypad.errors import ReplypadError


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


def error_response(error: ReplypadError) -> HttpResponse:
    """A refused action as a small HTML fragment htmx can show in place."""
    response = HttpResponse(
        f'<div class="flash flash-error" role="alert">{escape(error.message)}</div>',
        status=error.status_code,
    )
    response["HX-Retarget"] = "#flash"
    response["HX-Reswap"] = "innerHTML"
    return response


def partial(request: HtmxHttpRequest, template: str, region: str) -> str:
    """The whole page normally, only `region` when htmx asks for it."""
    return f"{template}#{region}" if request.htmx else template
