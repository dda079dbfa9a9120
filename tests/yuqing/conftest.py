"""Fixtures shared by the analysis-stage tests."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from domain.settings import Settings
from storage.db import transaction
from yuqing.bootstrap import sync_directory


@pytest.fixture(scope="module")
def analyzer_cache() -> dict[str, Any]:
    """Analyzers built once per module: loading the models is the slow part."""
    return {}


@pytest.fixture
def db(sessions: sessionmaker[Session], settings: Settings) -> sessionmaker[Session]:
    """An empty database of each kind with the sample configuration's directory."""
    with transaction(sessions) as session:
        sync_directory(session, settings)
    return sessions
