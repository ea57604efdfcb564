"""`manage.py bench hostile`: the worst inbound mail of the hardening catalogue.

Each case is parsed and filed by the real pipeline in a child process (so a
runaway case can neither hang the command nor hide its memory), and reported
with its seconds, peak MB above the child's baseline and the raw row's final
status. Every case must stay within 5 s and 300 MB and never stay `pending`.
The raw rows are filed under no mailbox (rejected) and removed afterwards.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from typing import Any

from django.conf import settings

SECONDS = 5
PEAK_MB = 300

_HEAD = b"To: support@acme.test\r\nMessage-ID: <hostile@customer.test>\r\nDate: Wed, 2 Dec 2026 10:00:00 +0000\r\n"


def _mail(headers: bytes, body: bytes = b"Hello\r\n") -> bytes:
    return _HEAD + headers + b"\r\n" + body


def subject_of_encoded_words() -> bytes:
    """70,000 `=?utf-8?q?a?=` words in one Subject (980 KB)."""
    words = b" ".join([b"=?utf-8?q?a?="] * 70_000)
    return _mail(b"From: dana@customer.test\r\nSubject: " + words + b"\r\n")


def from_of_encoded_words() -> bytes:
    """8,000 encoded words as the sender's display name."""
    words = b" ".join([b"=?utf-8?q?a?="] * 8_000)
    return _mail(b"From: " + words + b" <dana@customer.test>\r\nSubject: Hi\r\n")


def content_type_of_semicolons() -> bytes:
    """A Content-Type with 100,000 `;` after the type."""
    return _mail(
        b"From: dana@customer.test\r\nSubject: Hi\r\nContent-Type: text/plain"
        + b";" * 100_000
        + b"\r\n"
    )


def filename_continuations() -> bytes:
    """An attachment whose name is 10,000 RFC 2231 `filename*N*` continuations."""
    parameters = b";\r\n ".join(b"filename*%d*=a" % n for n in range(10_000))
    body = (
        b"--b\r\nContent-Type: text/plain\r\n\r\nSee attached\r\n"
        b"--b\r\nContent-Type: application/octet-stream\r\n"
        b"Content-Disposition: attachment;\r\n "
        + parameters
        + b"\r\n\r\nxx\r\n--b--\r\n"
    )
    return _mail(
        b"From: dana@customer.test\r\nSubject: Hi\r\n"
        b'Content-Type: multipart/mixed; boundary="b"\r\n',
        body,
    )


def deeply_nested_html() -> bytes:
    """200,000 nested `<div>` (2.4 MB) as the HTML body."""
    html = b"<div>" * 200_000 + b"deep" + b"</div>" * 200_000
    return _mail(
        b"From: dana@customer.test\r\nSubject: Hi\r\nContent-Type: text/html\r\n",
        html + b"\r\n",
    )


CASES = {
    "subject_70000_encoded_words": subject_of_encoded_words,
    "from_8000_encoded_words": from_of_encoded_words,
    "content_type_100000_semicolons": content_type_of_semicolons,
    "filename_10000_continuations": filename_continuations,
    "html_200000_nested_divs": deeply_nested_html,
}


def measure(case: str) -> dict[str, Any]:
    """Parse and file one case in this process: seconds, peak MB, final status."""
    from inbox.ingest import ingest_raw_email
    from inbox.models import RawEmail

    raw = CASES[case]()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.monotonic()
    result = ingest_raw_email(raw, source=RawEmail.Source.API)
    seconds = time.monotonic() - started
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    raw_email = RawEmail.objects.get(pk=result.raw_email_id)
    figures = {
        "seconds": round(seconds, 3),
        "peak_mb": round(peak_kb / 1024, 1),
        "status": raw_email.status,
        "reason": raw_email.reason[:300],
    }
    raw_email.delete()
    return figures


def measure_in_child(case: str, *, env: dict[str, str] | None = None) -> dict[str, Any]:
    child = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "benchmarks.hostile", case],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return json.loads(child.stdout.splitlines()[-1])


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--case", choices=sorted(CASES), action="append")


def run(options: argparse.Namespace, stdout: Any = None) -> dict[str, Any]:
    figures: dict[str, Any] = {}
    for case in options.case or sorted(CASES):
        measured = measure_in_child(case)
        measured["ok"] = (
            measured["seconds"] <= SECONDS
            and measured["peak_mb"] <= PEAK_MB
            and measured["status"] != "pending"
        )
        figures[case] = measured
    return figures


if __name__ == "__main__":
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "replypad.settings")
    django.setup()
    sys.stdout.write(json.dumps(measure(sys.argv[1])) + "\n")
