"""The SLA engine as the settings configure it: policy file, holiday overrides, office close.

Kept apart from the pure core, which never sees settings.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from domain.settings import Settings
from response_sla.calendar import WorkCalendar, missing_year_warning, parse_close
from response_sla.errors import Problem, SlaConfigError
from response_sla.office import OfficeHours, OfficeSchedule
from response_sla.overrides import load_overrides
from response_sla.policy import Policy, load_policy
from response_sla.tick import TickResult, tick

# How far ahead `config check` looks for years without a holiday arrangement: past the longest
# default window (15 working days + 10 of 延期) with room to spare, and short enough that next
# year is flagged from October, when the State Council's notice is due.
HORIZON = timedelta(days=90)


@dataclass(frozen=True)
class SlaSetup:
    policy: Policy
    calendar: WorkCalendar
    close: time | None  # office close; None = 24:00
    # the jurisdiction's office periods for windows the policy runs on office hours; None:
    # every hour window runs round the clock
    office: OfficeHours | None = None

    @property
    def schedule(self) -> OfficeSchedule | None:
        """Office hours on the working calendar: how a clock on office hours counts."""
        return OfficeSchedule(self.office, self.calendar) if self.office is not None else None


def from_settings(settings: Settings) -> SlaSetup:
    """Raises SlaConfigError (file and key for every problem) when a file is unusable."""
    problems = []
    policy: Policy | None = None
    try:
        policy = load_policy(settings.sla.policy or None)
    except SlaConfigError as exc:
        problems.extend(exc.problems)
    overrides = {}
    if settings.sla.calendar_overrides:
        try:
            overrides = load_overrides(Path(settings.sla.calendar_overrides))
        except SlaConfigError as exc:
            problems.extend(exc.problems)
    office: OfficeHours | None = None
    try:
        office = OfficeHours.parse(settings.jurisdiction.office_hours)
    except ValueError as exc:
        problems.append(Problem(str(settings.config_path), "jurisdiction.office_hours", str(exc)))
    if problems or policy is None:
        raise SlaConfigError(problems)
    return SlaSetup(
        policy, WorkCalendar(overrides), parse_close(settings.sla.office_close), office
    )


def calendar_warnings(settings: Settings, today: date, horizon: timedelta = HORIZON) -> list[str]:
    """Problems in the SLA files, and years within the horizon without holiday data."""
    try:
        setup = from_settings(settings)
    except SlaConfigError as exc:
        return [f"sla: {p}" for p in exc.problems]
    missing = setup.calendar.years_without_data(today, today + horizon)
    return [missing_year_warning(year) for year in missing]


def run_tick(settings: Settings, sessions: sessionmaker[Session], now: datetime) -> TickResult:
    """The scheduler's SLA job: one idempotent pass over the due clocks."""
    setup = from_settings(settings)
    return tick(sessions, now, setup.policy, office=setup.schedule)
