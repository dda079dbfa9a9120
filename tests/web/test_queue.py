"""The priority queue: order, filters, full-text search, the polled fragment."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from storage import models
from storage.enums import DeadlineState, EventState, Severity
from tests.web import factories as f
from tests.web.conftest import Clock, login
from yuqing.web.queue import QueueFilters, fetch_queue

ROW_ID = re.compile(r'<tr data-id="(\d+)"')


def _ids(html: str) -> list[int]:
    return [int(x) for x in ROW_ID.findall(html)]


@pytest.fixture
def queue_db(db: sessionmaker[Session], clock: Clock) -> dict[str, int]:
    now = clock.now
    with db.begin() as s:
        # severity first, then nearest deadline, then heat
        routine_hot = f.event(
            s,
            "常规但很热",
            severity=Severity.ROUTINE,
            started_at=now - timedelta(hours=47),
            heat=99,
        )
        f.deadline(s, routine_hot, hours=48)
        major_late = f.event(
            s, "重大事件，时限较远", severity=Severity.MAJOR, started_at=now - timedelta(hours=1)
        )
        f.deadline(s, major_late, "press_conference", hours=24)
        major_soon = f.event(
            s, "重大事件，时限最近", severity=Severity.MAJOR, started_at=now - timedelta(hours=4)
        )
        f.deadline(s, major_soon, "publish_info", hours=5)
        general_a = f.event(
            s, "一般事件甲", severity=Severity.GENERAL, started_at=now - timedelta(hours=10), heat=1
        )
        f.deadline(s, general_a, hours=48)
        general_b = f.event(
            s, "一般事件乙", severity=Severity.GENERAL, started_at=now - timedelta(hours=10), heat=5
        )
        f.deadline(s, general_b, hours=48)
        no_clock = f.event(
            s,
            "较大事件无时限",
            severity=Severity.LARGE,
            started_at=now - timedelta(hours=2),
            heat=3,
        )
        special = f.event(
            s,
            "特别重大事件",
            severity=Severity.EXTRAORDINARY,
            started_at=now - timedelta(minutes=30),
        )
        f.deadline(s, special, "publish_info", hours=5)
        closed = f.event(
            s,
            "已办结事件",
            severity=Severity.EXTRAORDINARY,
            started_at=now - timedelta(hours=3),
            state=EventState.CLOSED,
        )
        f.post(
            s,
            general_a,
            title="学校食堂饭菜质量差",
            content="孩子在学校食堂吃坏了肚子",
            source_id="other",
        )
        f.post(s, routine_hot, title="小区污水外溢", content="污水横流无人管")
        f.assignment(s, general_b, "jyj")
        f.assignment(s, routine_hot, "zjj")
        return {
            "routine_hot": routine_hot.id,
            "major_late": major_late.id,
            "major_soon": major_soon.id,
            "general_a": general_a.id,
            "general_b": general_b.id,
            "no_clock": no_clock.id,
            "special": special.id,
            "closed": closed.id,
        }


def test_queue_order_is_severity_then_deadline_then_heat(
    client: TestClient, queue_db: dict[str, int]
) -> None:
    login(client, "duty1")
    html = client.get("/").text
    q = queue_db
    assert _ids(html) == [
        q["special"],
        q["major_soon"],
        q["major_late"],
        q["no_clock"],
        q["general_b"],
        q["general_a"],
        q["routine_hot"],
    ]
    assert q["closed"] not in _ids(html)


def test_fragment_has_the_same_rows(client: TestClient, queue_db: dict[str, int]) -> None:
    login(client, "duty1")
    page = client.get("/?severity=重大")
    rows = client.get("/queue/rows?severity=重大")
    assert rows.status_code == 200
    assert _ids(rows.text) == _ids(page.text) == [queue_db["major_soon"], queue_db["major_late"]]
    assert "<html" not in rows.text


def test_filters(client: TestClient, queue_db: dict[str, int]) -> None:
    login(client, "duty1")
    q = queue_db
    assert _ids(client.get("/?unit=jyj").text) == [q["general_b"]]
    assert _ids(client.get("/?source=other").text) == [q["general_a"]]
    assert _ids(client.get("/?state=closed").text) == [q["closed"]]
    assert _ids(client.get("/?topic=教育文体").text) == []
    # an unknown choice is ignored; a malformed date or page number is a 400
    assert client.get("/?severity=bogus&state=nope").status_code == 200
    assert client.get("/?from=notadate").status_code == 400
    assert client.get("/?page=x").status_code == 400


def test_chinese_full_text_search(client: TestClient, queue_db: dict[str, int]) -> None:
    login(client, "duty1")
    assert _ids(client.get("/", params={"q": "食堂"}).text) == [queue_db["general_a"]]
    assert _ids(client.get("/", params={"q": "污水"}).text) == [queue_db["routine_hot"]]
    assert _ids(client.get("/", params={"q": "学校 食堂 质量"}).text) == [queue_db["general_a"]]
    assert _ids(client.get("/", params={"q": "地铁"}).text) == []
    # FTS5 syntax in the input is text, not an operator or an error
    assert client.get("/", params={"q": '" OR * NEAR('}).status_code == 200


def test_pagination_across_severity_segments(
    db: sessionmaker[Session], clock: Clock, web_settings: object
) -> None:
    with db.begin() as s:
        for i in range(7):
            e = f.event(
                s, f"重大{i}", severity=Severity.MAJOR, started_at=clock.now - timedelta(hours=i)
            )
            f.deadline(s, e, "publish_info", hours=5)
        for i in range(5):
            e = f.event(
                s, f"一般{i}", severity=Severity.GENERAL, started_at=clock.now - timedelta(hours=i)
            )
            f.deadline(s, e, hours=48)
    from zoneinfo import ZoneInfo

    tz = ZoneInfo("Asia/Shanghai")
    seen: list[str] = []
    with db() as s:
        for page in (1, 2, 3):
            result = fetch_queue(s, QueueFilters(page=page), tz, page_size=5)
            seen += [r.title for r in result.rows]
            assert result.has_more == (page < 3)
    assert seen == [f"重大{i}" for i in (6, 5, 4, 3, 2, 1, 0)] + [
        f"一般{i}" for i in (4, 3, 2, 1, 0)
    ]


@pytest.mark.postgres
def test_search_on_postgresql(pg_url: str, web_settings: object) -> None:
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from storage.db import make_engine, make_sessionmaker
    from storage.models import Base
    from yuqing.search_index import ensure_search_index

    engine = make_engine(pg_url)
    Base.metadata.create_all(engine)
    ensure_search_index(engine)
    sessions = make_sessionmaker(engine)
    now = datetime.now(UTC)
    with sessions.begin() as s:
        a = f.event(s, "甲", severity=Severity.GENERAL, started_at=now)
        f.post(s, a, title="学校食堂饭菜质量差", content="100%_真的")
        b = f.event(s, "乙", severity=Severity.MAJOR, started_at=now)
        f.post(s, b, title="道路塌陷", content="路面塌了")
    tz = ZoneInfo("Asia/Shanghai")
    with sessions() as s:
        assert [r.title for r in fetch_queue(s, QueueFilters(q="食堂"), tz).rows] == ["甲"]
        assert [r.title for r in fetch_queue(s, QueueFilters(q="塌陷"), tz).rows] == ["乙"]
        # LIKE wildcards in the query are literal
        assert [r.title for r in fetch_queue(s, QueueFilters(q="%_"), tz).rows] == ["甲"]
        assert [r.title for r in fetch_queue(s, QueueFilters(q="_x"), tz).rows] == []
        assert [r.title for r in fetch_queue(s, QueueFilters(), tz).rows] == ["乙", "甲"]
    engine.dispose()


def test_index_post_follows_changes_and_backfill_catches_up(
    db: sessionmaker[Session], clock: Clock
) -> None:
    from zoneinfo import ZoneInfo

    from storage import models
    from yuqing.search_index import backfill, index_post

    tz = ZoneInfo("Asia/Shanghai")
    with db.begin() as s:
        ev = f.event(s, "甲", severity=Severity.GENERAL, started_at=clock.now)
        p = f.post(s, ev, title="垃圾清运不及时", content="小区垃圾堆积")
        p.title, p.content = "噪音扰民", "夜间施工噪音"
        index_post(s, p)
        # a post stored without indexing, e.g. before the search index existed
        late = models.Post(
            source_id="board",
            external_id="late-1",
            url="http://127.0.0.1/late",
            title="供暖不热",
            content="暖气片冰凉",
            first_seen_at=clock.now,
            last_seen_at=clock.now,
            content_hash="late",
            event_id=ev.id,
        )
        s.add(late)
    with db() as s:
        assert [r.title for r in fetch_queue(s, QueueFilters(q="噪音"), tz).rows] == ["甲"]
        assert fetch_queue(s, QueueFilters(q="垃圾"), tz).rows == []
        assert fetch_queue(s, QueueFilters(q="暖气片"), tz).rows == []
    with db.begin() as s:
        assert backfill(s) == 1
    with db() as s:
        assert [r.title for r in fetch_queue(s, QueueFilters(q="暖气片"), tz).rows] == ["甲"]


def test_rows_name_the_nearest_deadline(
    client: TestClient, db: sessionmaker[Session], clock: Clock
) -> None:
    with db.begin() as s:
        major = f.event(s, "重大", severity=Severity.MAJOR, started_at=clock.now)
        f.deadline(s, major, "press_conference", hours=24)
        f.deadline(s, major, "publish_info", hours=5)
        late = f.event(s, "延期", severity=Severity.GENERAL, started_at=clock.now)
        f.deadline(s, late, "resolve", hours=100, extended_by=timedelta(days=3))
        ids = (major.id, late.id)
    login(client, "duty1")
    for html in (client.get("/").text, client.get("/queue/rows").text):
        rows = dict(
            re.findall(
                r'<tr data-id="(\d+)".*?<td class="next-deadline"[^>]*>(.*?)</td>', html, re.S
            )
        )
        assert "发布权威信息 5 小时" in rows[str(ids[0])]
        assert "办结" in rows[str(ids[1])] and "已延期" in rows[str(ids[1])]
        assert "provisional-warning" not in html


def test_cached_rows_follow_every_change(
    client: TestClient, db: sessionmaker[Session], clock: Clock
) -> None:
    """Rows are rendered once per distinct content: the countdown text, a new title and a new
    severity each give a new row, and a hostile title stays escaped however often it is served."""
    with db.begin() as s:
        ev = f.event(s, "<script>x()</script>路灯", severity=Severity.MAJOR, started_at=clock.now)
        f.deadline(s, ev, "publish_info", hours=5)
        event_id = ev.id
    login(client, "duty1")

    def row() -> str:
        html = client.get("/queue/rows").text
        found = re.search(rf'<tr data-id="{event_id}".*?</tr>', html, re.S)
        assert found is not None
        return found.group(0)

    first = row()
    assert row() == first
    assert "剩 5小时00分" in first and "<script>" not in first and "&lt;script&gt;" in first
    clock.advance(timedelta(minutes=10))
    assert "剩 4小时50分" in row()
    with db.begin() as s:
        s.execute(
            update(models.Event)
            .where(models.Event.id == event_id)
            .values(title="路灯不亮", severity=Severity.GENERAL)
        )
    changed = row()
    assert "路灯不亮" in changed and "一般" in changed and "重大" not in changed


def test_candidate_majors_lead_the_queue(
    db: sessionmaker[Session], client: TestClient, queue_db: dict[str, int], clock: Clock
) -> None:
    """待核实 above everything, oldest question first; with a grade filtered, at its grade."""
    from zoneinfo import ZoneInfo

    from storage.enums import Verification
    from yuqing.web.queue import present

    q = queue_db
    with db.begin() as s:
        s.execute(
            update(models.Event)
            .where(models.Event.id.in_([q["general_a"], q["no_clock"]]))
            .values(verification=Verification.PENDING, candidate_severity=Severity.MAJOR)
        )
    login(client, "duty1")
    assert _ids(client.get("/").text) == [
        q["general_a"],  # started 10 h ago
        q["no_clock"],
        q["special"],
        q["major_soon"],
        q["major_late"],
        q["general_b"],
        q["routine_hot"],
    ]
    assert 'data-verify="pending"' in client.get("/queue/rows").text
    assert _ids(client.get("/?severity=一般").text) == [q["general_b"], q["general_a"]]
    tz = ZoneInfo("Asia/Shanghai")
    with db() as s:
        pages = [fetch_queue(s, QueueFilters(page=n), tz, page_size=1) for n in (1, 2, 3)]
    assert [p.rows[0].id for p in pages] == [q["general_a"], q["no_clock"], q["special"]]
    line = present(pages[0].rows, clock.now, tz)[0]
    assert line.pending and line.candidate == "重大"


def _deadline_cells(html: str) -> dict[str, str]:
    return dict(
        re.findall(r'<tr data-id="(\d+)".*?<td class="next-deadline"[^>]*>(.*?)</td>', html, re.S)
    )


def test_a_major_row_shows_both_statutory_countdowns_and_others_whose_window(
    client: TestClient, db: sessionmaker[Session], clock: Clock
) -> None:
    """The duty officer watches a major for its 5 h and 24 h windows, even while a unit's 签收
    is nearer; for anything else the row says whose window the nearest one is."""
    with db.begin() as s:
        major = f.event(s, "客车坠河", severity=Severity.MAJOR, started_at=clock.now)
        lead = f.assignment(s, major, "yjj")
        f.deadline(s, major, "acknowledge", hours=2, assignment=lead)
        f.deadline(s, major, "publish_info", hours=5, unit_id="yjj")
        f.deadline(s, major, "press_conference", hours=24, unit_id="yjj")
        answered = f.event(s, "已发布权威信息", severity=Severity.MAJOR, started_at=clock.now)
        f.deadline(
            s,
            answered,
            "publish_info",
            hours=5,
            unit_id="yjj",
            state=DeadlineState.MET,
            met_at=clock.now + timedelta(hours=1),
        )
        f.deadline(s, answered, "press_conference", hours=24, unit_id="yjj")
        routine = f.event(s, "路灯不亮", severity=Severity.ROUTINE, started_at=clock.now)
        own = f.assignment(s, routine, "zjj")
        f.deadline(s, routine, "acknowledge", hours=2, assignment=own)
        f.deadline(s, routine, "respond", hours=48, unit_id="zjj")
        ids = (str(major.id), str(answered.id), str(routine.id))
    login(client, "duty1")
    for html in (client.get("/").text, client.get("/queue/rows").text):
        cells = _deadline_cells(html)
        major_cell = cells[ids[0]]
        assert major_cell.count('class="countdown') == 2
        assert major_cell.index("发布权威信息 5 小时") < major_cell.index("新闻发布会 24 小时")
        assert "签收" not in major_cell
        assert "剩 4小时59分" in major_cell or "剩 5小时00分" in major_cell
        done = cells[ids[1]]
        assert done.count('class="countdown') == 1
        assert "按时完成 " in done and "发布权威信息 5 小时" in done
        assert "签收 2 小时 · 毕节市七星关区住房和城乡建设局" in cells[ids[2]]


def test_the_queue_exports_what_it_shows_as_xlsx(
    client: TestClient, queue_db: dict[str, int], db: sessionmaker[Session]
) -> None:
    import io

    from openpyxl import load_workbook

    login(client, "duty1")
    shown = _ids(client.get("/?severity=重大").text)
    r = client.get("/queue.xlsx?severity=重大")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in r.headers["content-disposition"]
    ws = load_workbook(io.BytesIO(r.content)).active
    assert ws is not None
    rows = list(ws.iter_rows(min_row=3, values_only=True))
    with db() as s:
        titles = {i: s.get(models.Event, i).title for i in shown}  # type: ignore[union-attr]
    assert [row[2] for row in rows] == [titles[i] for i in shown]
    assert all(row[1] == "重大" for row in rows)
    header = [c.value for c in ws[2]]
    assert header[:4] == ["序号", "级别", "事件", "最近时限"] and "发布权威信息截止" in header
    assert client.get("/").text.count('href="/queue.xlsx?') == 1
