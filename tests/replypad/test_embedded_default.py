from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def test_the_embedded_sqlite_default_serves_the_main_pages(tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "EMAIL_BACKEND"}
    }
    env["REPLYPAD_VAR_DIR"] = str(tmp_path)

    result = subprocess.run(
        [sys.executable, "-m", "tests.replypad.sqlite_smoke"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        cwd=Path(__file__).resolve().parents[2],
    )

    assert result.returncode == 0, result.stderr[-3000:]
    statuses = [line.split(" ", 1) for line in result.stdout.strip().splitlines()]
    assert statuses
    assert all(code == "200" for code, _ in statuses), result.stdout
