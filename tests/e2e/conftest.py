"""The real service in a child process, the replay site and a real SMTP server on loopback."""

from __future__ import annotations

import asyncio
import email
import email.policy
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from yuqing.demo.harness import ServiceProcess, free_port, write_config
from yuqing.demo.replay_site import Timeline, replay_site
from yuqing.demo.scenario import ScenarioPost

POLL_S = 10


@dataclass
class Inbox:
    """An SMTP sink; ``delay_s`` holds each message before accepting it (a slow server)."""

    messages: list[tuple[float, EmailMessage]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    delay_s: float = 0.0
    receiving: threading.Event = field(default_factory=threading.Event)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(msg, EmailMessage)
        self.receiving.set()
        if self.delay_s:
            await asyncio.sleep(self.delay_s)
        with self.lock:
            self.messages.append((time.time(), msg))
        return "250 OK"

    def all(self) -> list[EmailMessage]:
        with self.lock:
            return [m for _, m in self.messages]

    def find(self, needle: str) -> list[EmailMessage]:
        out = []
        for m in self.all():
            body = m.get_body(("plain",))
            text = body.get_content() if body is not None else ""
            if needle in str(m["Subject"]) or needle in text:
                out.append(m)
        return out


class Smtp:
    def __init__(self) -> None:
        self.port = free_port()
        self.inbox = Inbox()
        self._controller: Controller | None = None

    def start(self) -> None:
        self._controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


@pytest.fixture
def smtp() -> Iterator[Smtp]:
    server = Smtp()
    try:
        yield server
    finally:
        server.stop()


# one post already on every board, so that no board looks empty (an empty board is a
# failure signal of its own)
SEED = tuple(
    ScenarioPost(f"seed-{board}", board, -3600, title, content)
    for board, title, content in (
        ("people", "田坎乡客运班车减少", "田坎乡到城区的客运班车从每天六班减到两班，群众出行困难。"),
        ("gov", "三板桥街道石桥边社区路灯不亮", "石桥边社区主干道路灯坏了半个月，晚上一片漆黑。"),
        ("discuz", "撒拉溪镇集镇公厕长期锁门", "撒拉溪镇集镇上的公厕长期锁门，赶集的群众很不方便。"),
        ("tieba", "德溪街道新建小区物业费上涨没有公示", "德溪街道一新建小区物业费上涨没有公示。"),
    )
)


@pytest.fixture
def site() -> Iterator[tuple[str, Timeline]]:
    with replay_site(0, scenario=SEED, recurring_every_s=None) as running:
        yield running


ServiceFactory = Callable[..., ServiceProcess]


@pytest.fixture
def make_service(tmp_path: Path, site: tuple[str, Timeline], smtp: Smtp
                 ) -> Iterator[ServiceFactory]:
    started: list[ServiceProcess] = []
    # a blocked board gives up within seconds and is flagged after two runs
    # the scenario's alerts go out as they fall due, not held after the 交办
    config = write_config(tmp_path / "yuqing.toml", site[0], POLL_S, crawl={
        "unhealthy_after": 2, "backoff_base_s": 0.5, "backoff_max_s": 2},
        mail={"quiet_after_assignment_s": 0})

    def make(**env: str) -> ServiceProcess:
        svc = ServiceProcess(config, tmp_path / "var", env={
            "YUQING_DATABASE_URL": f"sqlite:///{tmp_path / 'var' / 'yuqing.db'}",
            "YUQING_MAIL_BACKEND": "smtp",
            "YUQING_SMTP_HOST": "127.0.0.1",
            "YUQING_SMTP_PORT": str(smtp.port),
            "YUQING_LOG_LEVEL": "INFO",
            **env,
        })
        started.append(svc)
        return svc

    yield make
    for svc in started:
        svc.stop()


def wait_for(what: str, check: Callable[[], Any], timeout_s: float,
             svc: ServiceProcess | None = None) -> Any:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.5)
    log = svc.log_tail(80) if svc is not None else ""
    raise AssertionError(f"timed out after {timeout_s:.0f} s waiting for {what}\n{log}")
