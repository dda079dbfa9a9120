"""待核实 in a real browser: the duty officer confirms one candidate major and dismisses
another."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from classifier.candidates import Candidate
from storage import models
from storage.enums import AssignmentRole, Severity, Verification
from tests.web import factories as f
from tests.web.conftest import LiveServer, browser_login, output_dir
from yuqing.cases import verification

pytestmark = pytest.mark.browser


def _row_ids(page: Any) -> list[int]:
    return [
        int(x)
        for x in page.eval_on_selector_all(
            "#queue-rows tr[data-id]", "rs => rs.map(r => r.dataset.id)"
        )
    ]


def _candidate(s: Any, title: str, content: str, severity: Severity, candidate: Candidate,
               started: datetime, lead: str) -> int:
    ev = f.event(s, title, severity=severity, started_at=started, heat=5, lead=lead,
                 topic="交通运输")
    post = f.post(s, ev, title=title, content=content, published_at=started)
    f.assignment(s, ev, lead, role=AssignmentRole.LEAD, assigned_at=started)
    f.clocks(s, ev, started)
    verification.request(s, ev, candidate, post, started + timedelta(minutes=2))
    return ev.id


def test_duty_officer_confirms_one_candidate_and_dismisses_another(
    live_server: LiveServer, browser: Any
) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    db = live_server.sessions
    with db.begin() as s:
        major = f.event(s, "某镇山体滑坡 多人被困", severity=Severity.MAJOR,
                        started_at=now - timedelta(minutes=30), heat=30)
        f.clocks(s, major, now)
        hearsay = _candidate(
            s, "听说海子街镇客车翻了死了十几个",
            "听说海子街镇新开田村那边客车翻进河里了，死了十几个人，不知道真假。",
            Severity.GENERAL, Candidate("重大", ("hearsay: 听说…死了十几个人",), "事故灾难"),
            now - timedelta(hours=2), "haizijie")
        debunked = _candidate(
            s, "网传燕子口大桥垮塌死亡30人",
            "网传燕子口大桥垮塌死亡30人系谣言，经核实，事故造成3人死亡、5人受伤。",
            Severity.LARGE, Candidate("特别重大", ("debunk: 系谣言 (死亡30人)",), "事故灾难"),
            now - timedelta(hours=1), "yanzikou")
        major_id = major.id

    ctx = browser.new_context(
        locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 1360, "height": 900}
    )
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    browser_login(page, live_server, "duty1")
    # 待核实 above everything, the 重大 event included; the oldest question first
    assert _row_ids(page)[:3] == [hearsay, debunked, major_id]
    row = page.locator(f'#queue-rows tr[data-id="{hearsay}"]')
    assert row.get_attribute("data-verify") == "pending"
    assert "待核实" in row.inner_text() and "疑似重大" in row.inner_text()
    page.screenshot(path=str(output_dir() / "queue-verification.png"), full_page=True)

    # the hearsay: confirmed as 重大
    page.click(f'#queue-rows tr[data-id="{hearsay}"] a')
    page.wait_for_selector("#verification")
    panel = page.locator("#verification")
    assert panel.get_attribute("data-state") == "pending"
    assert "传闻（听说）" in panel.inner_text()
    page.screenshot(path=str(output_dir() / "event-verification.png"), full_page=True)
    page.fill("#form-verify-confirm input[name=note]", "电话联系海子街镇：确有11人死亡")
    page.click("#form-verify-confirm button")
    page.wait_for_selector(".flash-ok")
    assert page.locator("#event-severity").inner_text() == "重大"
    assert page.locator("#event-handling").inner_text() == "突发事件"
    assert page.locator("#verification").get_attribute("data-state") == "confirmed"
    assert "电话联系海子街镇" in page.locator("#verification").inner_text()
    publish = page.locator('#deadlines tr[data-kind="publish_info"]')
    assert publish.get_attribute("data-state") == "open"
    assert "发布权威信息 5 小时" in publish.inner_text()

    # the debunked claim: 排除 needs a reason
    page.goto(f"{live_server.url}/events/{debunked}")
    page.click("#form-verify-dismiss button")  # the browser refuses an empty reason
    assert page.locator("#verification").get_attribute("data-state") == "pending"
    page.fill("#form-verify-dismiss input[name=reason]", "区应急局已辟谣，实际3人死亡")
    page.click("#form-verify-dismiss button")
    page.wait_for_selector(".flash-ok")
    assert page.locator("#event-severity").inner_text() == "较大"
    assert page.locator("#verification").get_attribute("data-state") == "dismissed"
    assert page.locator('#deadlines tr[data-kind="publish_info"]').count() == 0

    page.goto(live_server.url + "/")
    assert page.locator('#queue-rows tr[data-verify="pending"]').count() == 0
    # now a 重大 among 重大 (nearest deadline first: it started earlier), the other at its grade
    assert _row_ids(page)[:3] == [hearsay, major_id, debunked]

    with db() as s:
        confirmed = s.get(models.Event, hearsay)
        dismissed = s.get(models.Event, debunked)
        assert confirmed is not None and dismissed is not None
        assert (confirmed.verification, confirmed.severity) == (
            Verification.CONFIRMED, Severity.MAJOR)
        assert confirmed.lead_unit_id == "yjj"  # the emergency plan's lead for 事故灾难
        publish_row = s.scalars(select(models.Deadline).where(
            models.Deadline.event_id == hearsay, models.Deadline.kind == "publish_info")).one()
        assert publish_row.starts_at == confirmed.started_at  # from the first post's time
        assert (dismissed.verification, dismissed.severity) == (
            Verification.DISMISSED, Severity.LARGE)
        actions = set(s.scalars(select(models.AuditLog.action)))
        assert {"verification_confirmed", "verification_dismissed"} <= actions
    assert errors == []
    ctx.close()
