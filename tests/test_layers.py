"""Dependencies point one way: an app imports only the apps it builds on.

`inbox` is the ground; the domain apps build on it; `frontend`, `demo` and
`benchmarks` sit on top and nothing imports them. Read from the source (AST),
so a lazy import inside a function counts as much as one at the top.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

DOMAIN_BASE = {"replypad", "inbox"}
DOMAIN = {
    "inbox",
    "templates_app",
    "notes",
    "empathy",
    "review",
    "scheduler",
    "insights",
}

# app → the apps of ours it may import. The project package `replypad` holds
# settings, errors and the Celery app; it names apps only as strings (URLconf).
MAY_IMPORT: dict[str, set[str]] = {
    "replypad": set(),
    "inbox": {"replypad"},
    "templates_app": DOMAIN_BASE,
    "notes": DOMAIN_BASE,
    "empathy": DOMAIN_BASE,
    "review": DOMAIN_BASE | {"templates_app", "notes", "empathy"},
    "scheduler": DOMAIN_BASE | {"templates_app", "notes", "empathy", "review"},
    "insights": DOMAIN_BASE
    | {"templates_app", "notes", "empathy", "review", "scheduler"},
    "frontend": {"replypad"} | DOMAIN,
    "demo": {"replypad"} | DOMAIN,
    "benchmarks": {"replypad", "demo"} | DOMAIN,
}


def _imported_packages(source: str) -> set[str]:
    packages = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            packages.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            packages.add(node.module.split(".")[0])
    return packages


def layer_violations(root: Path) -> list[str]:
    """'app/module.py imports other' for every import that points the wrong way."""
    ours = set(MAY_IMPORT)
    found = []
    for app, allowed in sorted(MAY_IMPORT.items()):
        for path in sorted((root / app).rglob("*.py")):
            imported = _imported_packages(path.read_text(encoding="utf-8"))
            for other in sorted((imported & ours) - allowed - {app}):
                found.append(f"{path.relative_to(root)} imports {other}")
    return found


def test_no_app_imports_an_app_that_builds_on_it():
    assert layer_violations(REPO) == []


def test_every_app_has_a_place_in_the_layers():
    apps = {path.parent.name for path in REPO.glob("*/apps.py")}

    assert apps - set(MAY_IMPORT) == set()


@pytest.mark.parametrize(
    "statement",
    ["from notes import services", "import notes.models", "from notes.x import y"],
)
def test_the_check_fails_when_inbox_imports_notes(tmp_path, statement):
    module = tmp_path / "inbox" / "services.py"
    module.parent.mkdir()
    module.write_text(f"def later():\n    {statement}\n")

    assert layer_violations(tmp_path) == ["inbox/services.py imports notes"]
