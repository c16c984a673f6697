"""A real SMTP server for tests: aiosmtpd on 127.0.0.1 and a free port, collecting messages."""

from __future__ import annotations

import email
import email.policy
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

MAIL_FROM = "Manual team <manual@partnership.example.eu>"


@dataclass(frozen=True)
class Received:
    """One message as the server took it: the envelope and the parsed message."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    message: EmailMessage


@dataclass
class MailServer:
    """What a test sees: where the server listens, what it received, whom it refuses."""

    host: str = "127.0.0.1"
    port: int = 0
    received: list[Received] = field(default_factory=list)
    refused: set[str] = field(default_factory=set)  # RCPT TO of these gets a 550
    replies: dict[str, str] = field(default_factory=dict)  # or this reply instead
    logins: list[str] = field(default_factory=list)

    def to(self, address: str) -> list[EmailMessage]:
        """The messages received for `address`."""
        return [r.message for r in self.received if address in r.rcpt_tos]

    def config(
        self, mail_from: str = "Manual team <manual@partnership.example.eu>"
    ) -> dict[str, Any]:
        """App config overrides that send mail through this server."""
        return {"SMTP_HOST": self.host, "SMTP_PORT": self.port, "MAIL_FROM": mail_from}


class _Handler:
    def __init__(self, server: MailServer) -> None:
        self.server = server

    async def handle_RCPT(
        self, _smtp: Any, _session: Any, envelope: Any, address: str, _options: Any
    ) -> str:
        if address.lower() in self.server.replies:
            return self.server.replies[address.lower()]
        if address.lower() in self.server.refused:
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, _smtp: Any, _session: Any, envelope: Any) -> str:
        # Line ends as a mail client shows them, so that tests can look for whole lines.
        content = envelope.content.replace(b"\r\n", b"\n")
        parsed = email.message_from_bytes(content, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        received = Received(envelope.mail_from, tuple(envelope.rcpt_tos), parsed)
        self.server.received.append(received)
        return "250 Message accepted for delivery"


class _FreePortController(Controller):  # type: ignore[misc]  # aiosmtpd is untyped
    """Listens on port 0 (a free port, no race) and learns the real port from its socket."""

    def _trigger_server(self) -> None:
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


@contextmanager
def running_server(credentials: tuple[str, str] | None = None) -> Iterator[MailServer]:
    """Start an SMTP server on 127.0.0.1 (requiring a login if `credentials`), stop it after."""
    server = MailServer()
    options: dict[str, Any] = {}
    if credentials is not None:

        def authenticate(_smtp: Any, _session: Any, _env: Any, _mech: str, data: Any) -> Any:
            ok = (
                isinstance(data, LoginPassword)
                and (
                    data.login.decode(),
                    data.password.decode(),
                )
                == credentials
            )
            if ok:
                server.logins.append(data.login.decode())
            return AuthResult(success=ok, handled=False)

        options = {"authenticator": authenticate, "auth_require_tls": False}
    controller = _FreePortController(_Handler(server), hostname=server.host, port=0, **options)
    controller.start()
    server.port = controller.port
    try:
        yield server
    finally:
        controller.stop()


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on: bound once to learn a free one, then closed."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
