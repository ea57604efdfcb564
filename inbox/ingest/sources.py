"""Where stored mail comes from on disk: one .eml, a directory of them, an mbox or a Maildir."""

from __future__ import annotations

import mailbox
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path


class MailSourceError(Exception):
    """The path is missing or is not mail in a format `import_mail` reads."""


@dataclass
class MailSource:
    kind: str
    count: int
    messages: Iterator[tuple[str, bytes]]


def _is_maildir(path: Path) -> bool:
    return path.is_dir() and all((path / sub).is_dir() for sub in ("cur", "new"))


def _is_mbox(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(5) == b"From "


def _maildir(path: Path) -> MailSource:
    box = mailbox.Maildir(str(path), factory=None, create=False)
    keys = sorted(box.keys())
    return MailSource(
        "maildir",
        len(keys),
        ((f"{path.name}/{key}", box.get_bytes(key)) for key in keys),
    )


def _mbox(path: Path) -> MailSource:
    box = mailbox.mbox(str(path), factory=None, create=False)
    keys = list(box.keys())
    return MailSource(
        "mbox",
        len(keys),
        (
            (f"{path.name}#{number + 1}", box.get_bytes(key))
            for number, key in enumerate(keys)
        ),
    )


def _directory(path: Path) -> MailSource:
    files = sorted(
        child
        for child in path.rglob("*")
        if child.is_file() and not child.name.startswith(".")
    )
    files = [child for child in files if child.suffix.lower() == ".eml"] or files
    return MailSource(
        "directory",
        len(files),
        ((str(child.relative_to(path)), child.read_bytes()) for child in files),
    )


def open_source(path: str | Path) -> MailSource:
    """The messages under `path`, lazily read, with their count for a progress bar."""
    path = Path(path)
    if not path.exists():
        raise MailSourceError(f"{path} does not exist")
    if _is_maildir(path):
        return _maildir(path)
    if path.is_dir():
        return _directory(path)
    if _is_mbox(path):
        return _mbox(path)
    return MailSource("eml", 1, iter([(path.name, path.read_bytes())]))
