"""``[log] format``: readable lines or one JSON object a line with the ids that apply."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT, SAMPLE_CONFIG
from yuqing.logs import JsonFormatter


def record(msg: str, *args: object, **extra: object) -> logging.LogRecord:
    rec = logging.LogRecord("yuqing.jobs", logging.ERROR, __file__, 1, msg, args, None)
    for k, v in extra.items():
        setattr(rec, k, v)
    return rec


def test_json_lines_carry_the_ids_that_apply() -> None:
    line = JsonFormatter().format(record("crawl of %s failed: %s", "people", "HTTP 503",
                                         source_id="people", job="crawl:people"))
    data = json.loads(line)
    assert data["message"] == "crawl of people failed: HTTP 503"
    assert (data["level"], data["logger"]) == ("ERROR", "yuqing.jobs")
    assert (data["source_id"], data["job"]) == ("people", "crawl:people")
    assert "event_id" not in data and "post_id" not in data
    assert data["ts"].endswith("+00:00")
    data = json.loads(JsonFormatter().format(record("事件 %s", 7, event_id=7, post_id=12)))
    assert (data["message"], data["event_id"], data["post_id"]) == ("事件 7", 7, 12)


def test_exceptions_stay_on_one_line() -> None:
    try:
        raise ValueError("bad page")
    except ValueError:
        rec = record("post %s could not be analysed", 3, post_id=3)
        rec.exc_info = sys.exc_info()
    line = JsonFormatter().format(rec)
    assert "\n" not in line
    assert "ValueError: bad page" in json.loads(line)["exception"]


def _init(var: Path, fmt: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "yuqing", "--config", str(SAMPLE_CONFIG), "init"],
        capture_output=True, text=True, cwd=ROOT,
        env={"YUQING_VAR_DIR": str(var), "YUQING_LOG_FORMAT": fmt,
             "YUQING_LOG_LEVEL": "INFO", "PATH": "/usr/bin:/bin"},
    )


def test_the_command_line_logs_json_when_configured(tmp_path: Path) -> None:
    proc = _init(tmp_path / "var", "json")
    assert proc.returncode == 0, proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert lines, "alembic logs its migrations at INFO"
    for ln in lines:
        assert isinstance(json.loads(ln)["message"], str)
    proc = _init(tmp_path / "var2", "text")
    assert proc.returncode == 0, proc.stderr
    assert " INFO " in proc.stderr and not proc.stderr.lstrip().startswith("{")


def test_the_dashboard_server_logs_json_too(tmp_path: Path) -> None:
    """`yuqing web`: the web server's own lines (start-up, requests) are JSON as well."""
    import signal
    import socket
    import time
    import urllib.request

    var = tmp_path / "var"
    assert _init(var, "json").returncode == 0
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {"YUQING_VAR_DIR": str(var), "YUQING_LOG_FORMAT": "json", "YUQING_LOG_LEVEL": "INFO",
           "PATH": "/usr/bin:/bin"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "yuqing", "--config", str(SAMPLE_CONFIG), "web",
         "--host", "127.0.0.1", "--port", str(port)],
        stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, cwd=ROOT, env=env,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=2) as r:
                    assert r.status == 200
                break
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline, "web did not start"
                time.sleep(0.2)
    finally:
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
    lines = [json.loads(ln) for ln in err.splitlines() if ln.strip()]
    assert any(d["logger"].startswith("uvicorn") for d in lines), err
    assert any("GET /login" in d["message"] for d in lines), err
