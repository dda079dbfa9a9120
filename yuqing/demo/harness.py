"""The real service in a child process, against the replay site: for the end-to-end tests and
the latency benchmark.

The child is ``python -m yuqing run`` with the sample configuration rewritten to point its
sources at the given replay site and poll at the given interval; everything else comes from
environment variables, as an operator would set them.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import requests

from domain.settings import DEFAULT_CONFIG

SAMPLE_REPLAY = "http://127.0.0.1:8765"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def write_config(target: Path, replay_base: str, interval_s: int,
                 sample: Path = DEFAULT_CONFIG, crawl: Mapping[str, float] | None = None,
                 mail: Mapping[str, float] | None = None) -> Path:
    """The sample configuration with its sources on ``replay_base``, polled every
    ``interval_s``; ``crawl`` and ``mail`` replace values in those tables."""
    text = sample.read_text(encoding="utf-8").replace(SAMPLE_REPLAY, replay_base.rstrip("/"))
    text = re.sub(r"(?m)^interval_s = \d+$", f"interval_s = {interval_s}", text)
    text = with_crawl_values(text, crawl or {})
    text = with_values(text, mail or {}, "mail")
    target.write_text(text, encoding="utf-8")
    return target


def with_crawl_values(text: str, crawl: Mapping[str, float]) -> str:
    """The configuration text with these values in its [crawl] table replaced."""
    return with_values(text, crawl, "crawl")


def with_values(text: str, values: Mapping[str, float], table: str) -> str:
    """The configuration text with these values of one table replaced (each key is unique
    in the sample configuration)."""
    for key, value in values.items():
        text, n = re.subn(rf"(?m)^{key} = [^#\n]*", f"{key} = {value} ", text, count=1)
        if n != 1:
            raise ValueError(f"no {key} in the [{table}] table")
    return text


@dataclass
class ServiceProcess:
    """``yuqing run`` as a child process; ``start`` waits until /healthz answers."""

    config: Path
    var_dir: Path
    env: Mapping[str, str] = field(default_factory=dict)
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen[bytes] | None = None
    log_path: Path | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout_s: float = 60) -> None:
        self.var_dir.mkdir(parents=True, exist_ok=True)
        self.log_path = self.var_dir / "service.log"
        env = {
            **os.environ,
            "YUQING_VAR_DIR": str(self.var_dir),
            "YUQING_WEB_PORT": str(self.port),
            "YUQING_BASE_URL": self.base,
            "PYTHONUNBUFFERED": "1",
            **self.env,
        }
        log = self.log_path.open("ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "yuqing", "--config", str(self.config), "run"],
            stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True,
        )
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the service exited with {self.proc.returncode}:\n"
                                   + self.log_tail())
            try:
                if requests.get(f"{self.base}/healthz", timeout=2).status_code in (200, 503):
                    return
            except requests.RequestException:
                pass
            time.sleep(0.3)
        raise RuntimeError("the service did not answer /healthz in time:\n" + self.log_tail())

    def log_tail(self, lines: int = 40) -> str:
        if self.log_path is None or not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def stop(self, timeout_s: float = 60) -> int:
        """SIGTERM, as an init system would; returns the exit code."""
        if self.proc is None:
            return 0
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout_s)
            except subprocess.TimeoutExpired:
                self.kill()
        code = self.proc.returncode
        self.proc = None
        return code

    def kill(self) -> None:
        """kill -9 the service and whatever it started (a crawl subprocess)."""
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)
