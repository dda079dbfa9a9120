"""Real servers on loopback for the notification tests: an SMTP server (aiosmtpd) that can be
started late, told to refuse, or require STARTTLS and a login; an HTTP server standing in for
the 企业微信 and 钉钉 robots."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword
from aiosmtpd.smtp import Session as SmtpSession
from sqlalchemy.orm import Session, sessionmaker

from domain.settings import Settings
from yuqing.bootstrap import sync_directory

NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)  # 2026-11-20 10:00 Asia/Shanghai, a Friday


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes

    @property
    def message(self) -> EmailMessage:
        msg = message_from_bytes(self.data, policy=policy.default)
        assert isinstance(msg, EmailMessage)
        return msg


@dataclass
class Handler:
    received: list[Received] = field(default_factory=list)
    refuse_rcpt: dict[str, str] = field(default_factory=dict)  # address -> reply
    data_reply: str | None = None  # e.g. "554 5.7.1 rejected" instead of accepting

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self, server: SMTP, session: SmtpSession, envelope: Envelope, address: str,
        rcpt_options: list[str],
    ) -> str:
        if address in self.refuse_rcpt:
            return self.refuse_rcpt[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(  # noqa: N802
        self, server: SMTP, session: SmtpSession, envelope: Envelope
    ) -> str:
        if self.data_reply is not None:
            return self.data_reply
        assert isinstance(envelope.content, bytes)
        self.received.append(
            Received(str(envelope.mail_from), list(envelope.rcpt_tos), envelope.content)
        )
        return "250 Message accepted for delivery"


class SmtpServer:
    """An SMTP server on a fixed loopback port that a test starts and stops at will."""

    def __init__(self, **controller_kw: Any) -> None:
        self.port = free_port()
        self.handler = Handler()
        self.controller_kw = controller_kw
        self._controller: Controller | None = None

    @property
    def received(self) -> list[Received]:
        return self.handler.received

    def start(self) -> None:
        self._controller = Controller(
            self.handler, hostname="127.0.0.1", port=self.port, **self.controller_kw
        )
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


@pytest.fixture
def smtp_down() -> Iterator[SmtpServer]:
    """A port with nothing listening yet; ``.start()`` brings the server up."""
    server = SmtpServer()
    yield server
    server.stop()


@pytest.fixture
def smtp_server(smtp_down: SmtpServer) -> SmtpServer:
    smtp_down.start()
    return smtp_down


@pytest.fixture
def notify_settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={
            "web": settings.web.model_copy(
                update={"secret_key": "test-secret-key-0123456789",
                        "base_url": "https://yuqing.qxg.example"}
            ),
            "mail": settings.mail.model_copy(update={"timeout_s": 5.0}),
        }
    )


def smtp_settings(settings: Settings, server: SmtpServer, **mail: Any) -> Settings:
    return settings.model_copy(
        update={
            "mail": settings.mail.model_copy(
                update={"backend": "smtp", "host": "127.0.0.1", "port": server.port, **mail}
            )
        }
    )


@pytest.fixture
def db(sqlite_sessions: sessionmaker[Session], notify_settings: Settings) -> sessionmaker[Session]:
    with sqlite_sessions.begin() as s:
        sync_directory(s, notify_settings)
    return sqlite_sessions


# ---------------------------------------------------------------- chat robots


@dataclass
class Posted:
    path: str
    query: dict[str, list[str]]
    body: dict[str, Any]


class RobotServer:
    """Answers like the robots do: HTTP 200 and {"errcode": …}; ``answers`` scripts replies."""

    def __init__(self) -> None:
        self.posted: list[Posted] = []
        self.answers: list[tuple[int, dict[str, Any]]] = []
        outer = self

        class H(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length", "0"))
                raw = self.rfile.read(length)
                parts = urlsplit(self.path)
                assert self.headers.get("Content-Type", "").startswith("application/json")
                outer.posted.append(Posted(parts.path, parse_qs(parts.query), json.loads(raw)))
                status, body = outer.answers.pop(0) if outer.answers else (
                    200, {"errcode": 0, "errmsg": "ok"}
                )
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def robots() -> Iterator[RobotServer]:
    server = RobotServer()
    yield server
    server.close()


def authenticator(
    server: SMTP, session: SmtpSession, envelope: Envelope, mechanism: str, auth_data: Any
) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and (
        auth_data.login == b"yuqing" and auth_data.password == b"s3cret"
    )
    return AuthResult(success=ok, handled=False)
