"""Email over a real SMTP server on loopback (aiosmtpd): content, headers, encoding, retries,
the server down and back, permanent refusals, STARTTLS with a login."""

from __future__ import annotations

import re
import ssl
from datetime import datetime, timedelta
from email.header import decode_header, make_header
from pathlib import Path

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from domain.settings import Settings
from storage import models
from storage.enums import OutboxKind, OutboxState
from tests.notify import cases
from tests.notify.conftest import NOW, SmtpServer, authenticator, smtp_settings
from yuqing.metrics import Metrics
from yuqing.notify import flush_outbox
from yuqing.notify.outbox import Transports, retry_window
from yuqing.notify.smtp import SmtpTransport
from yuqing.signed_links import verify_link_token

MINUTE = timedelta(minutes=1)


def _assignment_row(db: sessionmaker[Session]) -> tuple[cases.Case, int]:
    with db.begin() as s:
        c = cases.case(s, NOW)
        row = cases.outbox(
            s, OutboxKind.ASSIGNMENT, f"assignment:{c.assignment_id}", NOW,
            event_id=c.event_id, unit_id="zjj", payload={"role": "lead"},
        )
        return c, row.id


def _row(db: sessionmaker[Session], row_id: int) -> models.Outbox:
    with db() as s:
        row = s.get(models.Outbox, row_id)
        assert row is not None
        return row


def test_assignment_email_tells_the_clerk_everything(
    db: sessionmaker[Session], notify_settings: Settings, smtp_server: SmtpServer
) -> None:
    settings = smtp_settings(notify_settings, smtp_server)
    c, row_id = _assignment_row(db)

    result = flush_outbox(settings, db, NOW)

    assert (result.claimed, result.sent, result.failed) == (1, 1, 0)
    (got,) = smtp_server.received
    assert got.mail_from == "yuqing@qxg.example"
    assert got.rcpt_tos == ["zjj@qxg.example"]
    msg = got.message
    # the wire form is 7-bit: Chinese headers travel as RFC 2047 encoded words
    raw_headers = got.data.split(b"\r\n\r\n", 1)[0]
    raw_headers.decode("ascii")
    assert b"=?utf-8?" in raw_headers
    folded = re.search(rb"^Subject: ([^\r\n]*(?:\r\n[ \t][^\r\n]*)*)", raw_headers, re.M)
    assert folded is not None
    subject = str(make_header(decode_header(folded.group(1).decode("ascii"))))
    assert subject == msg["Subject"]
    assert subject.startswith("【舆情交办】鸭池镇某小区污水外溢无人处理")
    assert "签收时限 2026年11月20日 11:00（周五）" in subject
    assert msg["To"].addresses[0].display_name == "毕节市七星关区住房和城乡建设局"
    # the parsed wire form gives back the plain address, not a quoted one
    assert [a.addr_spec for a in msg["To"].addresses] == ["zjj@qxg.example"]
    assert msg["From"].addresses[0].addr_spec == "yuqing@qxg.example"
    assert msg["Reply-To"].addresses[0].addr_spec == "duty@qxg.example"
    assert re.fullmatch(r"<outbox-\d+\.[0-9a-f]{16}@qxg\.example>", msg["Message-ID"])
    assert msg.get_content_type() == "multipart/alternative"
    text_part, html_part = msg.get_body(("plain",)), msg.get_body(("html",))
    assert text_part is not None and html_part is not None
    assert text_part.get_content_charset() == html_part.get_content_charset() == "utf-8"
    text, html = text_part.get_content(), html_part.get_content()

    for body in (text, html):
        assert "鸭池镇某小区污水外溢无人处理" in body
        assert "城乡建设" in body and "一般" in body  # topic and severity
        assert "派单目录" in body and "污水" in body and "属地管理" in body  # why
        assert "http://www.bijie.gov.cn/hdjl/ldxx/123.html" in body
        assert "污水外溢影响出行" in body
        # deadlines in Asia/Shanghai with the time left at NOW (10:00 Beijing time)
        assert "2026年11月20日 11:00（周五）" in body and "剩余 1小时00分" in body  # 签收, 2 h
        assert "2026年11月22日 04:00（周日）" in body and "剩余 1天18小时" in body  # 回应, 48 h
        assert "予以回应" in body and "签收" in body  # what counts as a response
        # personal data is masked; the raw text stays in storage
        assert cases.PHONE not in body and cases.ID_NUMBER not in body
        assert "138****5678" in body
    assert 'href="javascript:' not in html

    link = re.search(r"https://yuqing\.qxg\.example/u/[\w.\-]+", text)
    assert link is not None and link.group(0) in html
    scope = verify_link_token(settings, link.group(0).rsplit("/", 1)[1], datetime.now(NOW.tzinfo))
    assert scope is not None and (scope.unit_id, scope.event_id) == ("zjj", c.event_id)

    row = _row(db, row_id)
    assert row.state is OutboxState.SENT and row.sent_at == NOW and row.attempts == 1
    assert row.message_id == msg["Message-ID"]
    with db() as s:
        post = s.scalars(select(models.Post).where(models.Post.event_id == c.event_id)).first()
        assert post is not None and cases.PHONE in post.title


def test_a_crash_before_recording_resends_once_with_the_same_message_id(
    db: sessionmaker[Session], notify_settings: Settings, smtp_server: SmtpServer
) -> None:
    settings = smtp_settings(notify_settings, smtp_server)
    _, row_id = _assignment_row(db)
    flush_outbox(settings, db, NOW)
    # what a crash between the server's "250 accepted" and our commit leaves behind
    with db.begin() as s:
        s.execute(
            update(models.Outbox)
            .where(models.Outbox.id == row_id)
            .values(state=OutboxState.SENDING, sent_at=None, claimed_at=NOW)
        )
    # another flusher leaves it alone while the lease runs …
    assert flush_outbox(settings, db, NOW + 5 * MINUTE).claimed == 0
    # … and takes it over once the lease has run out
    result = flush_outbox(settings, db, NOW + 11 * MINUTE)
    assert result.sent == 1
    first, second = smtp_server.received
    assert first.message["Message-ID"] == second.message["Message-ID"]
    assert _row(db, row_id).state is OutboxState.SENT
    assert flush_outbox(settings, db, NOW + 60 * MINUTE).claimed == 0
    assert len(smtp_server.received) == 2


def test_smtp_down_for_an_hour_loses_nothing(
    db: sessionmaker[Session], notify_settings: Settings, smtp_down: SmtpServer
) -> None:
    settings = smtp_settings(notify_settings, smtp_down)
    assert retry_window(settings.mail.max_attempts) > timedelta(hours=3)
    _, first = _assignment_row(db)
    with db.begin() as s:
        c2 = cases.case(s, NOW, unit="jyj", title="某学校食堂饭菜质量差")
        second = cases.outbox(
            s, OutboxKind.ASSIGNMENT, f"assignment:{c2.assignment_id}", NOW,
            event_id=c2.event_id, unit_id="jyj", payload={"role": "lead"},
        ).id

    result = flush_outbox(settings, db, NOW)
    assert (result.claimed, result.sent, result.retrying) == (2, 0, 2)
    r1, r2 = _row(db, first), _row(db, second)
    assert r1.state is OutboxState.PENDING and r1.attempts == 1
    assert r1.next_attempt_at == NOW + MINUTE
    assert "cannot reach SMTP server" in (r1.last_error or "")
    assert "not tried" in (r2.last_error or "")  # the server was down: no second connection

    # the scheduler keeps flushing every 30 s for an hour; nothing is given up
    at = NOW
    while at < NOW + timedelta(hours=1):
        at += timedelta(seconds=30)
        flush_outbox(settings, db, at)
    for row_id in (first, second):
        row = _row(db, row_id)
        assert row.state is OutboxState.PENDING and row.attempts == 6

    smtp_down.start()
    at += timedelta(minutes=30)
    result = flush_outbox(settings, db, at)
    assert (result.sent, result.failed) == (2, 0)
    assert sorted(r.rcpt_tos[0] for r in smtp_down.received) == [
        "jyj@qxg.example", "zjj@qxg.example"
    ]


def test_the_send_attempt_counter_shows_an_outage(
    db: sessionmaker[Session], notify_settings: Settings, smtp_down: SmtpServer
) -> None:
    """While the server is down nothing fails for good for hours; the retries are what an
    alert can see (``YuqingMailNotGoingOut``)."""
    settings = smtp_settings(notify_settings, smtp_down)
    metrics = Metrics(db, clock=lambda: NOW)

    def attempts() -> dict[str, float | None]:
        return {o: metrics.registry.get_sample_value("yuqing_outbox_send_attempts_total",
                                                     {"outcome": o})
                for o in ("sent", "retrying", "failed")}

    assert attempts() == {"sent": 0, "retrying": 0, "failed": 0}
    _assignment_row(db)
    metrics.flushed(flush_outbox(settings, db, NOW))
    metrics.flushed(flush_outbox(settings, db, NOW + 2 * MINUTE))
    assert attempts() == {"sent": 0, "retrying": 2, "failed": 0}
    smtp_down.start()
    metrics.flushed(flush_outbox(settings, db, NOW + 10 * MINUTE))
    assert attempts() == {"sent": 1, "retrying": 2, "failed": 0}
    assert len(smtp_down.received) == 1


def test_server_started_after_a_failed_flush_gets_the_mail(
    db: sessionmaker[Session], notify_settings: Settings, smtp_down: SmtpServer
) -> None:
    settings = smtp_settings(notify_settings, smtp_down)
    _, row_id = _assignment_row(db)
    assert flush_outbox(settings, db, NOW).retrying == 1
    smtp_down.start()
    assert flush_outbox(settings, db, NOW + 30 * timedelta(seconds=1)).claimed == 0  # backoff
    assert flush_outbox(settings, db, NOW + MINUTE).sent == 1
    assert len(smtp_down.received) == 1
    row = _row(db, row_id)
    assert row.state is OutboxState.SENT and row.attempts == 2


def test_permanent_refusal_is_recorded_as_failed(
    db: sessionmaker[Session], notify_settings: Settings, smtp_server: SmtpServer
) -> None:
    settings = smtp_settings(notify_settings, smtp_server)
    smtp_server.handler.refuse_rcpt["zjj@qxg.example"] = "550 5.1.1 mailbox unavailable"
    _, row_id = _assignment_row(db)
    result = flush_outbox(settings, db, NOW)
    assert (result.sent, result.failed) == (0, 1)
    row = _row(db, row_id)
    assert row.state is OutboxState.FAILED and row.next_attempt_at is None
    assert "550" in (row.last_error or "") and "zjj@qxg.example" in (row.last_error or "")
    assert flush_outbox(settings, db, NOW + timedelta(days=1)).claimed == 0
    assert smtp_server.received == []


def test_rejected_content_fails_and_a_4xx_retries(
    db: sessionmaker[Session], notify_settings: Settings, smtp_server: SmtpServer
) -> None:
    settings = smtp_settings(notify_settings, smtp_server)
    _, row_id = _assignment_row(db)
    smtp_server.handler.data_reply = "451 4.3.0 try again later"
    flush_outbox(settings, db, NOW)
    row = _row(db, row_id)
    assert row.state is OutboxState.PENDING and "451" in (row.last_error or "")
    smtp_server.handler.data_reply = "554 5.7.1 message refused"
    flush_outbox(settings, db, NOW + MINUTE)
    row = _row(db, row_id)
    assert row.state is OutboxState.FAILED and "554" in (row.last_error or "")


def test_gives_up_after_max_attempts(
    db: sessionmaker[Session], notify_settings: Settings, smtp_down: SmtpServer
) -> None:
    settings = smtp_settings(notify_settings, smtp_down, max_attempts=3)
    _, row_id = _assignment_row(db)
    at = NOW
    for _ in range(3):
        flush_outbox(settings, db, at)
        at += timedelta(hours=1)
    row = _row(db, row_id)
    assert row.state is OutboxState.FAILED and row.attempts == 3
    assert (row.last_error or "").startswith("gave up after 3 attempts")


def test_partial_refusal_is_sent_with_a_note(
    db: sessionmaker[Session], notify_settings: Settings, smtp_server: SmtpServer
) -> None:
    settings = smtp_settings(notify_settings, smtp_server)
    smtp_server.handler.refuse_rcpt["jyj-ban@qxg.example"] = "550 5.1.1 no such user"
    with db.begin() as s:
        c = cases.case(s, NOW, unit="jyj", title="某学校食堂饭菜质量差")
        row_id = cases.outbox(
            s, OutboxKind.ASSIGNMENT, "a:1", NOW, event_id=c.event_id, unit_id="jyj"
        ).id
    assert flush_outbox(settings, db, NOW).sent == 1
    assert smtp_server.received[0].rcpt_tos == ["jyj@qxg.example"]
    assert "jyj-ban@qxg.example" in (_row(db, row_id).last_error or "")


def _self_signed(tmp_path: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    import ipaddress

    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(datetime(2020, 1, 1))
        .not_valid_after(datetime(2100, 1, 1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


@pytest.mark.parametrize("password, delivered", [("s3cret", True), ("wrong", False)])
def test_starttls_and_login(
    db: sessionmaker[Session],
    notify_settings: Settings,
    tmp_path: Path,
    password: str,
    delivered: bool,
) -> None:
    cert, key = _self_signed(tmp_path)
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_ctx.load_cert_chain(cert, key)
    server = SmtpServer(
        tls_context=server_ctx, require_starttls=True, authenticator=authenticator,
        auth_required=True, auth_exclude_mechanism=["LOGIN"],
    )
    server.start()
    try:
        settings = smtp_settings(
            notify_settings, server, security="starttls", username="yuqing", password=password
        )
        client_ctx = ssl.create_default_context(cafile=str(cert))
        transports = Transports.from_settings(settings)
        transports.email = SmtpTransport(settings.mail, tls_context=client_ctx)
        _, row_id = _assignment_row(db)
        result = flush_outbox(settings, db, NOW, transports=transports)
    finally:
        server.stop()
    row = _row(db, row_id)
    if delivered:
        assert result.sent == 1 and len(server.received) == 1
    else:
        # a wrong password is the operator's to fix: the row waits, it is not thrown away
        assert row.state is OutboxState.PENDING and "login refused" in (row.last_error or "")
        assert server.received == []
