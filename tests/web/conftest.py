"""Fixtures for the dashboard: a database with the sample directory, an app, a client."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from domain.settings import Settings
from storage.enums import Role
from tests.conftest import unavailable
from tests.web import demo_data, factories
from yuqing.bootstrap import sync_directory
from yuqing.web import create_app
from yuqing.web.security import LoginLimiter

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Clock:
    """The app's clock; near real time because signed links carry real timestamps."""

    now: datetime = field(default_factory=lambda: datetime.now(UTC).replace(microsecond=0))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


@pytest.fixture
def web_settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={"web": settings.web.model_copy(update={"secret_key": "test-secret-key-0123456789"})}
    )


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def db(sqlite_sessions: sessionmaker[Session], web_settings: Settings) -> sessionmaker[Session]:
    with sqlite_sessions.begin() as s:
        sync_directory(s, web_settings)
        factories.source(s, "board")
        factories.user(s, "duty1", Role.DUTY)
        factories.user(s, "leader1", Role.LEADER)
        factories.user(s, "jyj_user", Role.UNIT, "jyj")
        factories.user(s, "zjj_user", Role.UNIT, "zjj")
    return sqlite_sessions


@pytest.fixture
def client(db: sessionmaker[Session], web_settings: Settings, clock: Clock) -> Iterator[TestClient]:
    app = create_app(web_settings, db, clock=clock, limiter=LoginLimiter())
    with TestClient(app, follow_redirects=False) as c:
        yield c


def csrf_of(html: str) -> str:
    m = CSRF_RE.search(html)
    assert m, "no CSRF token on the page"
    return m.group(1)


def login(client: TestClient, username: str, password: str = factories.PASSWORD) -> str:
    """Log in and return the session's CSRF token."""
    token = csrf_of(client.get("/login").text)
    r = client.post(
        "/login", data={"username": username, "password": password, "csrf_token": token}
    )
    assert r.status_code == 303, r.text
    page = client.get(r.headers["location"])
    return csrf_of(page.text)


# ---------------------------------------------------------------- a real server and browser

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def output_dir() -> Path:
    root = Path(__file__).resolve().parents[2]
    path = Path(os.environ.get("YUQING_TEST_OUTPUT", root / "test-output")) / "screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path


@dataclass
class LiveServer:
    url: str
    settings: Settings
    sessions: sessionmaker[Session]


@pytest.fixture
def live_server(db: sessionmaker[Session], web_settings: Settings) -> Iterator[LiveServer]:
    """The real app under uvicorn on a free loopback port, in a background thread."""
    import socket
    import threading
    import time

    import uvicorn

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings = web_settings.model_copy(
        update={"web": web_settings.web.model_copy(update={"base_url": f"http://127.0.0.1:{port}"})}
    )
    app = create_app(settings, db)
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the dashboard did not start")
        time.sleep(0.05)
    try:
        yield LiveServer(f"http://127.0.0.1:{port}", settings, db)
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture
def browser() -> Iterator[Any]:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        unavailable("Chromium (apt-get install chromium)", "not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


def browser_login(
    page: Any, server: LiveServer, username: str, password: str = factories.PASSWORD
) -> None:
    page.goto(server.url + "/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_load_state("load")


# ---------------------------------------------------------------- the demo, played once


@pytest.fixture(scope="module")
def played(tmp_path_factory: pytest.TempPathFactory) -> Iterator[demo_data.Played]:
    """The demo's first ten minutes (``tests/web/demo_data.py``), once per test module."""
    p = demo_data.played(tmp_path_factory.mktemp("demo"))
    yield p
    p.engine.dispose()
