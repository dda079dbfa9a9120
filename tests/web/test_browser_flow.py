"""The duty officer and a unit, in a real browser against the real server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from storage import models
from storage.enums import AssignmentState, Severity
from tests.web import factories as f
from tests.web.conftest import LiveServer, browser_login, output_dir
from yuqing.signed_links import sign_token as sign_unit_link

pytestmark = pytest.mark.browser


def _row_ids(page: Any) -> list[int]:
    return [
        int(x)
        for x in page.eval_on_selector_all(
            "#queue-rows tr[data-id]", "rs => rs.map(r => r.dataset.id)"
        )
    ]


def test_duty_officer_and_unit_flow(live_server: LiveServer, browser: Any) -> None:
    now = datetime.now(UTC)
    db = live_server.sessions
    with db.begin() as s:
        routine = f.event(
            s,
            "小区路灯不亮",
            severity=Severity.ROUTINE,
            started_at=now - timedelta(hours=30),
            heat=8,
        )
        f.clocks(s, routine, now)
        general = f.event(
            s,
            "某街道暴雨后积水严重",
            severity=Severity.GENERAL,
            started_at=now - timedelta(hours=1),
            heat=3,
        )
        f.post(
            s, general, title="暴雨后积水没过膝盖", content="碧阳街道某路段积水严重，车辆无法通行。"
        )
        f.clocks(s, general, now)
        f.classification(
            s, general, "severity", "一般", score=0.55, evidence={"rule": "无人员伤亡"}, at=now
        )
        large = f.event(
            s,
            "学校食堂食物中毒传言",
            severity=Severity.LARGE,
            started_at=now - timedelta(hours=2),
            heat=12,
        )
        f.clocks(s, large, now)
        expected = [large.id, general.id, routine.id]
        general_id = general.id

    duty_ctx = browser.new_context(
        locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 1360, "height": 900}
    )
    page = duty_ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    browser_login(page, live_server, "duty1")
    assert page.url == live_server.url + "/"
    assert _row_ids(page) == expected

    # the countdown ticks in the page
    first = page.locator("#queue-rows .countdown").first
    before = first.inner_text()
    page.wait_for_timeout(1500)
    assert first.inner_text() != before and first.inner_text().startswith("剩")

    # a new 重大 event appears at the top without a reload
    with db.begin() as s:
        major = f.event(
            s,
            "某镇发生山体滑坡 多人被困",
            severity=Severity.MAJOR,
            started_at=now - timedelta(minutes=20),
            heat=30,
        )
        f.clocks(s, major, now)
        major_id = major.id
    page.wait_for_selector(f'#queue-rows tr[data-id="{major_id}"]', timeout=15_000)
    assert _row_ids(page) == [major_id, *expected]
    label = page.locator(f'#queue-rows tr[data-id="{major_id}"] .dl-label').first.inner_text()
    assert label.startswith("发布权威信息 5 小时")
    page.screenshot(path=str(output_dir() / "queue.png"), full_page=True)

    # open the 一般 event, give it to 碧阳街道, correct it to 重大: the deadlines move
    page.click(f'#queue-rows tr[data-id="{general_id}"] a')
    page.wait_for_selector("#event-title")
    assert page.locator('#deadlines tr[data-kind="respond"]').get_attribute("data-state") == "open"
    assert "予以回应 48 小时" in page.locator('#deadlines tr[data-kind="respond"]').inner_text()
    page.select_option('form[action$="/reassign"] select[name=lead]', "biyang")
    page.fill('form[action$="/reassign"] input[name=reason]', "属地：碧阳街道")
    page.click('form[action$="/reassign"] button')
    page.wait_for_selector(".flash-ok")
    assert page.locator('#deadlines tr[data-kind="acknowledge"]').count() == 1
    page.select_option("#form-severity select[name=label]", "重大")
    page.fill("#form-severity input[name=note]", "积水导致人员被困")
    page.click("#form-severity button[value=correct]")
    page.wait_for_selector(".flash-ok")
    assert page.locator("#event-severity").inner_text() == "重大"
    assert (
        page.locator('#deadlines tr[data-kind="respond"]').get_attribute("data-state")
        == "cancelled"
    )
    assert (
        page.locator('#deadlines tr[data-kind="publish_info"]').get_attribute("data-state")
        == "open"
    )
    assert (
        page.locator('#deadlines tr[data-kind="press_conference"]').get_attribute("data-state")
        == "open"
    )
    assert (
        "发布权威信息 5 小时"
        in page.locator('#deadlines tr[data-kind="publish_info"]').inner_text()
    )
    with db() as s:
        ev = s.get(models.Event, general_id)
        publish = s.scalars(
            select(models.Deadline).where(
                models.Deadline.event_id == general_id, models.Deadline.kind == "publish_info"
            )
        ).one()
        assert ev is not None and publish.deadline_at == ev.started_at + timedelta(hours=5)
    page.screenshot(path=str(output_dir() / "event.png"), full_page=True)

    # the unit opens its signed link, acknowledges and responds
    link = sign_unit_link(live_server.settings.web.secret_key, "biyang", general_id)
    unit_ctx = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
    unit = unit_ctx.new_page()
    unit.on("pageerror", lambda e: errors.append(str(e)))
    unit.goto(f"{live_server.url}/u/{link}")
    assert unit.locator("#case-state").get_attribute("data-state") == "assigned"
    unit.click("#form-ack button")
    unit.wait_for_selector('#case-state[data-state="acknowledged"]')
    unit.select_option("#form-respond select[name=milestone]", "publish")
    unit.fill("#form-respond textarea[name=text]", "已组织抽排积水，被困人员已转移。")
    unit.fill("#form-respond input[name=url]", "https://www.qxg.gov.cn/bygz/2026/1.html")
    unit.click("#form-respond button")
    unit.wait_for_selector('#case-state[data-state="responded"]')
    unit.screenshot(path=str(output_dir() / "unit-case.png"), full_page=True)

    # the duty officer sees it: the unit's 签收 and the 5 h window are met
    page.reload()
    row = page.locator('table.assignments tr[data-unit="biyang"]')
    assert row.get_attribute("data-state") == "responded"
    assert "已组织抽排积水" in row.inner_text()
    assert (
        page.locator('#deadlines tr[data-kind="acknowledge"]').get_attribute("data-state") == "met"
    )
    assert (
        page.locator('#deadlines tr[data-kind="publish_info"]').get_attribute("data-state") == "met"
    )
    with db() as s:
        a = s.scalars(
            select(models.Assignment).where(models.Assignment.event_id == general_id)
        ).one()
        assert a.state is AssignmentState.RESPONDED
        log = s.scalars(
            select(models.EventLog.action).where(models.EventLog.event_id == general_id)
        ).all()
        assert {"severity_changed", "acknowledged", "responded", "met"} <= set(log)
    # the reports render too
    page.goto(live_server.url + "/scoreboard?weeks=8")
    assert page.locator('table.scoreboard tr[data-unit="biyang"]').count() == 1
    page.screenshot(path=str(output_dir() / "scoreboard.png"), full_page=True)
    page.goto(live_server.url + "/sources")
    assert page.locator("table.sources tr[data-source]").count() >= 4
    page.screenshot(path=str(output_dir() / "sources.png"), full_page=True)
    assert errors == []
    unit_ctx.close()
    duty_ctx.close()
