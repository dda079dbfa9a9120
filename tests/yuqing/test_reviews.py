"""``yuqing classify export-reviews``: the duty officers' 待核实 answers as labelled examples."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy.orm import Session

from classifier.candidates import Candidate
from domain.settings import Settings
from response_sla.configured import from_settings
from response_sla.directory import Directory
from storage import models
from storage.db import make_engine, make_sessionmaker
from storage.enums import Role, Severity
from storage.models import Base
from tests.conftest import SAMPLE_CONFIG
from tests.web import factories
from yuqing.bootstrap import sync_directory
from yuqing.cases import verification
from yuqing.cli import _register_subcommands, cli

T0 = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)  # 10:00 in 七星关区


def _question(s: Session, title: str, content: str, severity: Severity,
              candidate: Candidate) -> models.Event:
    ev = factories.event(s, title, severity=severity, started_at=T0)
    post = factories.post(s, ev, title=title, content=content)
    verification.request(s, ev, candidate, post, T0)
    return ev


def _database(settings: Settings, url: str) -> None:
    engine = make_engine(url)
    Base.metadata.create_all(engine)
    sessions = make_sessionmaker(engine)
    sla, directory = from_settings(settings), Directory.from_jurisdiction(settings.jurisdiction)
    with sessions.begin() as s:
        sync_directory(s, settings)
        duty = factories.user(s, "duty1", Role.DUTY)
        confirmed = _question(
            s, "听说海子街镇中毒死了十几个",
            "听说海子街镇中毒死了十几个人，联系电话13812345678。", Severity.ROUTINE,
            Candidate("重大", ("hearsay: 听说中毒死了十几个",), "公共卫生事件"))
        dismissed = _question(
            s, "网传大桥垮塌死亡30人", "网传大桥垮塌死亡30人系谣言，经核实3人死亡。",
            Severity.LARGE, Candidate("特别重大", ("debunk: 系谣言 (死亡30人)",), "事故灾难"))
        _question(s, "仍待核实", "群里说死了十几个，应该是假的。", Severity.ROUTINE,
                  Candidate("重大", ("claim: 应该是假的",), None))
        actor = f"user:{duty.id}"
        verification.confirm(s, confirmed, "电话核实属实", T0 + timedelta(hours=1), sla,
                             directory, actor=actor, reviewer=duty.id)
        verification.dismiss(s, dismissed, "区应急局已辟谣", T0 + timedelta(hours=2),
                             actor=actor, reviewer=duty.id)
    engine.dispose()


def _run(tmp_path: Path, url: str, *args: str) -> str:
    _register_subcommands()
    env = {"YUQING_VAR_DIR": str(tmp_path / "var"), "YUQING_DATABASE_URL": url}
    result = CliRunner().invoke(cli, ["--config", str(SAMPLE_CONFIG), "classify",
                                      "export-reviews", *args], env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_export_reviews_as_csv_and_json_lines(tmp_path: Path, settings: Settings) -> None:
    url = f"sqlite:///{tmp_path / 'reviews.db'}"
    _database(settings, url)

    lines = [json.loads(x) for x in _run(tmp_path, url, "--format", "jsonl").splitlines()]
    assert [r["decision"] for r in lines] == ["confirmed", "dismissed"]  # not the pending one
    confirmed, dismissed = lines
    assert confirmed["title"] == "听说海子街镇中毒死了十几个"
    assert "13812345678" not in confirmed["text"] and "十几个人" in confirmed["text"]
    assert (confirmed["candidate"], confirmed["grade_before"], confirmed["level"]) == (
        "重大", "常规", "重大")
    assert confirmed["emergency_type"] == "公共卫生事件"
    assert confirmed["reason"] == "电话核实属实" and confirmed["by"] == "duty1"
    assert confirmed["cues"] == ["hearsay: 听说中毒死了十几个"]
    assert confirmed["at"] == "2026-11-24T11:00:00+08:00"
    assert (dismissed["candidate"], dismissed["level"], dismissed["reason"]) == (
        "特别重大", "较大", "区应急局已辟谣")

    out = tmp_path / "reviews.csv"
    _run(tmp_path, url, "--out", str(out), "--since", "2026-11-24")
    raw = out.read_text(encoding="utf-8")
    assert raw.startswith("\ufeff")  # Excel opens UTF-8 with the mark
    rows = list(csv.DictReader(io.StringIO(raw.lstrip("\ufeff"))))
    assert [r["decision"] for r in rows] == ["confirmed", "dismissed"]
    assert rows[1]["cues"] == "debunk: 系谣言 (死亡30人)"
    assert {"title", "text", "level", "emergency_type", "candidate", "decision", "reason",
            "cues", "by", "at"} <= set(rows[0])
    # a period without answers gives the header alone
    assert _run(tmp_path, url, "--until", "2026-11-24").strip("\ufeff\r\n").count("\n") == 0
