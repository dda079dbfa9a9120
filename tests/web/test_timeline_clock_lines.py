"""Whatever the clock writes to the log reads as Chinese on the timeline: a tick that comes
late (the service was down, or the case sat in quiet hours) skips warnings, folds owed
reminders into one and escalates in a single step, and each of those lines is rendered."""

from __future__ import annotations

from datetime import UTC, timedelta
from zoneinfo import ZoneInfo

import pytest

from response_sla.clock import Clock, start_clock, step
from response_sla.policy import load_policy
from storage import models
from tests.sla.conftest import sh
from tests.web.readable import leaks
from yuqing.web.timeline import Names, lines

TZ = ZoneInfo("Asia/Shanghai")
START = sh(2025, 9, 26, 10)


def _walk(kind: str, gaps_h: list[float]) -> list[models.EventLog]:
    policy = load_policy().kind(kind)
    assert policy.hours is not None
    deadline = START + timedelta(hours=policy.hours)
    c: Clock = start_clock(policy, START, deadline, unit_id="zjj")
    now = START
    rows: list[models.EventLog] = []
    for gap in gaps_h:
        now += timedelta(hours=gap)
        result = step(c, now, policy)
        c = result.clock
        for t in result.log:
            rows.append(
                models.EventLog(
                    at=t.at.astimezone(UTC),
                    actor=t.actor,
                    entity="deadline",
                    action=t.action.value,
                    unit_id=c.unit_id,
                    detail={"kind": kind, **t.detail},
                )
            )
    return rows


@pytest.mark.parametrize(
    "gaps_h",
    [
        [1, 1, 1, 1, 1, 1, 1, 1],  # on time, every hour
        [4.5, 0.6, 9],  # the warnings pass unsent, then it escalates past owed reminders
        [5, 1, 1, 1, 1, 1, 1, 1, 5, 5],  # hourly reminders, then five owed at once: one is sent
        [20, 30, 50],  # the service was down for days
    ],
)
def test_every_line_the_clock_logs_reads_as_chinese(gaps_h: list[float]) -> None:
    rows = _walk("publish_info", gaps_h)
    assert rows, "the walk logged nothing"
    rendered = lines(rows, Names(units={"zjj": "住建局"}, kinds={"publish_info": "发布信息"}), TZ)
    problems = [
        f"{r.what} {r.detail}: {leak}"
        for r in rendered
        for leak in leaks(f"{r.what} {r.detail} {r.reason}")
    ]
    assert not problems, "\n".join(problems)


def test_folded_reminders_say_which_were_folded() -> None:
    rows = _walk("publish_info", [5, 1, 1, 1, 1, 1, 1, 1, 5, 5])
    folded = [r for r in rows if "skipped" in r.detail]
    assert folded, "no step folded owed reminders into one"
    text = lines(folded, Names(units={"zjj": "住建局"}), TZ)[0].detail
    first, last = folded[0].detail["skipped"]
    assert f"第 {first}" in text and "并入本次" in text, text


@pytest.mark.parametrize(("new_unit", "says"), [("jtj", "改由交通局承办"), ("", "")])
def test_an_approved_return_names_who_takes_it(new_unit: str, says: str) -> None:
    row = models.EventLog(
        at=START.astimezone(UTC), actor="user:1", entity="assignment", action="return_approved",
        unit_id="zjj", detail={"new_unit": new_unit}, reason="不属本单位职责",
    )
    line = lines([row], Names(units={"zjj": "住建局", "jtj": "交通局"}), TZ)[0]
    assert line.detail == says and not leaks(f"{line.what} {line.detail}"), line
