"""Parse one hostile case in this process and print seconds and peak MB as JSON.

Run as `python -m tests.security.measure CASE`: a runaway parse is measured in
a child process, so it can neither take the test run down nor hide its memory.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time

import django


def main(case: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "replypad.settings")
    django.setup()
    from inbox.ingest.parsing import parse_email
    from tests.security.hostile import CASES

    raw = CASES[case]()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.monotonic()
    parsed = parse_email(raw, max_bytes=50_000_000)
    seconds = time.monotonic() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    report = {"seconds": seconds, "peak_mb": peak / 1024, "defects": parsed.defects}
    sys.stdout.write(json.dumps(report) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
