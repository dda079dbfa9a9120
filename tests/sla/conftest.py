"""Shared values for the SLA tests: the default policy and the library calendar."""

from __future__ import annotations

from datetime import datetime

import pytest

from response_sla.calendar import SHANGHAI, WorkCalendar
from response_sla.configured import SlaSetup
from response_sla.policy import Policy, load_policy


def sh(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)  # type: ignore[misc]


@pytest.fixture(scope="session")
def policy() -> Policy:
    return load_policy()


@pytest.fixture
def calendar() -> WorkCalendar:
    return WorkCalendar()


@pytest.fixture
def sla(policy: Policy, calendar: WorkCalendar) -> SlaSetup:
    """The engine as the service takes it: the default policy, the library calendar, 24:00."""
    return SlaSetup(policy, calendar, None)
