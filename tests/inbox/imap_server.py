"""A minimal but real IMAP4rev1 server on loopback, for imaplib to talk to in tests.

It speaks enough of RFC 3501 over a socket for a mail client that polls: CAPABILITY, LOGIN,
SELECT, SEARCH (ALL, UNSEEN), FETCH (RFC822, BODY[], BODY.PEEK[], FLAGS), STORE +FLAGS,
NOOP and LOGOUT, with quoted strings and message sets (1,3 and 2:4). One mailbox per folder.
"""

from __future__ import annotations

import re
import socketserver
import threading
from dataclasses import dataclass, field


@dataclass
class Mail:
    raw: bytes
    flags: set[str] = field(default_factory=set)


@dataclass
class Mailbox:
    user: str
    password: str
    folders: dict[str, list[Mail]] = field(default_factory=lambda: {"INBOX": []})
    commands: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def deliver(self, raw: bytes, folder: str = "INBOX") -> None:
        with self.lock:
            self.folders.setdefault(folder, []).append(Mail(raw))

    def unseen(self, folder: str = "INBOX") -> int:
        with self.lock:
            return sum(1 for m in self.folders[folder] if "\\Seen" not in m.flags)


_TOKEN = re.compile(r'"((?:[^"\\]|\\.)*)"|(\([^)]*\))|(\S+)')


def _args(text: str) -> list[str]:
    out = []
    for quoted, group, atom in _TOKEN.findall(text):
        if group:
            out.append(group)
        elif atom:
            out.append(atom)
        else:
            out.append(re.sub(r"\\(.)", r"\1", quoted))
    return out


def _numbers(spec: str, count: int) -> list[int]:
    result: list[int] = []
    for part in spec.split(","):
        low, _, high = part.partition(":")
        start = count if low == "*" else int(low)
        end = start if not high else (count if high == "*" else int(high))
        result.extend(n for n in range(min(start, end), max(start, end) + 1) if 1 <= n <= count)
    return result


class _Handler(socketserver.StreamRequestHandler):
    server: ImapServer

    def send(self, line: str | bytes) -> None:
        data = line if isinstance(line, bytes) else line.encode()
        self.wfile.write(data + b"\r\n")

    def handle(self) -> None:
        box = self.server.mailbox
        authed = False
        folder: str | None = None
        self.send("* OK [CAPABILITY IMAP4rev1] devday test IMAP ready")
        while True:
            line = self.rfile.readline()
            if not line:
                return
            text = line.decode().rstrip("\r\n")
            tag, _, rest = text.partition(" ")
            command, _, argtext = rest.partition(" ")
            command = command.upper()
            with box.lock:
                box.commands.append(command if command != "LOGIN" else "LOGIN")
            args = _args(argtext)
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
                if args[:2] == [box.user, box.password]:
                    authed = True
                    self.send(f"{tag} OK LOGIN completed")
                else:
                    self.send(f"{tag} NO [AUTHENTICATIONFAILED] invalid credentials")
            elif not authed:
                self.send(f"{tag} BAD log in first")
            elif command in ("SELECT", "EXAMINE"):
                name = args[0] if args else ""
                if name not in box.folders:
                    self.send(f"{tag} NO no such mailbox")
                    continue
                folder = name
                with box.lock:
                    count = len(box.folders[name])
                self.send("* FLAGS (\\Seen \\Answered \\Flagged \\Deleted \\Draft)")
                self.send(f"* {count} EXISTS")
                self.send("* 0 RECENT")
                self.send(f"{tag} OK [READ-WRITE] SELECT completed")
            elif folder is None:
                self.send(f"{tag} BAD select a mailbox first")
            elif command == "SEARCH":
                with box.lock:
                    mails = box.folders[folder]
                    wanted = [
                        str(i)
                        for i, m in enumerate(mails, 1)
                        if "UNSEEN" not in argtext.upper() or "\\Seen" not in m.flags
                    ]
                self.send(("* SEARCH " + " ".join(wanted)).rstrip())
                self.send(f"{tag} OK SEARCH completed")
            elif command == "FETCH":
                self.fetch(tag, folder, args)
            elif command == "STORE":
                self.store(tag, folder, args)
            else:
                self.send(f"{tag} BAD unknown command {command}")

    def fetch(self, tag: str, folder: str, args: list[str]) -> None:
        box = self.server.mailbox
        items = " ".join(args[1:]).strip("()").upper()
        with box.lock:
            mails = box.folders[folder]
            for number in _numbers(args[0], len(mails)):
                mail = mails[number - 1]
                if "FLAGS" in items and "BODY" not in items and "RFC822" not in items:
                    self.send(f"* {number} FETCH (FLAGS ({' '.join(sorted(mail.flags))}))")
                    continue
                name = "RFC822" if "RFC822" in items else "BODY[]"
                if "PEEK" not in items:
                    mail.flags.add("\\Seen")  # RFC 3501: fetching the body sets \Seen
                self.wfile.write(f"* {number} FETCH ({name} {{{len(mail.raw)}}}\r\n".encode())
                self.wfile.write(mail.raw)
                self.send(")")
        self.send(f"{tag} OK FETCH completed")

    def store(self, tag: str, folder: str, args: list[str]) -> None:
        box = self.server.mailbox
        mode = args[1].upper()
        flags = {f for f in " ".join(args[2:]).strip("()").split() if f}
        with box.lock:
            mails = box.folders[folder]
            for number in _numbers(args[0], len(mails)):
                mail = mails[number - 1]
                if mode.startswith("+"):
                    mail.flags |= flags
                elif mode.startswith("-"):
                    mail.flags -= flags
                else:
                    mail.flags = set(flags)
                if ".SILENT" not in mode:
                    self.send(f"* {number} FETCH (FLAGS ({' '.join(sorted(mail.flags))}))")
        self.send(f"{tag} OK STORE completed")


class ImapServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, mailbox: Mailbox) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.mailbox = mailbox
        self._thread = threading.Thread(target=self.serve_forever, args=(0.05,), daemon=True)

    @property
    def port(self) -> int:
        port: int = self.server_address[1]
        return port

    def start(self) -> ImapServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.shutdown()
        self.server_close()
        self._thread.join()
