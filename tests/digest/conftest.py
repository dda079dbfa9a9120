"""The fixed W47 data set in a database, and the settings of the sample jurisdiction."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from domain.settings import Settings
from tests.digest import dataset


@dataclass
class Built:
    sessions: sessionmaker[Session]
    ids: dict[str, Any]


@pytest.fixture
def built(sqlite_sessions: sessionmaker[Session], settings: Settings) -> Built:
    with sqlite_sessions.begin() as s:
        ids = dataset.build(s, settings)
    return Built(sqlite_sessions, ids)
