"""Office hours: a decision table of when a routine 签收 falls due, and the policy's rules on
which windows may run on office hours."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from response_sla.calendar import WorkCalendar
from response_sla.deadlines import deadlines_for, window_end
from response_sla.display import due_label
from response_sla.errors import SlaConfigError
from response_sla.office import OfficeHours
from response_sla.policy import Policy, load_policy, parse_policy
from storage.enums import Severity
from tests.sla.conftest import sh

OFFICE = OfficeHours.parse()  # 08:30–12:00, 14:30–17:30


def _ack(policy: Policy, start: datetime, severity: Severity = Severity.ROUTINE) -> datetime:
    end, _ = window_end(
        policy.kind("acknowledge"), start, WorkCalendar(), severity=severity, office=OFFICE
    )
    return end


# 2025: National Day and 中秋 off 1–8 October; Sunday 28 September and Saturday 11 October are
# 调休 working days (国办发明电〔2024〕12号).
@pytest.mark.parametrize(
    ("case", "start", "due"),
    [
        ("a morning post", sh(2025, 9, 25, 9), sh(2025, 9, 25, 11)),
        ("at 11:59: one minute before lunch, the rest after", sh(2025, 9, 25, 11, 59),
         sh(2025, 9, 25, 16, 29)),
        ("during the lunch break", sh(2025, 9, 25, 12, 30), sh(2025, 9, 25, 16, 30)),
        ("an evening post", sh(2025, 9, 25, 20), sh(2025, 9, 26, 10, 30)),
        ("just before the close", sh(2025, 9, 25, 17), sh(2025, 9, 26, 10)),
        ("after midnight", sh(2025, 9, 26, 2), sh(2025, 9, 26, 10, 30)),
        ("a Saturday", sh(2025, 9, 20, 15), sh(2025, 9, 22, 10, 30)),
        ("Friday evening: the 调休 Sunday 28 Sep is worked", sh(2025, 9, 26, 20),
         sh(2025, 9, 28, 10, 30)),
        ("the evening before National Day", sh(2025, 9, 30, 20), sh(2025, 10, 9, 10, 30)),
        ("in the National Day week", sh(2025, 10, 3, 10), sh(2025, 10, 9, 10, 30)),
        ("the last holiday evening", sh(2025, 10, 8, 21), sh(2025, 10, 9, 10, 30)),
        ("Friday 10 Oct afternoon runs into the 调休 Saturday", sh(2025, 10, 10, 17),
         sh(2025, 10, 11, 10)),
        ("on the 调休 Saturday itself", sh(2025, 10, 11, 9), sh(2025, 10, 11, 11)),
    ],
)
def test_routine_acknowledge_runs_on_office_hours(
    policy: Policy, case: str, start: datetime, due: datetime
) -> None:
    got = _ack(policy, start)
    assert got == due, case
    assert OFFICE.is_open(got, WorkCalendar()), case  # never due outside office hours


@pytest.mark.parametrize("severity", [Severity.EXTRAORDINARY, Severity.MAJOR])
def test_majors_are_signed_for_round_the_clock(policy: Policy, severity: Severity) -> None:
    start = sh(2025, 9, 30, 20)
    assert _ack(policy, start, severity) == start + timedelta(hours=2)


def test_statutory_windows_are_unchanged(policy: Policy) -> None:
    start = sh(2025, 9, 30, 20)  # evening before the holiday
    for severity, kind, hours in [
        (Severity.MAJOR, "publish_info", 5),
        (Severity.MAJOR, "press_conference", 24),
        (Severity.ROUTINE, "respond", 48),
        (Severity.GENERAL, "respond", 48),
    ]:
        specs = deadlines_for(severity, start, policy, WorkCalendar(), office=OFFICE)
        spec = next(s for s in specs if s.kind == kind)
        assert spec.due_at == start + timedelta(hours=hours)
        assert spec.clock == "natural"


def test_each_deadline_says_its_clock(policy: Policy) -> None:
    specs = deadlines_for(Severity.ROUTINE, sh(2025, 9, 25, 9), policy, WorkCalendar(),
                          office=OFFICE)
    assert {s.kind: s.clock for s in specs} == {
        "acknowledge": "office",
        "respond": "natural",
        "resolve": "working_days",
    }
    # without office hours configured every hour window runs round the clock
    specs = deadlines_for(Severity.ROUTINE, sh(2025, 9, 25, 9), policy, WorkCalendar())
    assert {s.kind: s.clock for s in specs}["acknowledge"] == "natural"


def test_office_periods_are_configurable() -> None:
    late = OfficeHours.parse(["09:00-12:00", "13:00-18:00"])
    end, _ = late.add(sh(2025, 9, 25, 11, 30), 2, WorkCalendar())
    assert end == sh(2025, 9, 25, 14, 30)
    for bad in (["12:00-08:30"], ["08:30-12:00", "11:00-17:00"], ["8.30-12"], []):
        with pytest.raises(ValueError):
            OfficeHours.parse(bad)


def _policy_with(ack: str) -> dict[str, object]:
    import tomllib
    from importlib import resources

    text = resources.files("response_sla").joinpath("default_policy.toml").read_text("utf-8")
    data = tomllib.loads(text)
    kinds = data["kinds"]
    assert isinstance(kinds, dict)
    kinds["acknowledge"] = {**kinds["acknowledge"], **tomllib.loads(ack)}
    return data


@pytest.mark.parametrize(
    "change",
    [
        'clock_by_grade = {}',  # majors would run on office hours
        'clock = "sometimes"',
    ],
)
def test_the_policy_refuses_office_hours_where_the_law_counts_natural_hours(change: str) -> None:
    with pytest.raises(SlaConfigError, match="clock"):
        parse_policy(_policy_with(change), "test")


def test_statutory_windows_cannot_run_on_office_hours() -> None:
    data = _policy_with("")
    kinds = data["kinds"]
    assert isinstance(kinds, dict)
    kinds["respond"] = {**kinds["respond"], "clock": "office"}
    with pytest.raises(SlaConfigError, match="statutory"):
        parse_policy(data, "test")
    assert load_policy().kind("acknowledge").clock == "office"


@pytest.mark.parametrize(
    ("moment", "label"),
    [
        (sh(2025, 12, 30, 0), "12月29日 24:00"),
        (sh(2025, 12, 29, 17, 30), "12月29日 17:30"),
        (sh(2026, 1, 1, 0), "12月31日 24:00"),
    ],
)
def test_a_deadline_that_ends_a_day_reads_24_00(moment: datetime, label: str) -> None:
    assert due_label(moment) == label
