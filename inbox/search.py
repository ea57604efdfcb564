"""Keyword search over conversations, fast for rare and common words alike.

PostgreSQL: messages carry a tsvector kept by a trigger (migration 0002_search)
and a GIN index. "Newest N matches" is a planner trap (PERFORMANCE.md): for a rare
word the planner walks the primary key backwards through millions of rows, and a
fully materialised match set hurts common words. So the search runs in up to
three bounded steps, each exact when it answers:

1. Recent window: the newest RECENT_WINDOW messages (a primary-key walk of fixed
   length) filtered by the query. A common or 1% word finds enough matches here,
   and since they are the newest messages, they are the newest matches.
2. Capped index lookup: at most MATCH_CAP matches from the GIN index,
   materialised, then sorted. A rare word has few matches, so this is all of them.
3. Sorted walk: only when a word is rare in the window but has more than
   MATCH_CAP matches overall; at that density the backward walk is short.

Conversations whose subject or customer name matches (their own tsvector) fill
the page when messages alone do not.

SQLite (the `make run` default) falls back to case-insensitive substring search.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Q
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from inbox import selectors
from inbox.models import Conversation, Message

RECENT_WINDOW = 5_000
MATCH_CAP = 5_000
MAX_QUERY_LENGTH = 200
# ts_headline marks matches with these control characters; the text is escaped
# afterwards and they become <mark>, so message text can never inject HTML.
START, STOP = "\x02", "\x03"
HEADLINE_OPTIONS = (
    f"StartSel={START}, StopSel={STOP}, MaxWords=30, MinWords=12, "
    'MaxFragments=2, FragmentDelimiter=" … "'
)


@dataclass
class SearchHit:
    conversation: Conversation
    message_id: int | None
    highlight: SafeString = field(default_factory=lambda: mark_safe(""))


@dataclass
class SearchResults:
    query: str
    hits: list[SearchHit]
    strategy: str

    @property
    def conversations(self) -> list[Conversation]:
        return [hit.conversation for hit in self.hits]


def normalise_query(query: str) -> str:
    return " ".join(query.split())[:MAX_QUERY_LENGTH]


def render_highlight(fragment: str) -> SafeString:
    """Escape a headline fragment, then turn the match sentinels into <mark>."""
    escaped = str(escape(" ".join(fragment.split())))
    return mark_safe(  # noqa: S308 - escaped above; only our own tags are added
        escaped.replace(START, "<mark>").replace(STOP, "</mark>")
    )


def search_conversations(
    user: Any,
    query: str,
    *,
    limit: int = 25,
    filters: Mapping[str, Any] | None = None,
) -> SearchResults:
    """The newest conversations matching `query` in the user's mailboxes.

    Each hit carries the matching message (if any) and an escaped snippet with the
    matched words in <mark>. Outside the user's mailboxes nothing is ever found.
    `filters` are selectors.filter_conversations' keywords; they narrow the
    newest matches.
    """
    filters = dict(filters or {})
    query = normalise_query(query)
    mailbox_ids = selectors.mailbox_ids_for(user)
    mailbox_id = filters.get("mailbox_id")
    if mailbox_id is not None:
        mailbox_ids = [m for m in mailbox_ids if m == int(mailbox_id)]
    if not query or not mailbox_ids:
        return SearchResults(query=query, hits=[], strategy="empty")
    if connection.vendor == "postgresql":
        pairs, highlights, strategy = _postgres_matches(query, mailbox_ids, limit)
    else:
        pairs, strategy = _fallback_matches(query, mailbox_ids, limit)
        highlights = _fallback_highlights(query, [m for _, m in pairs if m])
    rows = (
        selectors.filter_conversations(
            selectors.conversations_for(user), user, **filters
        )
        .filter(pk__in=[c for c, _ in pairs])
        .select_related(None)
        .select_related("customer", "assignee")
        .only(*selectors.LIST_ROW_FIELDS)
    )
    conversations = {c.pk: c for c in rows}
    hits = [
        SearchHit(
            conversation=conversations[conversation_id],
            message_id=message_id,
            highlight=highlights.get(message_id, mark_safe("")),
        )
        for conversation_id, message_id in pairs
        if conversation_id in conversations
    ]
    return SearchResults(query=query, hits=hits, strategy=strategy)


# --- PostgreSQL ------------------------------------------------------------------

# Every step's top rows come back with their highlighted snippet, computed by
# ts_headline for those few rows only, in the same round trip.

# Step 1: the newest RECENT_WINDOW messages, whatever the mailbox, by primary key.
_RECENT_SQL = """
WITH top AS (
    SELECT conversation_id, max(id) AS newest FROM (
        SELECT id, conversation_id, mailbox_id, search_vector FROM inbox_message
        ORDER BY id DESC LIMIT %(window)s
    ) recent
    WHERE recent.search_vector @@ websearch_to_tsquery('english', %(q)s) AND recent.mailbox_id = ANY(%(mailboxes)s)
    GROUP BY conversation_id ORDER BY newest DESC LIMIT %(limit)s
)
SELECT top.*, ts_headline('english', left(m.visible_text, 20000),
                          websearch_to_tsquery('english', %(q)s), %(options)s)
FROM top JOIN inbox_message m ON m.id = top.newest
ORDER BY top.newest DESC
"""

# Step 2: at most MATCH_CAP matches from the GIN index, materialised so the planner
# cannot turn it into a backward primary-key walk.
_CAPPED_SQL = """
WITH top AS (
    WITH hits AS MATERIALIZED (
        SELECT id, conversation_id FROM inbox_message
        WHERE search_vector @@ websearch_to_tsquery('english', %(q)s) AND mailbox_id = ANY(%(mailboxes)s)
        LIMIT %(cap)s
    )
    SELECT conversation_id, max(id) AS newest, (SELECT count(*) FROM hits) AS total
    FROM hits GROUP BY conversation_id ORDER BY newest DESC LIMIT %(limit)s
)
SELECT top.*, ts_headline('english', left(m.visible_text, 20000),
                          websearch_to_tsquery('english', %(q)s), %(options)s)
FROM top JOIN inbox_message m ON m.id = top.newest
ORDER BY top.newest DESC
"""

# Step 3: dense enough (more than MATCH_CAP matches) for a short backward walk.
_SORTED_SQL = """
WITH top AS (
    SELECT conversation_id, max(id) AS newest FROM (
        SELECT id, conversation_id FROM inbox_message
        WHERE search_vector @@ websearch_to_tsquery('english', %(q)s) AND mailbox_id = ANY(%(mailboxes)s)
        ORDER BY id DESC LIMIT %(walk)s
    ) newest_hits
    GROUP BY conversation_id ORDER BY newest DESC LIMIT %(limit)s
)
SELECT top.*, ts_headline('english', left(m.visible_text, 20000),
                          websearch_to_tsquery('english', %(q)s), %(options)s)
FROM top JOIN inbox_message m ON m.id = top.newest
ORDER BY top.newest DESC
"""

# Subject and customer matches for conversations, to fill a page of rare words.
_CONVERSATION_SQL = """
WITH hits AS MATERIALIZED (
    SELECT id, last_activity_at FROM inbox_conversation
    WHERE search_vector @@ websearch_to_tsquery('simple', %(q)s)
      OR search_vector @@ websearch_to_tsquery('english', %(q)s)
    LIMIT %(cap)s
)
SELECT hits.id FROM hits JOIN inbox_conversation c ON c.id = hits.id
WHERE c.mailbox_id = ANY(%(mailboxes)s)
ORDER BY hits.last_activity_at DESC, hits.id DESC LIMIT %(limit)s
"""


def _fetch(sql: str, params: dict[str, Any]) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _postgres_matches(
    query: str, mailbox_ids: list[int], limit: int
) -> tuple[list[tuple[int, int | None]], dict[int, SafeString], str]:
    params = {
        "q": query,
        "mailboxes": mailbox_ids,
        "limit": limit,
        "window": RECENT_WINDOW,
        "cap": MATCH_CAP,
        "walk": limit * 20,
        "options": HEADLINE_OPTIONS,
    }
    rows = [(c, m, h) for c, m, h in _fetch(_RECENT_SQL, params)]
    strategy = "recent"
    if len(rows) < limit:
        capped = _fetch(_CAPPED_SQL, params)
        total = capped[0][2] if capped else 0
        if total < MATCH_CAP:
            rows, strategy = [(c, m, h) for c, m, _, h in capped], "capped"
        else:
            rows, strategy = list(_fetch(_SORTED_SQL, params)), "sorted"
    pairs: list[tuple[int, int | None]] = [(c, m) for c, m, _ in rows]
    highlights = {m: render_highlight(h or "") for _, m, h in rows}
    if len(pairs) < limit:
        seen = {c for c, _ in pairs}
        extra = _fetch(_CONVERSATION_SQL, {**params, "limit": limit})
        pairs += [(c, None) for (c,) in extra if c not in seen][: limit - len(pairs)]
    return pairs, highlights, strategy


# --- SQLite fallback ---------------------------------------------------------------


def _terms(query: str) -> list[str]:
    return [t for t in re.split(r"\W+", query) if t][:8] or [query]


def _fallback_matches(
    query: str, mailbox_ids: list[int], limit: int
) -> tuple[list[tuple[int, int | None]], str]:
    condition = Q()
    for term in _terms(query):
        condition &= Q(subject__icontains=term) | Q(visible_text__icontains=term)
    pairs: list[tuple[int, int | None]] = []
    seen: set[int] = set()
    candidates = (
        Message.objects.filter(condition, mailbox_id__in=mailbox_ids)
        .order_by("-id")
        .values_list("conversation_id", "id")
    )
    for conversation_id, message_id in candidates[: limit * 20]:
        if conversation_id not in seen:
            seen.add(conversation_id)
            pairs.append((conversation_id, message_id))
        if len(pairs) == limit:
            break
    return pairs, "substring"


def _fallback_highlights(query: str, message_ids: list[int]) -> dict[int, SafeString]:
    pattern = re.compile("|".join(re.escape(t) for t in _terms(query)), re.IGNORECASE)
    highlights = {}
    for pk, text in Message.objects.filter(pk__in=message_ids).values_list(
        "id", "visible_text"
    ):
        match = pattern.search(text)
        start = max(0, match.start() - 60) if match else 0
        fragment = text[start : start + 200]
        highlights[pk] = render_highlight(
            pattern.sub(lambda m: f"{START}{m.group(0)}{STOP}", fragment)
        )
    return highlights
