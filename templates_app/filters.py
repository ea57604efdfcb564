"""Pure helpers behind the template filters: first-name guessing, dates."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

HONORIFICS = frozenset(
    {
        "mr",
        "mrs",
        "ms",
        "miss",
        "mx",
        "dr",
        "prof",
        "sir",
        "madam",
        "dame",
        "rev",
        "fr",
        "mme",
        "mlle",
        "m",
        "herr",
        "frau",
        "sr",
        "sra",
        "srta",
    }
)
_BRACKETED = re.compile(r"[\(\[<].*?[\)\]>]")
_NAME_CHARS = re.compile(r"^[^\W\d_](?:[^\W\d_]|['\-])*$")
_EMAIL_SEPARATORS = re.compile(r"[._+]")
# Words that mark a team or company rather than a person.
ROLE_WORDS = frozenset(
    {
        "support",
        "team",
        "sales",
        "info",
        "admin",
        "billing",
        "help",
        "helpdesk",
        "service",
        "services",
        "noreply",
        "no-reply",
        "office",
        "accounts",
        "department",
        "inc",
        "ltd",
        "llc",
        "gmbh",
    }
)
MAX_STRFTIME_CHARS = 40

DATE_STYLES = {
    # "Monday 2 March 2026"
    "long": "{weekday} {day} {month} {year}",
    # "2 Mar 2026"
    "short": "{day} {mon} {year}",
    # "Monday 2 March"
    "day": "{weekday} {day} {month}",
}
DATETIME_STYLES = {
    # "Monday 2 March 2026 at 10:00 GMT"
    "long": "{weekday} {day} {month} {year} at {hh}:{mm} {zone}",
    # "2 Mar 2026, 10:00 GMT"
    "short": "{day} {mon} {year}, {hh}:{mm} {zone}",
    # "Monday at 10:00 GMT"
    "day": "{weekday} at {hh}:{mm} {zone}",
    # "10:00 GMT"
    "time": "{hh}:{mm} {zone}",
}


def _tidy_case(word: str) -> str:
    if word.isupper() or word.islower():
        return "-".join(part.capitalize() for part in word.split("-"))
    return word


def guess_first_name(display_name: str) -> str:
    """Best guess at how to greet someone from a display name or address.

    "Dr. Jane A. Smith" -> "Jane", "SMITH, JANE" -> "Jane",
    "jean-luc.picard@example.com" -> "Jean-Luc". Returns "" when there is no
    safe guess (a role account, a bare surname-looking token, digits), so
    the template falls back to its `default`.
    """
    text = (display_name or "").strip().strip("\"'")
    if not text:
        return ""
    if "@" in text and " " not in text:
        local = text.split("@", 1)[0]
        parts = [part for part in _EMAIL_SEPARATORS.split(local) if part]
        if len(parts) < 2:
            # "jsmith@..." or "support@...": no separator, no safe guess.
            return ""
        text = parts[0]
    text = _BRACKETED.sub(" ", text)
    if "," in text:
        surname, _, given = text.partition(",")
        text = given if given.strip() else surname
    tokens = [token.strip(".,;:\"'") for token in text.split()]
    if any(token.lower() in ROLE_WORDS for token in tokens):
        return ""
    skipped = False
    for index, token in enumerate(tokens):
        if token.lower() in HONORIFICS or len(token) <= 1:
            skipped = True
            continue
        if not _NAME_CHARS.match(token):
            return ""
        if skipped and index == len(tokens) - 1:
            # "Mr Smith", "J. R. R. Tolkien": only a surname is left.
            return ""
        return _tidy_case(token)
    return ""


def zone_named(name: str | None) -> tzinfo:
    """The named IANA zone, or UTC for an empty or unknown name."""
    if not name:
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def _as_datetime(value: datetime | date | str) -> datetime | date:
    if isinstance(value, str):
        parsed = datetime.fromisoformat(value.strip())
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    if isinstance(value, datetime) and value.tzinfo is None:
        # Naive datetimes are stored UTC throughout Replypad (USE_TZ=True).
        return value.replace(tzinfo=UTC)
    return value


def format_moment(
    value: datetime | date | str,
    style: str,
    zone: tzinfo,
    *,
    with_time: bool,
) -> str:
    """Format a moment for a customer: converted into `zone`, spelled out.

    `style` is a named style (see DATE_STYLES / DATETIME_STYLES) or an
    strftime pattern of at most MAX_STRFTIME_CHARS characters.
    """
    moment = _as_datetime(value)
    if isinstance(moment, datetime):
        moment = moment.astimezone(zone)
    styles = DATETIME_STYLES if with_time else DATE_STYLES
    if style not in styles:
        if len(style) > MAX_STRFTIME_CHARS:
            raise ValueError(f"date format is limited to {MAX_STRFTIME_CHARS} chars")
        return moment.strftime(style)
    fields = {
        "weekday": moment.strftime("%A"),
        "day": moment.day,
        "month": moment.strftime("%B"),
        "mon": moment.strftime("%b"),
        "year": moment.year,
        "hh": "00",
        "mm": "00",
        "zone": "",
    }
    if isinstance(moment, datetime):
        fields.update(
            hh=f"{moment.hour:02d}",
            mm=f"{moment.minute:02d}",
            zone=moment.tzname() or "",
        )
    return styles[style].format(**fields).strip()
