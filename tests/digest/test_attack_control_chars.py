"""Attack: one crawled title with a control character must not stop the weekly 督办通报.

Before: openpyxl raised IllegalCharacterError building the 台账, the outbox took it for a
temporary failure and the digest was retried until it gave up. Now every export sanitises
for its format, and an attachment that still cannot be built is left out, the email goes, and
the duty officers are told."""

from __future__ import annotations

import io
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from domain.safe_text import normalise, xlsx_cell
from domain.settings import Settings
from storage import models
from storage.enums import OutboxKind, OutboxState
from storage.outbox import notify
from tests.digest import dataset
from tests.digest.conftest import Built
from tests.digest.dataset import SH
from tests.notify.conftest import NOW
from yuqing.digest import ledger
from yuqing.digest.render import week_figures
from yuqing.notify.outbox import flush_outbox

HOSTILE = "某中学食堂\x01饭菜\x00变质\u202e\x7f"


def _poison(built: Built) -> int:
    with built.sessions.begin() as s:
        event = s.get(models.Event, built.ids["e2"])
        assert event is not None
        event.title = HOSTILE
        return event.id


def _send_digest(built: Built, settings: Settings) -> tuple[models.Outbox, list[EmailMessage]]:
    with built.sessions.begin() as s:
        notify(s, OutboxKind.DIGEST, f"digest:{dataset.WEEK}", NOW, payload={"week": dataset.WEEK})
    flush_outbox(settings, built.sessions, NOW)
    with built.sessions() as s:
        row = s.scalars(select(models.Outbox).where(models.Outbox.kind == "digest")).one()
    folder = Path(settings.var_dir) / "mail"
    mails = []
    for eml in sorted(folder.glob("*-digest.eml")):
        msg = message_from_bytes(eml.read_bytes(), policy=policy.default)
        assert isinstance(msg, EmailMessage)
        mails.append(msg)
    return row, mails


def _xlsx(msg: EmailMessage) -> bytes | None:
    for part in msg.iter_attachments():
        if (part.get_filename() or "").endswith(".xlsx"):
            data = part.get_content()
            assert isinstance(data, bytes)
            return data
    return None


def test_a_title_with_control_characters_goes_through_the_digest_and_its_xlsx(
    built: Built, settings: Settings
) -> None:
    event_id = _poison(built)
    row, mails = _send_digest(built, settings)
    assert row.state is OutboxState.SENT, row.last_error
    assert len(mails) == 1
    data = _xlsx(mails[0])
    assert data is not None
    ws = load_workbook(io.BytesIO(data))["台账"]
    titles = {r[1]: r[2] for r in ws.iter_rows(min_row=3, values_only=True)}
    assert titles[event_id] == "某中学食堂饭菜变质"


def test_the_ledger_exports_sanitise_every_cell(built: Built, settings: Settings) -> None:
    _poison(built)
    with built.sessions() as s:
        figures = week_figures(settings, s, dataset.WEEK)
    wb = load_workbook(io.BytesIO(ledger.ledger_xlsx(figures, SH, "七星关\x02区")))
    assert wb["台账"]["A1"].value.startswith("七星关区舆情处置台账")
    text = ledger.ledger_csv(figures, SH).decode("utf-8-sig")
    assert "某中学食堂饭菜变质" in text and "\x01" not in text and "\u202e" not in text


def test_an_attachment_that_cannot_be_built_does_not_hold_the_digest(
    built: Built, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object) -> bytes:
        raise ValueError("a workbook that cannot be written")

    # fault injection: any failure of the workbook, whatever its cause
    monkeypatch.setattr(ledger, "ledger_xlsx", broken)
    row, mails = _send_digest(built, settings)
    assert row.state is OutboxState.SENT, row.last_error
    assert len(mails) == 1 and _xlsx(mails[0]) is None
    names = [p.get_filename() for p in mails[0].iter_attachments()]
    assert any(n and n.endswith(".csv") for n in names)
    with built.sessions() as s:
        told = s.scalars(
            select(models.Outbox).where(models.Outbox.kind == OutboxKind.DIGEST_INCOMPLETE.value)
        ).all()
    assert len(told) == 1 and told[0].payload["attachment"].endswith(".xlsx")
    assert "cannot be written" in told[0].payload["error"]
    flush_outbox(settings, built.sessions, NOW)
    sent = sorted((Path(settings.var_dir) / "mail").glob("*-digest_incomplete.eml"))
    assert len(sent) == 1
    msg = message_from_bytes(sent[0].read_bytes(), policy=policy.default)
    assert "duty@" in str(msg["To"])


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("标题\x00\x01\x1f\x7f\x85", "标题"),
        ("gpj.\u202eexe 文件\u2066x\u2069", "gpj.exe 文件x"),
        ("孤\ud800代理", "孤\ufffd代理"),
        ("e\u0301", "\u00e9"),  # NFC
        ("一行\r\n二行\r三行\t制表", "一行\n二行\n三行\t制表"),
    ],
)
def test_normalise(raw: str, clean: str) -> None:
    assert normalise(raw) == clean
    assert xlsx_cell(raw) == clean


def test_normalise_cuts_to_the_limit() -> None:
    assert normalise("字" * 600, 500) == "字" * 500
