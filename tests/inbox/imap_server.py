"""A small, real IMAP4rev1 server for tests: the subset `inbox.imap` speaks.

CAPABILITY, LOGIN, SELECT/EXAMINE, UID SEARCH, UID FETCH (BODY.PEEK[]), NOOP and
LOGOUT over plain TCP or TLS, answering as RFC 3501 says (including `N:*`
matching the highest UID). imaplib talks to it exactly as to a real server.
"""

from __future__ import annotations

import re
import socket
import socketserver
import ssl
import threading
from dataclasses import dataclass, field
from typing import Any

_ARGUMENT = re.compile(r'"((?:[^"\\]|\\.)*)"|(\S+)')


def _arguments(text: str) -> list[str]:
    return [
        quoted.replace('\\"', '"').replace("\\\\", "\\")
        if quoted or bare == ""
        else bare
        for quoted, bare in _ARGUMENT.findall(text)
    ]


@dataclass
class Folder:
    uidvalidity: int = 1
    messages: list[tuple[int, bytes]] = field(default_factory=list)

    def append(self, raw: bytes) -> int:
        uid = (self.messages[-1][0] + 1) if self.messages else 1
        self.messages.append((uid, raw))
        return uid


class _Handler(socketserver.StreamRequestHandler):
    server: ImapServer

    def send(self, line: str | bytes) -> None:
        self.wfile.write(line if isinstance(line, bytes) else line.encode() + b"\r\n")

    def handle(self) -> None:
        self.send("* OK [CAPABILITY IMAP4rev1] test server ready")
        folder: Folder | None = None
        authenticated = False
        while True:
            line = self.rfile.readline()
            if not line:
                return
            tag, _, rest = line.decode().rstrip("\r\n").partition(" ")
            command, _, args = rest.partition(" ")
            command = command.upper()
            if command == "CAPABILITY":
                self.send("* CAPABILITY IMAP4rev1")
                self.send(f"{tag} OK CAPABILITY completed")
            elif command == "NOOP":
                self.send(f"{tag} OK NOOP completed")
            elif command == "LOGOUT":
                self.send("* BYE logging out")
                self.send(f"{tag} OK LOGOUT completed")
                return
            elif command == "LOGIN":
                user, password = _arguments(args)[:2]
                authenticated = (user, password) == (
                    self.server.username,
                    self.server.password,
                )
                self.send(
                    f"{tag} OK LOGIN completed"
                    if authenticated
                    else f"{tag} NO [AUTHENTICATIONFAILED] Invalid credentials"
                )
            elif not authenticated:
                self.send(f"{tag} BAD not authenticated")
            elif command in {"SELECT", "EXAMINE"}:
                name = _arguments(args)[0]
                folder = self.server.folders.get(name)
                if folder is None:
                    self.send(f"{tag} NO no such folder")
                    continue
                self.send(f"* {len(folder.messages)} EXISTS")
                self.send(f"* OK [UIDVALIDITY {folder.uidvalidity}] UIDs valid")
                mode = "READ-ONLY" if command == "EXAMINE" else "READ-WRITE"
                self.send(f"{tag} OK [{mode}] {command} completed")
            elif command == "UID" and folder is not None:
                self.uid(tag, args, folder)
            else:
                self.send(f"{tag} BAD unsupported command {command}")

    def uid(self, tag: str, args: str, folder: Folder) -> None:
        subcommand, _, rest = args.partition(" ")
        subcommand = subcommand.upper()
        if subcommand == "SEARCH":
            low, _, high = rest.split()[-1].partition(":")
            uids = [uid for uid, _ in folder.messages]
            top = uids[-1] if uids else 0
            start = int(low)
            end = top if high == "*" else int(high or low)
            found = [uid for uid in uids if start <= uid <= end]
            if high == "*" and not found and top:
                found = [top]
            self.send("* SEARCH " + " ".join(str(uid) for uid in found))
            self.send(f"{tag} OK SEARCH completed")
        elif subcommand == "FETCH":
            wanted = int(rest.split()[0])
            for number, (uid, raw) in enumerate(folder.messages, start=1):
                if uid == wanted:
                    self.send(
                        f"* {number} FETCH (UID {uid} BODY[] {{{len(raw)}}}".encode()
                        + b"\r\n"
                        + raw
                        + b")\r\n"
                    )
            self.send(f"{tag} OK FETCH completed")
        else:
            self.send(f"{tag} BAD unsupported UID command")


class ImapServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(
        self, *, username: str, password: str, ssl_context: ssl.SSLContext | None = None
    ) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.username, self.password = username, password
        self.ssl_context = ssl_context
        self.folders: dict[str, Folder] = {"INBOX": Folder()}
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)

    def get_request(self) -> tuple[socket.socket, Any]:
        connection, address = super().get_request()
        if (
            self.ssl_context is not None
        ):  # IMAPS: TLS from the first byte (port 993 style)
            connection = self.ssl_context.wrap_socket(connection, server_side=True)
        return connection, address

    @property
    def port(self) -> int:
        return self.server_address[1]

    def __enter__(self) -> ImapServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()
        self.server_close()
