"""The composer's live empathy findings (htmx)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from empathy import services
from empathy.checker import MAX_CHARS, Finding
from frontend.helpers import HtmxHttpRequest
from inbox import selectors

CONTEXT_CHARS = 30


@dataclass(frozen=True)
class ShownFinding:
    finding: Finding
    phrase: str
    before: str
    after: str

    @property
    def label(self) -> str:
        return " ".join(self.finding.suggestion.split())


def _shown(text: str, findings: list[Finding]) -> list[ShownFinding]:
    """Each finding with the words around it, for the quote in the card."""
    return [
        ShownFinding(
            finding=f,
            phrase=text[f.start : f.end],
            before=text[max(0, f.start - CONTEXT_CHARS) : f.start],
            after=text[f.end : f.end + CONTEXT_CHARS],
        )
        for f in findings
    ]


@require_POST
@login_required
def check_reply(request: HtmxHttpRequest) -> HttpResponse:
    conversation_id = request.POST.get("conversation")
    conversation = (
        selectors.get_conversation_for(request.user, conversation_id)
        if conversation_id
        else None
    )
    # As the reply form sends it: the typed box first, else a canned reply's text.
    text = next((b for b in request.POST.getlist("body") if b.strip()), "")[:MAX_CHARS]
    findings = services.check_reply_for(
        text,
        conversation=conversation,
        resolves=request.POST.get("empathy_resolves") == "1",
    )
    counts = Counter(f.severity for f in findings)
    return render(
        request,
        "frontend/empathy/assist.html#findings",
        {"findings": _shown(text, findings), "counts": counts},
    )
