"""企业微信 and 钉钉 robots against a local HTTP server that checks the JSON and the 加签
signature; chat rows come from the same outbox with the same retry rules."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from domain.settings import ChatWebhook, Settings
from storage import models
from storage.enums import OutboxKind, OutboxState, Severity
from tests.notify import cases
from tests.notify.conftest import NOW, RobotServer, free_port
from yuqing.notify import flush_outbox
from yuqing.notify.dryrun import DryRunMail
from yuqing.notify.outbox import Transports
from yuqing.notify.webhooks import WebhookTransport, dingtalk_sign, robot_id

SECRET = "SECb7f1e0c2a9d84e5f8a6b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1"


def chat_settings(settings: Settings, base: str) -> Settings:
    return settings.model_copy(
        update={
            "chat": [
                ChatWebhook(kind="wecom", url=f"{base}/cgi-bin/webhook/send?key=wk-123"),
                ChatWebhook(kind="dingtalk", url=f"{base}/robot/send?access_token=dt-456",
                            secret=SECRET),
            ]
        }
    )


def transports(tmp_path: Path) -> Transports:
    hooks = WebhookTransport(timeout_s=5)
    return Transports(DryRunMail(tmp_path / "mail"), {"wecom": hooks, "dingtalk": hooks})


def _breach(db: sessionmaker[Session], severity: Severity = Severity.GENERAL) -> int:
    with db.begin() as s:
        c = cases.case(s, NOW - timedelta(hours=50), severity=severity)
        return cases.outbox(
            s, OutboxKind.BREACH, f"breach:{c.respond_id}:1:x:1", NOW,
            event_id=c.event_id, unit_id="zjj", deadline_id=c.respond_id,
            recipients=["unit:zjj"], cc=["leader:zjj", "propaganda"],
            payload={"kind": "respond", "level": 1, "deadline_at": NOW.isoformat(),
                     "notify": ["unit", "leader", "propaganda"]},
        ).id


def _rows(db: sessionmaker[Session]) -> list[models.Outbox]:
    with db() as s:
        return list(s.scalars(select(models.Outbox).order_by(models.Outbox.id)))


def test_breach_goes_to_both_robots_with_the_documented_json(
    db: sessionmaker[Session], notify_settings: Settings, robots: RobotServer, tmp_path: Path
) -> None:
    settings = chat_settings(notify_settings, robots.url)
    _breach(db)

    result = flush_outbox(settings, db, NOW, transports=transports(tmp_path))

    assert (result.expanded, result.claimed, result.sent) == (2, 3, 3)
    rows = _rows(db)
    assert [r.channel for r in rows] == ["email", "wecom", "dingtalk"]
    assert all(r.state is OutboxState.SENT for r in rows)
    wecom = next(p for p in robots.posted if p.path == "/cgi-bin/webhook/send")
    ding = next(p for p in robots.posted if p.path == "/robot/send")

    assert wecom.query == {"key": ["wk-123"]}
    assert set(wecom.body) == {"msgtype", "markdown"} and wecom.body["msgtype"] == "markdown"
    content = wecom.body["markdown"]["content"]
    assert content.startswith("### 超期督办：予以回应")
    assert "鸭池镇某小区污水外溢无人处理" in content and "毕节市七星关区住房和城乡建设局" in content
    assert "[在舆情工作台查看](https://yuqing.qxg.example/events/" in content
    assert "/u/" not in content  # a unit's signed link never goes to a group chat
    assert len(content.encode()) <= 4096

    assert ding.body["msgtype"] == "markdown"
    assert ding.body["markdown"]["title"] == "超期督办：予以回应"
    assert ding.body["markdown"]["text"] == content
    # 加签: sign = base64(HMAC-SHA256(secret, f"{timestamp}\n{secret}")), URL-encoded
    assert ding.query["access_token"] == ["dt-456"]
    (timestamp,), (sign,) = ding.query["timestamp"], ding.query["sign"]
    expected = base64.b64encode(
        hmac.new(SECRET.encode(), f"{timestamp}\n{SECRET}".encode(), hashlib.sha256).digest()
    ).decode()
    assert sign == expected == dingtalk_sign(SECRET, int(timestamp))


def test_chat_rows_are_written_once(
    db: sessionmaker[Session], notify_settings: Settings, robots: RobotServer, tmp_path: Path
) -> None:
    settings = chat_settings(notify_settings, robots.url)
    with db.begin() as s:
        c = cases.case(s, NOW)
        cases.outbox(s, OutboxKind.ASSIGNMENT, "assignment:1", NOW, event_id=c.event_id,
                     unit_id="zjj")
    _breach(db)
    robots.answers = [(503, {})] * 2  # both robots fail once: the rows stay, retried later
    first = flush_outbox(settings, db, NOW, transports=transports(tmp_path))
    assert first.expanded == 2 and first.retrying == 2
    again = flush_outbox(settings, db, NOW + timedelta(minutes=5), transports=transports(tmp_path))
    assert again.expanded == 0 and again.sent == 2
    with db() as s:
        assert s.scalar(select(func.count()).select_from(models.Outbox)) == 4  # no chat for 交办
        keys = list(s.scalars(select(models.Outbox.dedupe_key).where(
            models.Outbox.channel != "email")))
    robot = robot_id(settings.chat[0])
    assert any(k.endswith(f"|wecom:{robot}") for k in keys)
    assert len(robots.posted) == 4  # two refused, two delivered; none twice


def test_new_major_event_goes_to_duty_and_the_robots(
    db: sessionmaker[Session], notify_settings: Settings, robots: RobotServer, tmp_path: Path
) -> None:
    settings = chat_settings(notify_settings, robots.url)
    with db.begin() as s:
        c = cases.case(s, NOW, severity=Severity.MAJOR, title="某煤矿发生透水事故")
        cases.deadline(s, s.get(models.Event, c.event_id), "publish_info",  # type: ignore[arg-type]
                       NOW - timedelta(hours=6), 5, unit_id="zjj")
        cases.outbox(s, OutboxKind.NEW_MAJOR_EVENT, f"major:{c.event_id}", NOW,
                     event_id=c.event_id)
    result = flush_outbox(settings, db, NOW, transports=transports(tmp_path))
    assert result.sent == 3
    content = robots.posted[0].body["markdown"]["content"]
    assert content.startswith("### 重大舆情：某煤矿发生透水事故")
    assert "发布权威信息" in content and "已超期 1小时00分" in content
    assert cases.PHONE not in content
    eml = (tmp_path / "mail" / "000001-new_major_event.eml").read_bytes()
    assert b"To: =?utf-8?" in eml and b"duty@qxg.example" in eml and b"wxb-duty@qxg.example" in eml


def test_errcodes_rate_limit_retries_rejection_fails(
    db: sessionmaker[Session], notify_settings: Settings, robots: RobotServer, tmp_path: Path
) -> None:
    settings = chat_settings(notify_settings, robots.url)
    _breach(db)
    robots.answers = [
        (200, {"errcode": 45009, "errmsg": "api freq out of limit"}),
        (200, {"errcode": 310000, "errmsg": "sign not match"}),
    ]
    flush_outbox(settings, db, NOW, transports=transports(tmp_path))
    _, wecom, ding = _rows(db)
    assert wecom.state is OutboxState.PENDING and "45009" in (wecom.last_error or "")
    assert wecom.next_attempt_at == NOW + timedelta(minutes=1)
    assert ding.state is OutboxState.FAILED and "310000" in (ding.last_error or "")
    assert "dt-456" not in (ding.last_error or "")  # the robot's key stays out of errors
    flush_outbox(settings, db, NOW + timedelta(minutes=1), transports=transports(tmp_path))
    assert _rows(db)[1].state is OutboxState.SENT


def test_robot_unreachable_then_removed(
    db: sessionmaker[Session], notify_settings: Settings, tmp_path: Path
) -> None:
    settings = chat_settings(notify_settings, f"http://127.0.0.1:{free_port()}")
    _breach(db)
    flush_outbox(settings, db, NOW, transports=transports(tmp_path))
    _, wecom, ding = _rows(db)
    assert wecom.state is ding.state is OutboxState.PENDING
    assert "cannot reach wecom robot" in (wecom.last_error or "")
    assert "wk-123" not in (wecom.last_error or "")
    # the operator removes the robots from the configuration: the rows fail, visibly
    flush_outbox(settings.model_copy(update={"chat": []}), db, NOW + timedelta(minutes=1),
                 transports=transports(tmp_path))
    _, wecom, ding = _rows(db)
    assert wecom.state is OutboxState.FAILED and "no longer configured" in (wecom.last_error or "")
