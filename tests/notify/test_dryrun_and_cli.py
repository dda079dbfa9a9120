"""The dry-run backend (``make run``), the ``yuqing outbox`` commands, and the digest row."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy.orm import Session, sessionmaker

from domain.settings import ChatWebhook, Settings
from storage.db import make_engine, make_sessionmaker
from storage.enums import OutboxKind, OutboxState, Severity
from storage.models import Base
from tests.conftest import SAMPLE_CONFIG
from tests.notify import cases
from tests.notify.conftest import NOW, RobotServer, SmtpServer, smtp_settings
from yuqing.bootstrap import sync_directory
from yuqing.cli import _register_subcommands, cli
from yuqing.notify import flush_outbox
from yuqing.notify.dryrun import DryRunMail


def test_dry_run_writes_what_would_be_sent(
    db: sessionmaker[Session], notify_settings: Settings, robots: RobotServer
) -> None:
    settings = notify_settings.model_copy(update={"chat": [
        ChatWebhook(kind="dingtalk", url=f"{robots.url}/robot/send?access_token=t", secret="s")
    ]})
    assert settings.mail.backend == "dryrun"
    with db.begin() as s:
        c = cases.case(s, NOW, severity=Severity.MAJOR)
        cases.outbox(s, OutboxKind.ASSIGNMENT, "assignment:1", NOW, event_id=c.event_id,
                     unit_id="zjj", payload={"role": "lead"})
        cases.outbox(s, OutboxKind.NEW_MAJOR_EVENT, "major:1", NOW, event_id=c.event_id)

    result = flush_outbox(settings, db, NOW)

    assert result.sent == 3 and robots.posted == []  # dry run: nothing leaves the machine
    folder = settings.var_dir / "mail"
    assert sorted(p.name for p in folder.iterdir()) == [
        "000001-assignment.eml", "000001-assignment.html",
        "000002-new_major_event.eml", "000002-new_major_event.html",
        "000003-new_major_event-dingtalk.json",
    ]
    msg = message_from_bytes((folder / "000001-assignment.eml").read_bytes(), policy=policy.default)
    assert str(msg["Subject"]).startswith("【舆情交办】")
    html = (folder / "000001-assignment.html").read_text("utf-8")
    assert "/u/" in html and cases.PHONE not in html
    chat = json.loads((folder / "000003-new_major_event-dingtalk.json").read_text("utf-8"))
    assert chat["robot"] == "dingtalk" and chat["signed"] is True
    assert chat["body"]["msgtype"] == "markdown" and "access_token" not in json.dumps(chat)


def test_digest_row_carries_the_chart_and_the_ledger(
    db: sessionmaker[Session], notify_settings: Settings, smtp_server: SmtpServer
) -> None:
    pytest.importorskip("yuqing.digest.render")
    settings = smtp_settings(notify_settings, smtp_server)
    with db.begin() as s:
        cases.case(s, NOW - timedelta(days=3))
        cases.outbox(s, OutboxKind.DIGEST, "digest:2026-W47", NOW, payload={"week": "2026-W47"})
    assert flush_outbox(settings, db, NOW).sent == 1
    (got,) = smtp_server.received
    assert sorted(got.rcpt_tos) == sorted(
        ["xcb-leader@qxg.example", "qzfb-leader@qxg.example", "xcb@qxg.example"]
    )
    msg = got.message
    html = msg.get_body(("html",))
    assert html is not None and "cid:" in html.get_content()
    images = [p for p in msg.walk() if p.get_content_maintype() == "image"]
    assert images and images[0]["Content-ID"]
    attached = [p.get_filename() for p in msg.iter_attachments()]
    assert any(n and n.endswith(".xlsx") for n in attached)
    assert any(n and n.endswith(".csv") for n in attached)
    # the dry run's HTML copy shows the chart from a file beside it
    folder = settings.var_dir / "dry"
    DryRunMail(folder).send(msg)
    page = (folder / "000001-digest.html").read_text("utf-8")
    pngs = [p.name for p in folder.glob("000001-digest-*.png")]
    assert len(pngs) == 1 and f'src="{pngs[0]}"' in page and "cid:" not in page


# ---------------------------------------------------------------- yuqing outbox …


@pytest.fixture(scope="module", autouse=True)
def _commands() -> None:
    _register_subcommands()


def run(var: Path, *args: str) -> Result:
    return CliRunner().invoke(
        cli, ["--config", str(SAMPLE_CONFIG), "outbox", *args],
        env={"YUQING_VAR_DIR": str(var), "YUQING_MAIL_BACKEND": "dryrun"},
    )


def test_outbox_commands(tmp_path: Path, notify_settings: Settings) -> None:
    var = tmp_path / "var"
    engine = make_engine(f"sqlite:///{var / 'yuqing.db'}")
    Base.metadata.create_all(engine)
    db = make_sessionmaker(engine)
    now = datetime.now(UTC)
    with db.begin() as s:
        sync_directory(s, notify_settings)
        c = cases.case(s, now)
        cases.outbox(s, OutboxKind.ASSIGNMENT, "assignment:1", now, event_id=c.event_id,
                     unit_id="zjj")
        bad = cases.outbox(s, OutboxKind.WARNING, "warning:1", now, event_id=c.event_id,
                           unit_id="zjj")  # no deadline: cannot be rendered
        bad_id = bad.id
    engine.dispose()

    r = run(var, "flush")
    assert r.exit_code == 0, r.output
    assert r.output.startswith("sent 1, will retry 0, failed 1 (dry run: files in ")
    assert (var / "mail" / "000001-assignment.eml").is_file()

    r = run(var, "list", "--failed")
    assert r.exit_code == 0, r.output
    assert "warning" in r.output and "needs a deadline" in r.output
    assert "assignment" not in r.output

    r = run(var, "retry", str(bad_id))
    assert r.exit_code == 0 and "will be sent at the next flush" in r.output
    r = run(var, "list")
    assert "pending" in r.output and "sent" in r.output
    r = run(var, "retry", "1")
    assert r.exit_code == 1 and "was sent" in r.output
    r = run(var, "retry", "99")
    assert r.exit_code == 2

    engine = make_engine(f"sqlite:///{var / 'yuqing.db'}")
    with make_sessionmaker(engine)() as s:
        from storage import models

        row = s.get(models.Outbox, bad_id)
        assert row is not None and row.state is OutboxState.PENDING and row.attempts == 0
    engine.dispose()
