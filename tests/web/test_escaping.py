"""Crawled text is hostile: payloads in titles, contents, nicknames and URLs stay text."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from storage.enums import AssignmentState, Severity
from tests.web import factories as f
from tests.web.conftest import Clock, LiveServer, browser_login, login, output_dir
from yuqing.display import http_url
from yuqing.signed_links import sign_token as sign_unit_link

PAYLOADS = {
    "script": "<script>window.__pwned='script'</script>",
    "img": "<img src=x onerror=\"window.__pwned='img'\">",
    "svg": "\"><svg onload=window.__pwned='svg'>",
    "textarea": "</textarea><script>window.__pwned='textarea'</script>",
    "style": "<style>body{display:none}</style><b>粗体</b>",
}
BAD_URLS = [
    "javascript:window.__pwned='href'",
    "JaVaScRiPt:window.__pwned='href2'",
    "data:text/html,<script>window.__pwned='data'</script>",
    " javascript:window.__pwned='space'",
    "http://127.0.0.1/\" onmouseover=\"window.__pwned='attr'",
]


@pytest.fixture
def hostile(db: sessionmaker[Session], clock: Clock) -> dict[str, int]:
    now = clock.now
    with db.begin() as s:
        ev = f.event(
            s,
            "标题" + PAYLOADS["script"] + PAYLOADS["svg"],
            severity=Severity.MAJOR,
            started_at=now - timedelta(hours=1),
            summary=PAYLOADS["img"],
        )
        f.deadline(s, ev, "publish_info", hours=5)
        for i, url in enumerate(BAD_URLS):
            f.post(
                s,
                ev,
                title=f"帖子{i}" + PAYLOADS["img"],
                content="内容" + PAYLOADS["textarea"] + PAYLOADS["style"],
                author="昵称" + PAYLOADS["svg"],
                url=url,
                reply_content=PAYLOADS["script"],
            )
        a = f.assignment(
            s,
            ev,
            "jyj",
            reasons=[{"rule": PAYLOADS["script"], "matched": PAYLOADS["img"]}, PAYLOADS["svg"]],
            state=AssignmentState.RESPONDED,
            response_text=PAYLOADS["textarea"],
            response_url=BAD_URLS[0],
        )
        f.classification(
            s, ev, "topic", "城乡建设", evidence={"words": [PAYLOADS["script"]]}, at=now
        )
        return {"event": ev.id, "assignment": a.id}


def _assert_inert(html: str) -> None:
    for name, payload in PAYLOADS.items():
        assert payload not in html, name
    assert "<script>window" not in html
    assert not re.search(r"<(img|svg|style)\b[^>]*>", html.replace('<svg class="spark"', ""))
    for href in re.findall(r'href="([^"]*)"', html):
        assert href.startswith(("/", "http://", "https://")), href
        assert "javascript" not in href.lower() and "data:" not in href


def test_http_url_filter() -> None:
    for bad in BAD_URLS[:4] + ["//evil.example/x", "ftp://x/", "http://", "http://a\nb/"]:
        assert http_url(bad) is None, bad
    assert http_url("https://www.qxg.gov.cn/a?b=1") == "https://www.qxg.gov.cn/a?b=1"


def test_pages_escape_crawled_text(
    client: TestClient, hostile: dict[str, int], web_settings: Any
) -> None:
    login(client, "duty1")
    for path in ("/", "/queue/rows", f"/events/{hostile['event']}", "/?q=标题"):
        r = client.get(path)
        assert r.status_code == 200
        _assert_inert(r.text)
    page = client.get(f"/events/{hostile['event']}").text
    assert "&lt;script&gt;window.__pwned=&#39;script&#39;&lt;/script&gt;" in page
    client.cookies.clear()
    link = sign_unit_link(web_settings.web.secret_key, "jyj", hostile["event"])
    _assert_inert(client.get(f"/u/{link}").text)


@pytest.mark.browser
def test_payloads_do_not_execute_in_the_browser(
    live_server: LiveServer, browser: Any, hostile: dict[str, int]
) -> None:
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
    page = context.new_page()
    dialogs: list[str] = []
    errors: list[str] = []

    def on_dialog(d: Any) -> None:
        dialogs.append(d.message)
        d.dismiss()

    page.on("dialog", on_dialog)
    page.on("pageerror", lambda e: errors.append(str(e)))
    browser_login(page, live_server, "duty1")
    for path in ("/", f"/events/{hostile['event']}"):
        page.goto(live_server.url + path)
        page.wait_for_load_state("load")
        page.mouse.move(10, 10)
        for link in page.locator(".post-title").all()[:5]:
            link.hover()
        assert page.evaluate("window.__pwned") is None, path
    # the payload is on the page as text
    assert "<script>window.__pwned='script'</script>" in page.locator("#event-title").inner_text()
    assert page.locator("a[href^='javascript']").count() == 0
    assert page.locator("style").count() == 0 and page.locator("img").count() == 0
    assert page.locator("body").is_visible()
    page.screenshot(path=str(output_dir() / "hostile-event.png"), full_page=False)
    link = sign_unit_link(live_server.settings.web.secret_key, "jyj", hostile["event"])
    unit_page = browser.new_context().new_page()
    unit_page.on("dialog", on_dialog)
    unit_page.goto(f"{live_server.url}/u/{link}")
    assert unit_page.evaluate("window.__pwned") is None
    assert dialogs == [] and errors == []
    context.close()


def test_bidi_overrides_and_controls_stored_before_the_door_are_not_shown(
    client: TestClient, db: sessionmaker[Session], clock: Clock
) -> None:
    """A title stored raw (before text was normalised at the door, or written by another tool)
    with a right-to-left override would display reversed — "…gnp.exe" as "…exe.png" — and a
    control character would reach the page: neither is shown, on the queue or the event page."""
    spoof = "通知\u202egnp.exe\u202c附件\x01\u2066隔离\u2069"
    with db.begin() as s:
        ev = f.event(s, spoof, severity=Severity.GENERAL, started_at=clock.now - timedelta(hours=1))
        f.post(s, ev, title=spoof, content="正文\u202e倒序\u202c")
        event_id = ev.id
    login(client, "duty1")
    for path in ("/", f"/events/{event_id}"):
        page = client.get(path).text
        assert "通知gnp.exe附件隔离" in page, path
        for ch in ("\u202e", "\u202c", "\u2066", "\u2069", "\x01"):
            assert ch not in page, (path, hex(ord(ch)))
