"""``/metrics`` of the running service moves as the scenario does: crawls counted, posts
analysed, a statutory window breached and counted, the outbox drained. The service logs in
JSON meanwhile: every log line is one JSON object, crawl lines name their source."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from domain.settings import load_settings
from tests.e2e.conftest import POLL_S, SEED, ServiceFactory, Smtp, wait_for
from yuqing.demo.harness import ServiceProcess, write_config
from yuqing.demo.replay_site import Timeline, replay_site
from yuqing.demo.scenario import ScenarioPost

# a 重大 accident first posted six hours ago: its 5 h 发布权威信息 window is already over
LATE_MAJOR = ScenarioPost(
    "late-major", "people", -6 * 3600, "海子街镇新开田村客车坠河，已造成13人死亡",
    "今天凌晨海子街镇新开田村附近一辆客车坠入河道，已造成13人死亡、2人失联，请政府尽快公布情况。",
    kind="建言")
SETTLE_S = POLL_S + 150  # first analysis loads the models; the tick runs every minute


@pytest.fixture
def site() -> Iterator[tuple[str, Timeline]]:
    with replay_site(0, scenario=(*SEED, LATE_MAJOR), recurring_every_s=None) as running:
        yield running


Figures = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def scrape(base: str) -> Figures:
    response = requests.get(f"{base}/metrics", timeout=10)
    response.raise_for_status()
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for f in text_string_to_metric_families(response.text) for s in f.samples}


def total(figures: Figures, name: str, **labels: str) -> float:
    want = set(labels.items())
    return sum(v for (n, lab), v in figures.items() if n == name and want <= set(lab))


def test_metrics_follow_the_scenario(make_service: ServiceFactory, smtp: Smtp,
                                     tmp_path: Path) -> None:
    smtp.start()
    service = make_service(YUQING_LOG_FORMAT="json")
    service.start()
    before = scrape(service.base)
    assert total(before, "yuqing_database_up") == 1
    assert total(before, "yuqing_sla_breaches_total") == 0
    assert total(before, "yuqing_posts_analysed_total") == 0

    configured = {s.id for s in load_settings(tmp_path / "yuqing.toml", environ={}).sources
                  if s.enabled}

    def settled() -> Figures | None:
        now = scrape(service.base)
        done = (all(total(now, "yuqing_crawl_runs_total", source=s) for s in configured)
                and total(now, "yuqing_sla_breaches_total", kind="publish_info") >= 1
                and total(now, "yuqing_outbox_sent_total", kind="breach") >= 1
                and total(now, "yuqing_outbox_waiting") == 0
                and total(now, "yuqing_posts_waiting") == 0)
        return now if done else None

    after: Figures = wait_for("the breach counted and the outbox drained", settled,
                              SETTLE_S, service)

    # crawls counted, per source
    sources = {dict(lab)["source"] for (n, lab) in after
               if n == "yuqing_source_last_success_timestamp_seconds"}
    assert sources == configured
    for source in sources:
        assert total(after, "yuqing_crawl_runs_total", source=source) >= 1, source
        assert total(after, "yuqing_source_last_success_timestamp_seconds", source=source) > 0
    assert total(after, "yuqing_crawl_runs_total") > total(before, "yuqing_crawl_runs_total")
    assert total(after, "yuqing_crawl_items_total", outcome="new") >= len(SEED) + 1
    # posts analysed, the accident among them, with its publication → event time
    assert total(after, "yuqing_posts_analysed_total") >= len(SEED) + 1
    assert total(after, "yuqing_post_to_event_seconds_count") >= 1
    assert total(after, "yuqing_post_to_event_seconds_sum") >= 6 * 3600  # six hours late
    # the breach, the alert emails out, nothing left waiting or failed
    assert total(after, "yuqing_sla_windows_late", kind="publish_info") >= 1
    assert total(after, "yuqing_outbox_sent_total", kind="new_major_event") >= 1
    assert total(after, "yuqing_outbox_failed") == 0
    assert total(after, "yuqing_outbox_send_attempts_total", outcome="sent") >= 1
    assert total(after, "yuqing_outbox_send_attempts_total", outcome="failed") == 0
    assert total(after, "yuqing_outbox_oldest_waiting_timestamp_seconds") == 0
    assert smtp.inbox.all()
    # this process leads, its tick ran and is on time
    assert total(after, "yuqing_leader") == 1
    assert total(after, "yuqing_sla_tick_duration_seconds_count") >= 1
    assert total(after, "yuqing_sla_tick_lag_seconds") < 60
    assert total(after, "yuqing_job_runs_total", job="sla_tick", outcome="ok") >= 1
    assert total(after, "yuqing_http_request_duration_seconds_count", route="/metrics") >= 2

    sample = os.environ.get("YUQING_METRICS_SAMPLE")
    if sample:  # keep one scrape for the release notes
        Path(sample).write_text(requests.get(f"{service.base}/metrics", timeout=10).text,
                                encoding="utf-8")
    assert service.stop() == 0
    assert service.log_path is not None
    lines = service.log_path.read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines if line.startswith("{")]
    # what is not a JSON record is the command's own closing line, not a log record
    assert [line for line in lines if not line.startswith("{")] == ["yuqing stopped"]
    crawled = {r["source_id"] for r in records if r["message"].startswith("crawl ")}
    assert crawled == configured


@pytest.mark.postgres
def test_every_process_on_one_database_reports_the_same_figures(
    pg_url: str, site: tuple[str, Timeline], smtp: Smtp, tmp_path: Path,
) -> None:
    """Two processes on one PostgreSQL database: whichever did the work, both report it; only
    the leader says it leads."""
    smtp.start()
    config = write_config(tmp_path / "yuqing.toml", site[0], POLL_S,
                          mail={"quiet_after_assignment_s": 0})
    env = {"YUQING_DATABASE_URL": pg_url, "YUQING_MAIL_BACKEND": "smtp",
           "YUQING_SMTP_HOST": "127.0.0.1", "YUQING_SMTP_PORT": str(smtp.port)}
    a = ServiceProcess(config, tmp_path / "var-a", env=env)
    b = ServiceProcess(config, tmp_path / "var-b", env=env)
    try:
        a.start()
        b.start()
        wait_for("the breach counted by the follower too",
                 lambda: total(scrape(b.base), "yuqing_sla_breaches_total") >= 1
                 and total(scrape(b.base), "yuqing_outbox_waiting") == 0, SETTLE_S, a)
        first, other, last = scrape(a.base), scrape(b.base), scrape(a.base)
        assert (total(first, "yuqing_leader"), total(other, "yuqing_leader")) == (1, 0)
        # counters only grow: the follower's figure lies between two of the leader's
        for name in ("yuqing_crawl_runs_total", "yuqing_crawl_pages_total",
                     "yuqing_posts_analysed_total", "yuqing_sla_breaches_total",
                     "yuqing_outbox_sent_total", "yuqing_post_to_event_seconds_count"):
            assert total(first, name) <= total(other, name) <= total(last, name), name
        assert total(other, "yuqing_crawl_runs_total") > 0
        # the follower runs no tick itself; the lag it reports is the shared schedule's
        assert total(other, "yuqing_sla_tick_duration_seconds_count") == 0
        assert total(other, "yuqing_sla_tick_lag_seconds") < 60
    finally:
        b.stop()
        a.stop()
