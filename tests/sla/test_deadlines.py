"""Every deadline the policy gives an event, by severity and flags."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest

from response_sla.calendar import WorkCalendar
from response_sla.deadlines import deadlines_for
from response_sla.policy import Policy
from storage.enums import Severity
from tests.sla.conftest import sh

START = sh(2025, 9, 26, 10)  # a Friday before the 2025 National Day week


@pytest.mark.parametrize(
    ("severity", "expected"),
    [
        (
            Severity.MAJOR,
            {
                "acknowledge": sh(2025, 9, 26, 12),
                "publish_info": sh(2025, 9, 26, 15),
                "press_conference": sh(2025, 9, 27, 10),
                # 15 working days: 28 Sep (调休 Sunday), 29, 30 Sep, 9, 10, 11 (Saturday
                # worked) … 23 Oct, skipping 1–8 October
                "resolve": sh(2025, 10, 24),
            },
        ),
        (
            Severity.EXTRAORDINARY,
            {
                "acknowledge": sh(2025, 9, 26, 12),
                "publish_info": sh(2025, 9, 26, 15),
                "press_conference": sh(2025, 9, 27, 10),
                "resolve": sh(2025, 10, 24),
            },
        ),
        (
            Severity.GENERAL,
            {
                "acknowledge": sh(2025, 9, 26, 12),
                "respond": sh(2025, 9, 28, 10),
                "resolve": sh(2025, 10, 24),
            },
        ),
        (
            Severity.ROUTINE,
            {
                "acknowledge": sh(2025, 9, 26, 12),
                "respond": sh(2025, 9, 28, 10),
                "resolve": sh(2025, 10, 24),
            },
        ),
    ],
)
def test_deadlines_by_severity(
    policy: Policy, calendar: WorkCalendar, severity: Severity, expected: dict[str, datetime]
) -> None:
    specs = deadlines_for(severity, START, policy, calendar)
    assert {s.kind: s.due_at for s in specs} == expected
    assert [s.due_at for s in specs] == sorted(s.due_at for s in specs)
    assert not any(s.provisional for s in specs)


def test_website_error_two_working_days(policy: Policy, calendar: WorkCalendar) -> None:
    specs = deadlines_for(Severity.ROUTINE, START, policy, calendar, website_error=True)
    by_kind = {s.kind: s for s in specs}
    # Friday + 2 working days: Sunday 28 (调休) and Monday 29
    assert by_kind["website_error"].due_at == sh(2025, 9, 30)


def test_assignment_anchor_and_handling(policy: Policy, calendar: WorkCalendar) -> None:
    assigned = START + timedelta(hours=30)  # Saturday 27, 16:00
    specs = deadlines_for(
        Severity.GENERAL,
        START,
        policy,
        calendar,
        handling="咨询",
        assigned_at=assigned,
        close=time(17, 30),
    )
    by_kind = {s.kind: s for s in specs}
    assert by_kind["respond"].starts_at == START  # the legal window counts from the post
    assert by_kind["acknowledge"].due_at == assigned + timedelta(hours=2)
    # 咨询: 5 working days from Saturday: 28, 29, 30 Sep, 9, 10 Oct, closing 17:30
    assert by_kind["resolve"].due_at == sh(2025, 10, 10, 17, 30)


def test_provisional_in_a_year_without_data(policy: Policy, calendar: WorkCalendar) -> None:
    start = sh(2027, 3, 1, 9)
    specs = {s.kind: s for s in deadlines_for(Severity.MAJOR, start, policy, calendar)}
    assert not specs["publish_info"].provisional  # natural hours need no calendar
    assert specs["resolve"].provisional
    assert specs["resolve"].due_at == sh(2027, 3, 23)
