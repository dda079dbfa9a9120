"""What each kind of notification says and whom it goes to."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import count

import pytest
from sqlalchemy.orm import Session, sessionmaker

from domain.settings import Settings
from storage import models
from storage.enums import AssignmentRole, DeadlineState, OutboxKind, Severity
from tests.notify import cases
from tests.notify.conftest import NOW
from yuqing.notify.compose import compose
from yuqing.notify.email import build_email, message_id
from yuqing.notify.message import Notice
from yuqing.notify.transport import PermanentError

_keys = count(1)


def render(
    db: sessionmaker[Session], settings: Settings, kind: OutboxKind, **kw: object
) -> Notice:
    with db.begin() as s:
        row = cases.outbox(s, kind, f"{kind.value}:{next(_keys)}", NOW, **kw)  # type: ignore[arg-type]
        return compose(settings, s, row, NOW)


def addresses(boxes: tuple[object, ...]) -> list[str]:
    return [b.address for b in boxes]  # type: ignore[attr-defined]


@pytest.fixture
def case(db: sessionmaker[Session]) -> cases.Case:
    with db.begin() as s:
        return cases.case(s, NOW)


def test_warning(db: sessionmaker[Session], notify_settings: Settings, case: cases.Case) -> None:
    n = render(db, notify_settings, OutboxKind.WARNING, event_id=case.event_id, unit_id="zjj",
               deadline_id=case.acknowledge_id, recipients=["unit:zjj"],
               payload={"fraction": 0.5, "deadline_at": "2026-11-20T03:00:00+00:00"})
    assert n.subject == "【临期提醒】签收将于11月20日 11:00到期——鸭池镇某小区污水外溢无人处理"
    assert addresses(n.to) == ["zjj@qxg.example"] and n.cc == ()
    assert "剩余 1小时00分" in n.text and "已用去时限的 50%" in n.text
    assert n.chat.title == "临期提醒：签收"


def test_breach_copies_whom_the_policy_names(
    db: sessionmaker[Session], notify_settings: Settings, case: cases.Case
) -> None:
    later = dict(event_id=case.event_id, unit_id="zjj", deadline_id=case.acknowledge_id)
    n = render(db, notify_settings, OutboxKind.BREACH, recipients=["unit:zjj"],
               cc=["leader:zjj", "duty", "propaganda"],
               payload={"level": 2, "notify": ["unit", "leader", "duty", "propaganda"]}, **later)
    assert addresses(n.to) == ["zjj@qxg.example"]
    assert addresses(n.cc) == [
        "zjj-fg@qxg.example", "duty@qxg.example", "wxb-duty@qxg.example", "xcb@qxg.example"
    ]
    assert n.subject.startswith("【超期督办·2级】签收")  # NOW is before the 11:00 deadline
    assert "本通知同时抄送：分管城建副区长、区委宣传部舆情值班室、区网信办舆情监测科、中共毕节市七星关区委宣传部。" in n.text
    # level 1 of the default policy notifies the unit alone; that is kept
    n1 = render(db, notify_settings, OutboxKind.BREACH, recipients=["unit:zjj"], cc=[],
                payload={"level": 1, "notify": ["unit"]}, **later)
    assert n1.cc == ()
    # a breach row that does not say whom to notify copies the 分管领导 and the 宣传部
    n2 = render(db, notify_settings, OutboxKind.BREACH, payload={"level": 1}, **later)
    assert addresses(n2.cc) == ["zjj-fg@qxg.example", "xcb@qxg.example"]


def test_breach_shows_how_late(
    db: sessionmaker[Session], notify_settings: Settings
) -> None:
    with db.begin() as s:
        c = cases.case(s, NOW - timedelta(hours=51))
    n = render(db, notify_settings, OutboxKind.REMINDER, event_id=c.event_id, unit_id="zjj",
               deadline_id=c.respond_id, payload={"count": 3, "level": 2})
    assert n.subject == "【超期催办·第3次】予以回应已超期9小时00分——鸭池镇某小区污水外溢无人处理"
    assert "已超期 9小时00分" in n.html


def test_decisions(db: sessionmaker[Session], notify_settings: Settings, case: cases.Case) -> None:
    n = render(db, notify_settings, OutboxKind.EXTENSION_DECISION, event_id=case.event_id,
               unit_id="zjj", payload={"decision": "approved", "reason": "涉及多部门",
                                       "new_deadline_at": "2026-12-01T16:00:00+00:00"})
    assert n.subject == "【延期申请已批准】鸭池镇某小区污水外溢无人处理"
    # the extended 办结 ends with 1 December: it reads 24:00 of that day, not 2 December 00:00
    assert "新的时限为 2026年12月1日 24:00（周二）" in n.text and "涉及多部门" in n.text
    n = render(db, notify_settings, OutboxKind.RETURN_DECISION, event_id=case.event_id,
               unit_id="zjj", payload={"decision": "refused", "reason": "属地在你单位"})
    assert n.subject == "【退单申请未获同意】鸭池镇某小区污水外溢无人处理"
    assert "/u/" in n.text  # still theirs: the link to act on it
    with db.begin() as s:
        ev = s.get(models.Event, case.event_id)
        assert ev is not None
        cases.assignment(s, ev, "hongshan", NOW)
    n = render(db, notify_settings, OutboxKind.RETURN_DECISION, event_id=case.event_id,
               unit_id="zjj", payload={"decision": "approved", "reason": ""})
    assert "不再由你单位办理，已改由七星关区洪山街道办事处牵头" in n.text
    assert "/u/" not in n.text


def test_reassignment(db: sessionmaker[Session], notify_settings: Settings,
                      case: cases.Case) -> None:
    n = render(db, notify_settings, OutboxKind.REASSIGNMENT, event_id=case.event_id,
               unit_id="zjj", payload={"from": "zjj", "to": "hbj"})
    assert n.subject == "【改派通知】鸭池镇某小区污水外溢无人处理"
    assert "已改由毕节市七星关区环境保护局办理" in n.text and "/u/" not in n.text


def test_source_unhealthy(db: sessionmaker[Session], notify_settings: Settings) -> None:
    with db.begin() as s:
        cases.source(s)
        src = s.get(models.Source, "board")
        assert src is not None
        src.consecutive_failures, src.unhealthy_since = 3, NOW - timedelta(hours=2)
    n = render(db, notify_settings, OutboxKind.SOURCE_UNHEALTHY,
               payload={"source_id": "board", "reason": "HTTP 403"})
    assert n.subject == "【监测源异常】七星关区政府网站 领导信箱"
    assert addresses(n.to) == ["duty@qxg.example", "wxb-duty@qxg.example"]
    assert "HTTP 403" in n.text and "连续失败：3 次" in n.text and "从未成功" in n.text


def test_co_unit_sees_event_windows_not_other_units_sign_off(
    db: sessionmaker[Session], notify_settings: Settings, case: cases.Case
) -> None:
    with db.begin() as s:
        ev = s.get(models.Event, case.event_id)
        assert ev is not None
        a = cases.assignment(s, ev, "hbj", NOW, role=AssignmentRole.CO)
        cases.deadline(s, ev, "acknowledge", NOW, 2, assignment=a)
        cases.deadline(s, ev, "resolve", NOW, 24 * 15, unit_id="zjj",
                       state=DeadlineState.CANCELLED)
    n = render(db, notify_settings, OutboxKind.ASSIGNMENT, event_id=case.event_id,
               unit_id="hbj", payload={"role": "co"})
    assert "配合办理" in n.text
    assert "签收：2026年11月20日 12:00（周五）" in n.text  # its own 签收 window
    assert "2026年11月20日 11:00" not in n.text  # not the lead's
    assert "由毕节市七星关区住房和城乡建设局负责" in n.text  # the event-wide 回应 window
    assert "办结" not in n.text.split("【怎样算完成】")[0]  # cancelled windows are left out


def test_hostile_text_is_escaped(db: sessionmaker[Session], notify_settings: Settings) -> None:
    title = '<script>alert("x")</script>[点我](http://evil) & 某"路"段'
    with db.begin() as s:
        c = cases.case(s, NOW, title=title)
    n = render(db, notify_settings, OutboxKind.WARNING, event_id=c.event_id, unit_id="zjj",
               deadline_id=c.acknowledge_id)
    assert "<script>" not in n.html and "&lt;script&gt;" in n.html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in n.html
    assert "&amp; 某&#34;路&#34;段" in n.html
    # plain text needs no escaping: the title reads exactly as posted, in the body and subject
    assert title in n.text and title in n.subject
    assert "&lt;" not in n.text and "&#34;" not in n.text and "&amp;" not in n.text
    assert "](http://evil)" not in n.chat.markdown and "<script>" not in n.chat.markdown


def test_rows_that_cannot_be_rendered(
    db: sessionmaker[Session], notify_settings: Settings
) -> None:
    with db.begin() as s:
        c = cases.case(s, NOW)
    with pytest.raises(PermanentError, match="needs a deadline"):
        render(db, notify_settings, OutboxKind.WARNING, event_id=c.event_id, unit_id="zjj")
    with pytest.raises(PermanentError, match="needs an event"):
        render(db, notify_settings, OutboxKind.ASSIGNMENT, unit_id="zjj")
    with db.begin() as s:
        row = cases.outbox(s, OutboxKind.ASSIGNMENT, "x", NOW)
        row.kind = "carrier_pigeon"
        with pytest.raises(PermanentError, match="unknown notification kind"):
            compose(notify_settings, s, row, NOW)


def test_message_id_is_stable_per_row(
    db: sessionmaker[Session], notify_settings: Settings, case: cases.Case
) -> None:
    n = render(db, notify_settings, OutboxKind.ASSIGNMENT, event_id=case.event_id, unit_id="zjj")
    first = build_email(notify_settings, n, 7, "assignment:1", NOW)
    later = build_email(notify_settings, n, 7, "assignment:1", NOW + timedelta(hours=3))
    assert first["Message-ID"] == later["Message-ID"] == message_id(
        notify_settings, 7, "assignment:1"
    )
    assert build_email(notify_settings, n, 8, "assignment:2", NOW)["Message-ID"] != first[
        "Message-ID"
    ]


def test_major_event_severity(db: sessionmaker[Session], notify_settings: Settings) -> None:
    with db.begin() as s:
        c = cases.case(s, NOW, severity=Severity.EXTRAORDINARY, title="某路段山体滑坡")
    n = render(db, notify_settings, OutboxKind.NEW_MAJOR_EVENT, event_id=c.event_id)
    assert n.subject == "【特别重大舆情】某路段山体滑坡"
    assert "已交由毕节市七星关区住房和城乡建设局牵头" in n.text
    assert "https://yuqing.qxg.example/events/" in n.text


def test_a_major_alert_shows_no_handling_type(
    db: sessionmaker[Session], notify_settings: Settings
) -> None:
    """The poster asked for action (建言 on the board); an emergency is typed as none."""
    with db.begin() as s:
        c = cases.case(s, NOW, severity=Severity.MAJOR, title="客车坠河11人死亡")
        ev = s.get(models.Event, c.event_id)
        assert ev is not None
        ev.handling = "建言"  # as an older version stored it
    n = render(db, notify_settings, OutboxKind.NEW_MAJOR_EVENT, event_id=c.event_id)
    assert "建言" not in n.text and "建言" not in n.html
    assert "投诉/求助" not in n.text  # nor the board's own type of the posts


def test_a_candidate_major_alert_is_marked_for_verification(
    db: sessionmaker[Session], notify_settings: Settings
) -> None:
    from domain.event_actions import EventAction, LogEntity
    from storage.enums import Verification
    from yuqing.cases.log import record

    with db.begin() as s:
        c = cases.case(s, NOW, severity=Severity.LARGE, title="网传大桥垮塌死亡30人")
        ev = s.get(models.Event, c.event_id)
        assert ev is not None
        ev.verification, ev.candidate_severity = Verification.PENDING, Severity.EXTRAORDINARY
        record(s, NOW, "system", EventAction.VERIFICATION_REQUESTED, LogEntity.EVENT, ev.id,
               event_id=ev.id, detail={"cues": ["debunk: 系谣言 (死亡30人)"]})
    payload = {"severity": "较大", "verification": "pending", "candidate": "特别重大"}
    n = render(db, notify_settings, OutboxKind.NEW_MAJOR_EVENT, event_id=c.event_id,
               recipients=["duty"], payload=payload)
    assert n.subject == "【待核实·疑似特别重大舆情】网传大桥垮塌死亡30人"
    assert addresses(n.to) == ["duty@qxg.example", "wxb-duty@qxg.example"]
    assert "帖中称已辟谣：系谣言 (死亡30人)" in n.text
    assert "确认为特别重大或排除" in n.text and "目前按较大处置" in n.text
    assert n.chat.title.startswith("待核实·疑似特别重大舆情")
    # confirmed before it went out: the alert is the plain major one
    with db.begin() as s:
        ev = s.get(models.Event, c.event_id)
        assert ev is not None
        ev.verification, ev.severity = Verification.CONFIRMED, Severity.EXTRAORDINARY
    n = render(db, notify_settings, OutboxKind.NEW_MAJOR_EVENT, event_id=c.event_id,
               recipients=["duty"], payload=payload)
    assert n.subject == "【特别重大舆情】网传大桥垮塌死亡30人"


def test_no_reminder_in_the_same_minute_as_the_assignment(
    db: sessionmaker[Session], notify_settings: Settings
) -> None:
    """A unit just told of a case is not chased about it in the same breath: the 临期提醒
    waits ten minutes after the 交办 (the outbox tries again), then goes out."""
    from yuqing.notify.transport import TemporaryError

    with db.begin() as s:
        _, row = cases.reminder_right_after_assignment(s, NOW, "warning:quiet")
        with pytest.raises(TemporaryError, match="after the unit's assignment"):
            compose(notify_settings, s, row, NOW)
        with pytest.raises(TemporaryError):
            compose(notify_settings, s, row, NOW + timedelta(minutes=9))
        later = compose(notify_settings, s, row, NOW + timedelta(minutes=10))
    assert later.subject.startswith("【临期提醒】")


def test_a_deadline_that_ends_a_day_reads_24_00_of_that_day(
    db: sessionmaker[Session], notify_settings: Settings, case: cases.Case
) -> None:
    # a 办结 window ending with Monday 30 November: 2026-12-01 00:00 in Beijing time
    end = datetime(2026, 11, 30, 16, 0, tzinfo=UTC)
    with db.begin() as s:
        ev = s.get(models.Event, case.event_id)
        a = s.get(models.Assignment, case.assignment_id)
        assert ev is not None and a is not None
        d = cases.deadline(s, ev, "resolve", NOW, (end - NOW).total_seconds() / 3600, assignment=a)
        resolve_id = d.id
    n = render(db, notify_settings, OutboxKind.WARNING, event_id=case.event_id, unit_id="zjj",
               deadline_id=resolve_id, recipients=["unit:zjj"],
               payload={"fraction": 0.8, "deadline_at": end.isoformat()})
    assert n.subject == "【临期提醒】办结将于11月30日 24:00到期——鸭池镇某小区污水外溢无人处理"
    assert "办结：2026年11月30日 24:00（周一）" in n.text
    for shown in (n.subject, n.text, n.html):
        assert "12月1日 00:00" not in shown and "2026-12-01 00:00" not in shown
