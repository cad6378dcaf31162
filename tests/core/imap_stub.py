"""A small IMAP4rev1 server on loopback for the PEC tests: one mailbox, the messages given,
only what core.pec uses (LOGIN, SELECT, UID SEARCH/FETCH/STORE, LOGOUT). It keeps no flags:
every run sees every message again, so that the reader's own idempotency is what is tested."""

from __future__ import annotations

import re
import socketserver
import threading


class _Handler(socketserver.StreamRequestHandler):
    def _send(self, line: bytes) -> None:
        self.wfile.write(line + b"\r\n")

    def handle(self) -> None:
        server = self.server
        self._send(b"* OK IMAP4rev1 stub ready")
        while True:
            line = self.rfile.readline()
            if not line:
                return
            tag, _, rest = line.rstrip(b"\r\n").partition(b" ")
            command, _, args = rest.partition(b" ")
            command = command.upper()
            if command == b"CAPABILITY":
                self._send(b"* CAPABILITY IMAP4rev1 AUTH=PLAIN")
            elif command == b"LOGIN":
                parts = [p.strip(b'"') for p in args.split(b" ")]
                if parts != [server.user, server.password]:
                    self._send(tag + b" NO LOGIN failed")
                    continue
                server.logins += 1
            elif command == b"SELECT":
                self._send(b"* %d EXISTS" % len(server.messages))
                self._send(b"* FLAGS (\\Seen)")
                self._send(tag + b" OK [READ-WRITE] SELECT completed")
                continue
            elif command == b"UID":
                sub, _, uid_args = args.partition(b" ")
                sub = sub.upper()
                if sub == b"SEARCH":
                    uids = b" ".join(b"%d" % (i + 1) for i in range(len(server.messages)))
                    self._send(b"* SEARCH " + uids if uids else b"* SEARCH")
                elif sub == b"FETCH":
                    uid = int(re.match(rb"\d+", uid_args).group())
                    body = server.messages[uid - 1]
                    self.wfile.write(b"* %d FETCH (UID %d BODY[] {%d}\r\n" % (uid, uid, len(body)))
                    self.wfile.write(body + b")\r\n")
                elif sub == b"STORE":
                    server.stored.append(uid_args)
            elif command == b"LOGOUT":
                self._send(b"* BYE logging out")
                self._send(tag + b" OK LOGOUT completed")
                return
            else:
                self._send(tag + b" BAD unknown command")
                continue
            self._send(tag + b" OK " + command + b" completed")


class ImapStub(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, messages: list[bytes], user: bytes = b"pec", password: bytes = b"secret"):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.messages, self.user, self.password = messages, user, password
        self.logins = 0
        self.stored: list[bytes] = []
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"imap://{self.user.decode()}:{self.password.decode()}@127.0.0.1:{self.server_address[1]}/INBOX"

    def __enter__(self) -> ImapStub:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.shutdown()
        self.server_close()
