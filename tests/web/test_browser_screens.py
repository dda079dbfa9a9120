"""The duty officer's queue, the page of the demo's 重大 event and a co-unit's case page, in a
real browser at a desk (1400 px) and on a phone (390 px): the countdowns, the labels, the
buttons within reach, nothing scrolling sideways. Screenshots under ``test-output/``."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import uvicorn
from sqlalchemy import select

from storage import models
from storage.enums import AssignmentRole, Severity
from tests.web.conftest import LiveServer, output_dir
from tests.web.demo_data import Played
from yuqing.demo.accounts import DEMO_PASSWORD
from yuqing.web import create_app

pytestmark = pytest.mark.browser

WIDTHS = (1400, 390)


@pytest.fixture(scope="module")
def demo_server(played: Played) -> Iterator[LiveServer]:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings = played.settings.model_copy(
        update={
            "web": played.settings.web.model_copy(update={"base_url": f"http://127.0.0.1:{port}"})
        }
    )
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(settings, played.sessions),
            host="127.0.0.1",
            port=port,
            log_level="warning",
            lifespan="on",
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the dashboard did not start")
        time.sleep(0.05)
    try:
        yield LiveServer(f"http://127.0.0.1:{port}", settings, played.sessions)
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def _major(played: Played) -> tuple[int, str]:
    """The demo's 重大 event and a unit that works on it without leading it."""
    with played.sessions() as s:
        event = s.scalars(select(models.Event).where(models.Event.severity == Severity.MAJOR)).one()
        co = s.scalars(
            select(models.User.username)
            .join(models.Assignment, models.Assignment.unit_id == models.User.unit_id)
            .where(
                models.Assignment.event_id == event.id,
                models.Assignment.role == AssignmentRole.CO,
            )
        ).first()
        assert co is not None, "a demo account works on the major as a co-unit"
        return event.id, co


def _page(browser: Any, server: LiveServer, width: int, user: str) -> Any:
    ctx = browser.new_context(
        locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": width, "height": 900}
    )
    page = ctx.new_page()
    page.goto(server.url + "/login")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]")
    return page


def _no_sideways_scroll(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    inner = page.evaluate("window.innerWidth")
    assert width <= inner, f"{page.url}: {width} px wide in a {inner} px window"


def _within_reach(page: Any, locator: Any) -> None:
    """Visible, and inside the window's width (no zooming or scrolling sideways to reach)."""
    assert locator.is_visible()
    box = locator.bounding_box()
    inner = page.evaluate("window.innerWidth")
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= inner + 1


def _shot(page: Any, name: str, width: int) -> None:
    page.screenshot(path=str(output_dir() / f"{name}-{width}.png"), full_page=True)


@pytest.mark.parametrize("width", WIDTHS)
def test_queue(browser: Any, demo_server: LiveServer, played: Played, width: int) -> None:
    major, _ = _major(played)
    page = _page(browser, demo_server, width, "duty")
    rows = page.locator("#queue-rows tr[data-id]")
    # 待核实 above everything, then the major with both statutory countdowns on its row
    assert rows.first.get_attribute("data-verify") == "pending"
    row = page.locator(f'#queue-rows tr[data-id="{major}"]')
    statutory = row.locator(".statutory")
    assert statutory.count() == 2
    assert "发布权威信息 5 小时" in statutory.nth(0).inner_text()
    assert "新闻发布会 24 小时" in statutory.nth(1).inner_text()
    for i in range(2):
        countdown = statutory.nth(i).locator(".countdown")
        _within_reach(page, countdown)
        assert countdown.inner_text().startswith("剩")
    # any other row names whose window its countdown is
    other = rows.nth(2).locator(".dl-label").inner_text()
    assert "签收" in other and " · " in other
    assert page.locator(".calendar-warning").count() == 0  # an administrator's matter
    _no_sideways_scroll(page)
    _shot(page, "queue", width)
    page.context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_major_event_page(
    browser: Any, demo_server: LiveServer, played: Played, width: int
) -> None:
    major, _ = _major(played)
    page = _page(browser, demo_server, width, "duty")
    page.goto(f"{demo_server.url}/events/{major}")
    facts = page.locator("dd.statutory")
    assert facts.count() == 2
    for i in range(2):
        _within_reach(page, facts.nth(i).locator(".countdown"))
    # evidence as a sentence, the detail folded away
    severity = page.locator("table.labels tr", has_text="重大").locator(".sentence").last
    assert "→ 重大" in severity.inner_text() and "《生产安全事故报告和调查处理条例》" in (
        severity.inner_text()
    )
    assert not page.locator("table.labels details.evidence-detail dl").first.is_visible()
    # every 签收 row names its unit
    ack_units = page.locator('#deadlines tr[data-kind="acknowledge"] td.dl-unit')
    assert ack_units.count() >= 3
    assert all("本单位" not in t for t in ack_units.all_inner_texts())
    assert "不实信息" in page.locator(".facts").inner_text()
    assert "非不实信息" not in page.locator(".facts").inner_text()
    _within_reach(page, page.locator("#form-severity button[value=confirm]"))
    _no_sideways_scroll(page)
    _shot(page, "major-event", width)
    page.context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_co_unit_case_page(
    browser: Any, demo_server: LiveServer, played: Played, width: int
) -> None:
    major, co_user = _major(played)
    page = _page(browser, demo_server, width, co_user)
    page.goto(f"{demo_server.url}/unit/events/{major}")
    own = page.locator('#deadlines tr[data-own="1"]')
    assert own.count() >= 1
    _within_reach(page, own.first.locator(".countdown"))
    # the lead unit's 5 h / 24 h windows are shown, marked as not this unit's own
    others = page.locator('#deadlines tr[data-own="0"]')
    assert others.count() >= 2
    assert all("非本单位时限" in t for t in others.all_inner_texts())
    _within_reach(page, page.locator("#form-ack button"))
    _no_sideways_scroll(page)
    _shot(page, "co-unit-case", width)
    page.context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_scoreboard(browser: Any, demo_server: LiveServer, width: int) -> None:
    """Minutes into the demo most windows are still running: rates read "—", not a red 0%."""
    page = _page(browser, demo_server, width, "leader")
    page.goto(f"{demo_server.url}/scoreboard")
    rows = page.locator("table.scoreboard tr[data-unit]")
    assert rows.count() >= 3
    for cell in page.locator("table.scoreboard td.trend-cell").all():
        assert "·" not in cell.inner_text()
    respond = page.locator("table.scoreboard td.rate-respond").all_inner_texts()
    # the one window met (the official reply) counts; every other one is still running
    assert sorted(respond)[0].startswith("100% (1/1)") and respond.count("—") == len(respond) - 1
    _no_sideways_scroll(page)
    _shot(page, "scoreboard", width)
    page.context.close()


def test_the_event_page_prints_without_forms(
    browser: Any, demo_server: LiveServer, played: Played
) -> None:
    major, _ = _major(played)
    page = _page(browser, demo_server, 1400, "duty")
    page.goto(f"{demo_server.url}/events/{major}")
    page.emulate_media(media="print")
    assert not page.locator("header.top").is_visible()
    assert not page.locator("#form-severity").is_visible()
    assert page.locator("#deadlines").is_visible()
    # the evidence's detail and the timeline are printed open
    assert page.locator("table.labels details.evidence-detail dl").first.is_visible()
    assert page.locator("ol.timeline").is_visible()
    page.pdf(path=str(output_dir() / "major-event-print.pdf"))
    page.context.close()
