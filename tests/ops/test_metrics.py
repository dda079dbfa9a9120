"""``/metrics``: figures read from a real database, access rules, request durations."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from domain.event_actions import EventAction, LogEntity
from domain.settings import Settings
from storage import models
from storage.enums import CrawlStatus, DeadlineState, OutboxState, Severity
from storage.event_log import LogEntry, write_log
from tests.web import factories
from yuqing.bootstrap import sync_directory
from yuqing.metrics import MAX_REASONS_PER_SOURCE, Metrics, reason_label
from yuqing.scheduler import build_scheduler, sync_jobs
from yuqing.web import create_app

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def scrape(metrics: Metrics) -> Samples:
    out: Samples = {}
    for family in text_string_to_metric_families(metrics.render().decode()):
        for s in family.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples[(name, tuple(sorted(labels.items())))]


def crawl_run(session: Session, source: str, minutes_ago: int, *, status: CrawlStatus,
              finished: bool = True, errors: dict[str, int] | None = None,
              dropped: dict[str, int] | None = None, pages: int = 3, new: int = 2
              ) -> models.CrawlRun:
    run = models.CrawlRun(
        source_id=source, started_at=NOW - timedelta(minutes=minutes_ago),
        finished_at=NOW - timedelta(minutes=minutes_ago - 1) if finished else None,
        status=status if finished else CrawlStatus.RUNNING, pages=pages if finished else 0,
        items_new=new if finished else 0, items_updated=1 if finished else 0,
        errors=errors or {}, items_dropped=dropped or {}, error_samples=[])
    session.add(run)
    session.flush()
    return run


@pytest.fixture
def world(sessions: sessionmaker[Session], settings: Settings) -> sessionmaker[Session]:
    """One board with a crawl history, analysed and waiting posts, an 重大 event with a 5 h
    window nobody acknowledged and a breached 48 h window, and an outbox of each state."""
    with sessions.begin() as s:
        sync_directory(s, settings)
        factories.source(s, "board", interval_s=600, last_ok_at=NOW - timedelta(minutes=5))
        crawl_run(s, "board", 60, status=CrawlStatus.OK, dropped={"out_of_scope": 4})
        crawl_run(s, "board", 30, status=CrawlStatus.FAILED, errors={"http_503": 2},
                  pages=1, new=0)
        crawl_run(s, "board", 2, status=CrawlStatus.OK, finished=False)

        major = factories.event(s, "某镇客车坠河", severity=Severity.MAJOR,
                                started_at=NOW - timedelta(hours=4, minutes=30))
        factories.deadline(s, major, "publish_info", hours=5)
        routine = factories.event(s, started_at=NOW - timedelta(hours=50))
        late = factories.deadline(s, routine, "respond", hours=48, state=DeadlineState.BREACHED)
        factories.assignment(s, routine, "jyj", acknowledged_at=NOW - timedelta(hours=49))
        factories.deadline(s, routine, "handle", hours=72)  # open, and acknowledged
        write_log(s, [LogEntry(NOW - timedelta(hours=2), "tick", EventAction.BREACHED,
                               LogEntity.DEADLINE, late.id, routine.id, detail={"level": 1})])
        # published 10 min before analysis, and 2 h before
        factories.post(s, major, published_at=NOW - timedelta(minutes=20),
                       analyzed_at=NOW - timedelta(minutes=10))
        factories.post(s, routine, published_at=NOW - timedelta(hours=3),
                       analyzed_at=NOW - timedelta(hours=1))
        factories.post(s, None, published_at=NOW - timedelta(minutes=2))  # waits

        for i, (kind, state, next_at) in enumerate((
            ("assignment", OutboxState.PENDING, NOW - timedelta(minutes=15)),
            ("assignment", OutboxState.SENT, None),
            ("breach", OutboxState.FAILED, None),
            ("warning", OutboxState.SENDING, None),
        )):
            s.add(models.Outbox(created_at=NOW - timedelta(minutes=20 - i), kind=kind,
                                dedupe_key=f"k{i}", state=state, next_attempt_at=next_at))
    return sessions


def test_database_figures(world: sessionmaker[Session], settings: Settings) -> None:
    metrics = Metrics(world, clock=lambda: NOW)
    got = scrape(metrics)

    assert value(got, "yuqing_database_up") == 1
    last_ok = (NOW - timedelta(minutes=5)).timestamp()
    assert value(got, "yuqing_source_last_success_timestamp_seconds", source="board") == last_ok
    assert value(got, "yuqing_source_interval_seconds", source="board") == 600
    # the running crawl is not counted until it finishes
    assert value(got, "yuqing_crawl_runs_total", source="board", status="ok") == 1
    assert value(got, "yuqing_crawl_runs_total", source="board", status="failed") == 1
    assert value(got, "yuqing_crawl_pages_total", source="board") == 4
    assert value(got, "yuqing_crawl_items_total", source="board", outcome="new") == 2
    assert value(got, "yuqing_crawl_errors_total", source="board", reason="http_503") == 2
    assert value(got, "yuqing_crawl_items_dropped_total", source="board",
                 reason="out_of_scope") == 4

    assert value(got, "yuqing_posts_waiting") == 1
    assert value(got, "yuqing_posts_oldest_waiting_timestamp_seconds") == (
        NOW - timedelta(minutes=2)).timestamp()
    assert value(got, "yuqing_posts_analysed_total") == 2
    assert value(got, "yuqing_post_to_event_seconds_count") == 2
    assert value(got, "yuqing_post_to_event_seconds_sum") == 600 + 7200
    assert value(got, "yuqing_post_to_event_seconds_bucket", le="600.0") == 1
    assert value(got, "yuqing_post_to_event_seconds_bucket", le="10800.0") == 2

    assert value(got, "yuqing_sla_windows_open", kind="publish_info", severity="重大") == 1
    assert value(got, "yuqing_sla_windows_late", kind="respond", severity="常规") == 1
    assert value(got, "yuqing_sla_breaches_total", kind="respond") == 1
    # the 5 h window: 30 minutes left and nobody acknowledged; the breached one is not "open"
    assert value(got, "yuqing_sla_windows_unacknowledged", kind="publish_info") == 1
    assert value(got, "yuqing_sla_unacknowledged_deadline_timestamp_seconds",
                 kind="publish_info") == (NOW + timedelta(minutes=30)).timestamp()
    assert ("yuqing_sla_windows_unacknowledged", (("kind", "respond"),)) not in got
    assert value(got, "yuqing_sla_windows_open", kind="handle", severity="常规") == 1
    assert ("yuqing_sla_windows_unacknowledged", (("kind", "handle"),)) not in got

    assert value(got, "yuqing_outbox_waiting", kind="assignment") == 1
    assert value(got, "yuqing_outbox_waiting", kind="warning") == 1
    assert value(got, "yuqing_outbox_failed", kind="breach") == 1
    assert value(got, "yuqing_outbox_sent_total", kind="assignment") == 1
    assert value(got, "yuqing_outbox_oldest_waiting_timestamp_seconds") == (
        NOW - timedelta(minutes=20)).timestamp()
    assert value(got, "yuqing_outbox_overdue_seconds") == 15 * 60


def test_counters_follow_new_rows_without_counting_twice(
    world: sessionmaker[Session],
) -> None:
    metrics = Metrics(world, clock=lambda: NOW)
    scrape(metrics)
    with world.begin() as s:
        running = s.query(models.CrawlRun).filter(models.CrawlRun.finished_at.is_(None)).one()
        running.finished_at, running.status, running.pages = NOW, CrawlStatus.OK, 5
        running.errors = {"parse_ValueError": 1}
        crawl_run(s, "board", 1, status=CrawlStatus.BLOCKED, errors={"http_403": 1}, pages=1)
        ev = s.query(models.Event).first()
        assert ev is not None
        factories.post(s, ev, published_at=NOW - timedelta(seconds=50), analyzed_at=NOW)
        s.query(models.Outbox).filter(models.Outbox.state == OutboxState.PENDING).update(
            {"state": OutboxState.SENT})
    got = scrape(metrics)
    assert value(got, "yuqing_crawl_runs_total", source="board", status="ok") == 2
    assert value(got, "yuqing_crawl_runs_total", source="board", status="blocked") == 1
    assert value(got, "yuqing_crawl_pages_total", source="board") == 4 + 5 + 1
    assert value(got, "yuqing_crawl_errors_total", source="board",
                 reason="parse_valueerror") == 1
    assert value(got, "yuqing_post_to_event_seconds_count") == 3
    assert value(got, "yuqing_outbox_sent_total", kind="assignment") == 2
    assert value(got, "yuqing_outbox_overdue_seconds") == 0
    # a fresh process reading the same database reports the same totals
    again = scrape(Metrics(world, clock=lambda: NOW))
    for name in ("yuqing_crawl_runs_total", "yuqing_crawl_pages_total",
                 "yuqing_post_to_event_seconds_count", "yuqing_crawl_errors_total"):
        assert {k: v for k, v in got.items() if k[0] == name} == {
            k: v for k, v in again.items() if k[0] == name}


def test_reasons_are_bounded() -> None:
    assert reason_label("HTTP 503 / Service Unavailable") == "http_503_service_unavailable"
    assert reason_label("重复") == "unknown"
    assert len(reason_label("x" * 200)) == 40


def test_many_reasons_fold_into_other(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as s:
        factories.source(s, "board")
        crawl_run(s, "board", 5, status=CrawlStatus.FAILED,
                  errors={f"reason_{i}": 1 for i in range(MAX_REASONS_PER_SOURCE + 5)})
    got = scrape(Metrics(sessions, clock=lambda: NOW))
    reasons = {dict(k[1])["reason"] for k in got if k[0] == "yuqing_crawl_errors_total"}
    assert len(reasons) == MAX_REASONS_PER_SOURCE + 1
    assert value(got, "yuqing_crawl_errors_total", source="board", reason="other") == 5
    # nothing waits: the "oldest waiting" figures say 0, not a time long ago
    assert value(got, "yuqing_outbox_oldest_waiting_timestamp_seconds") == 0
    assert value(got, "yuqing_posts_oldest_waiting_timestamp_seconds") == 0
    assert value(got, "yuqing_outbox_overdue_seconds") == 0


def test_tick_lag_from_the_shared_job_store(sessions: sessionmaker[Session],
                                            settings: Settings) -> None:
    """The job store's stored next run of the tick: on time now, 10 minutes behind when
    nobody ran it for 11 minutes."""
    engine = sessions.kw["bind"]
    scheduler = build_scheduler(engine, settings)
    scheduler.start(paused=True)
    try:
        sync_jobs(scheduler, settings)
    finally:
        scheduler.shutdown(wait=True)
    with engine.connect() as conn:
        stored = conn.execute(text(
            "SELECT next_run_time FROM apscheduler_jobs WHERE id = 'sla_tick'")).scalar_one()
    next_run = datetime.fromtimestamp(stored, UTC)
    on_time = scrape(Metrics(sessions, clock=lambda: next_run - timedelta(seconds=1)))
    assert value(on_time, "yuqing_sla_tick_lag_seconds") == 0
    assert value(on_time, "yuqing_scheduler_next_run_timestamp_seconds", job="sla_tick") == (
        pytest.approx(next_run.timestamp()))
    stuck = scrape(Metrics(sessions, clock=lambda: next_run + timedelta(minutes=10)))
    assert value(stuck, "yuqing_sla_tick_lag_seconds") == pytest.approx(600)


def test_an_unreadable_database_says_so(tmp_path: object, settings: Settings) -> None:
    from sqlalchemy import create_engine

    broken = sessionmaker(create_engine("sqlite:////nonexistent/dir/none.db"))
    got = scrape(Metrics(broken))
    assert value(got, "yuqing_database_up") == 0


# -- the web endpoint -------------------------------------------------------------------


@pytest.fixture
def app_settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"web": settings.web.model_copy(
        update={"secret_key": "test-secret-key-0123456789"})})


def client_for(settings: Settings, sessions: sessionmaker[Session], host: str,
               **metrics: object) -> TestClient:
    if metrics:
        settings = settings.model_copy(update={
            "metrics": settings.metrics.model_copy(update=metrics)})
    return TestClient(create_app(settings, sessions), client=(host, 50000),
                      follow_redirects=False)


@pytest.fixture
def db(sqlite_sessions: sessionmaker[Session], app_settings: Settings
       ) -> Iterator[sessionmaker[Session]]:
    with sqlite_sessions.begin() as s:
        sync_directory(s, app_settings)
    yield sqlite_sessions


def test_metrics_answer_loopback_only_by_default(db: sessionmaker[Session],
                                                 app_settings: Settings) -> None:
    with client_for(app_settings, db, "127.0.0.1") as c:
        r = c.get("/metrics")
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/plain")
        assert "yuqing_database_up 1.0" in r.text
    with client_for(app_settings, db, "10.8.0.5") as c:
        assert c.get("/metrics").status_code == 403


def test_an_address_list_or_a_token_opens_metrics(db: sessionmaker[Session],
                                                  app_settings: Settings) -> None:
    with client_for(app_settings, db, "10.8.0.5", allow=["10.8.0.0/24"]) as c:
        assert c.get("/metrics").status_code == 200
    with client_for(app_settings, db, "192.0.2.7", token="s3cret-token") as c:
        assert c.get("/metrics").status_code == 403
        assert c.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 403
        ok = c.get("/metrics", headers={"Authorization": "Bearer s3cret-token"})
        assert ok.status_code == 200
    with client_for(app_settings, db, "127.0.0.1", enabled=False) as c:
        assert c.get("/metrics").status_code == 404


def test_request_durations_by_route_template(db: sessionmaker[Session],
                                             app_settings: Settings) -> None:
    with client_for(app_settings, db, "127.0.0.1") as c:
        c.get("/login")
        c.get("/events/12")
        c.get("/events/13")
        c.get("/no/such/page")
        text = c.get("/metrics").text
    counts = {
        (s.labels["route"], s.labels["method"]): s.value
        for f in text_string_to_metric_families(text) for s in f.samples
        if s.name == "yuqing_http_request_duration_seconds_count"
    }
    assert counts[("/login", "GET")] == 1
    assert counts[("/events/{event_id}", "GET")] == 2  # one series for every event
    assert counts[("other", "GET")] == 1
