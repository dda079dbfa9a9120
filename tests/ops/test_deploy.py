"""The deployment files, checked by the tools made for them where the machine has them:
``promtool`` for the alert rules, ``systemd-analyze verify`` for the units, ``docker compose
config`` for the compose file; and the rules name only figures yuqing exports."""

from __future__ import annotations

import configparser
import getpass
import grp
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from sqlalchemy.orm import Session, sessionmaker

from domain.settings import Settings
from tests.conftest import ROOT
from yuqing.metrics import Metrics
from yuqing.scheduler import build_scheduler, sync_jobs

DEPLOY = ROOT / "deploy"
RULES = DEPLOY / "prometheus" / "yuqing-rules.yml"
RULES_TEST = DEPLOY / "prometheus" / "yuqing-rules.test.yml"
UNITS = ("yuqing.service", "yuqing@.service", "yuqing-pgdump.service", "yuqing-pgdump.timer")
SYSTEMD_COMPLAINTS = re.compile(r"Unknown key|Failed to parse|ignoring|not executable|"
                                r"Invalid|is not absolute", re.I)


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is not installed")
    return path


def test_promtool_checks_the_rules() -> None:
    promtool = _tool("promtool")
    proc = subprocess.run([promtool, "check", "rules", str(RULES)], capture_output=True,
                          text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "SUCCESS" in proc.stdout


def test_the_rules_fire_as_their_unit_tests_expect() -> None:
    promtool = _tool("promtool")
    proc = subprocess.run([promtool, "test", "rules", str(RULES_TEST)], capture_output=True,
                          text=True, cwd=RULES_TEST.parent)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_the_rules_name_only_exported_figures(sqlite_sessions: sessionmaker[Session],
                                              settings: Settings) -> None:
    scheduler = build_scheduler(sqlite_sessions.kw["bind"], settings)
    scheduler.start(paused=True)
    try:
        sync_jobs(scheduler, settings)
    finally:
        scheduler.shutdown(wait=False)
    metrics = Metrics(sqlite_sessions)
    exported = set(re.findall(r"(?m)^# TYPE (\w+) ", metrics.render().decode()))
    exported |= {f"{n}_total" for n in exported}
    rules = yaml.safe_load(RULES.read_text(encoding="utf-8"))
    named = {name for group in rules["groups"] for rule in group["rules"]
             for name in re.findall(r"\byuqing_\w+", rule["expr"])}
    assert named, "the rules name no yuqing figure"
    assert named <= exported, sorted(named - exported)
    alerts = {rule["alert"] for group in rules["groups"] for rule in group["rules"]}
    assert {"YuqingSourceNotCrawled", "YuqingAnalysisBacklogGrowing", "YuqingSlaTickNotRunning",
            "YuqingOutboxFailed", "YuqingOutboxOverdue",
            "YuqingStatutoryWindowUnacknowledged"} <= alerts


def _unit(name: str) -> configparser.RawConfigParser:
    parser = configparser.RawConfigParser(strict=False, delimiters=("=",))
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string((DEPLOY / "systemd" / name).read_text(encoding="utf-8"))
    return parser


@pytest.mark.parametrize("name", ["yuqing.service", "yuqing@.service"])
def test_the_service_units_restart_and_are_hardened(name: str) -> None:
    service = _unit(name)["Service"]
    assert service["Restart"] == "on-failure"
    assert service["User"] == "yuqing"
    assert "yuqing run" in service["ExecStart"]
    assert service["Environment"]  # the configuration and var paths
    for key, value in (("NoNewPrivileges", "yes"), ("ProtectSystem", "strict"),
                       ("ProtectHome", "yes"), ("PrivateTmp", "yes")):
        assert service[key] == value, key


def test_systemd_verifies_the_units(tmp_path: Path) -> None:
    """On copies rendered with a user, a group, an executable and folders that exist here."""
    analyze = _tool("systemd-analyze")
    yuqing = Path(sys.executable).with_name("yuqing")
    if not yuqing.exists():
        pytest.skip("the yuqing command is not installed beside this interpreter")
    user = getpass.getuser()
    group = grp.getgrgid(os.getgid()).gr_name
    for sub in ("etc", "var"):
        (tmp_path / sub).mkdir()
    rendered = []
    for name in UNITS:
        text = (DEPLOY / "systemd" / name).read_text(encoding="utf-8")
        text = (text.replace("/opt/yuqing/bin/yuqing", str(yuqing))
                .replace("User=yuqing", f"User={user}").replace("Group=yuqing", f"Group={group}")
                .replace("/etc/yuqing", str(tmp_path / "etc"))
                .replace("/var/lib/yuqing", str(tmp_path / "var")))
        target = tmp_path / name
        target.write_text(text, encoding="utf-8")
        rendered.append(str(target))
    proc = subprocess.run([analyze, "verify", *rendered], capture_output=True, text=True,
                          cwd=tmp_path)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output
    assert not SYSTEMD_COMPLAINTS.search(output), output


def _compose_command() -> list[str]:
    docker = shutil.which("docker")
    if docker and subprocess.run([docker, "compose", "version"], capture_output=True
                                 ).returncode == 0:
        return [docker, "compose"]
    legacy = shutil.which("docker-compose")
    if legacy:
        return [legacy]
    pytest.skip("neither docker compose nor docker-compose is installed")


def test_docker_compose_accepts_the_compose_file() -> None:
    command = _compose_command()
    env = {**os.environ, "POSTGRES_PASSWORD": "pw", "YUQING_SECRET_KEY": "key",
           "YUQING_METRICS_TOKEN": "token"}
    proc = subprocess.run([*command, "-f", str(DEPLOY / "compose.yaml"), "config", "-q"],
                          capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    # secrets are required, not defaulted
    del env["YUQING_SECRET_KEY"]
    proc = subprocess.run([*command, "-f", str(DEPLOY / "compose.yaml"), "config", "-q"],
                          capture_output=True, text=True, env=env)
    assert proc.returncode != 0
    assert "YUQING_SECRET_KEY" in proc.stdout + proc.stderr


def test_the_compose_file_runs_two_processes_behind_a_proxy() -> None:
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))
    services = compose["services"]
    runs = [name for name, s in services.items() if s.get("image") == "yuqing:latest"]
    assert len(runs) == 2
    for name in runs:
        env = services[name]["environment"]
        assert env["YUQING_DATABASE_URL"].startswith("postgresql+psycopg://")
        assert env["YUQING_REDIS_URL"].startswith("redis://redis")
    assert services["db"]["image"].startswith("postgres")
    assert services["redis"]["image"].startswith("redis")
    nginx = (DEPLOY / "nginx.conf").read_text(encoding="utf-8")
    assert all(f"server {name}:8000" in nginx for name in runs)
