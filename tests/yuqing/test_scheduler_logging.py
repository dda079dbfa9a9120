"""APScheduler's routine lines ("Running job …", "… executed successfully") are DEBUG: the
terminal shows what matters; a job that fails still shows."""

from __future__ import annotations

import logging

import pytest

from yuqing.scheduler import quiet_routine_lines


@pytest.mark.parametrize("name", ["apscheduler.executors.crawl", "apscheduler.scheduler"])
def test_routine_lines_are_debug(name: str, caplog: pytest.LogCaptureFixture) -> None:
    quiet_routine_lines()
    quiet_routine_lines()  # idempotent
    logger = logging.getLogger(name)
    assert len(logger.filters) == len(set(map(id, logger.filters)))
    with caplog.at_level(logging.INFO):
        logger.info('Running job "crawl:tieba-qxg (trigger: interval[0:01:00])"')
        logger.info('Job "crawl:tieba-qxg" executed successfully')
        logger.error('Job "crawl:tieba-qxg" raised an exception')
    assert [r.levelname for r in caplog.records] == ["ERROR"]
    caplog.clear()
    with caplog.at_level(logging.DEBUG):
        logging.getLogger().setLevel(logging.DEBUG)
        logger.info('Job "analyze" executed successfully')
    assert [r.levelname for r in caplog.records] == ["DEBUG"]
