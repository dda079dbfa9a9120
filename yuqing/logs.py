"""Logging set-up: readable lines, or one JSON object a line for a log shipper.

A record carries ids where they apply: ``log.info(..., extra={"source_id": s})``. In JSON they
become fields of their own (``event_id``, ``source_id``, ``post_id``, ``job``), so that a log
search can select every line about one event or one board without parsing messages.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
ID_FIELDS = ("event_id", "source_id", "post_id", "job")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in ID_FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                line[name] = value
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def configure_logging(level: str, fmt: str = "text") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else logging.Formatter(TEXT_FORMAT))
    logging.basicConfig(level=level, handlers=[handler])
    # a line per job run every few seconds drowns what matters; failures still show
    quiet = max(logging.WARNING, logging.getLevelName(level))
    logging.getLogger("apscheduler.executors.default").setLevel(quiet)
