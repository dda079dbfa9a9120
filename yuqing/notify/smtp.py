"""SMTP transport: plain, STARTTLS or SSL, optional login, one connection per flush.

Failures are classified for the outbox:

- no connection, a dropped connection, a timeout, TLS or login trouble → temporary, and the
  server counts as *unavailable* (the other messages wait too); a wrong password is fixed by
  the operator, and nothing should be lost meanwhile;
- a 4xx reply → temporary;
- a 5xx reply → permanent (the server will not take this message: bad recipient, rejected
  content), recorded on the row.
"""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage

from domain.settings import MailSettings
from yuqing.notify.transport import DeliveryError, PermanentError, TemporaryError


def _by_code(code: int, text: str) -> DeliveryError:
    if 400 <= code < 500:
        return TemporaryError(f"SMTP {code}: {text}")
    return PermanentError(f"SMTP {code}: {text}")


def _text(raw: bytes | str) -> str:
    return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)


class SmtpTransport:
    def __init__(self, mail: MailSettings, *, tls_context: ssl.SSLContext | None = None) -> None:
        self.mail = mail
        self.tls_context = tls_context
        self._conn: smtplib.SMTP | None = None

    def _context(self) -> ssl.SSLContext:
        return self.tls_context or ssl.create_default_context()

    def _connect(self) -> smtplib.SMTP:
        m = self.mail
        conn: smtplib.SMTP
        try:
            if m.security == "ssl":
                conn = smtplib.SMTP_SSL(
                    m.host, m.port, timeout=m.timeout_s, context=self._context()
                )
            else:
                conn = smtplib.SMTP(m.host, m.port, timeout=m.timeout_s)
            try:
                conn.ehlo()
                if m.security == "starttls":
                    conn.starttls(context=self._context())
                    conn.ehlo()
                if m.username:
                    conn.login(m.username, m.password)
            except BaseException:
                conn.close()
                raise
        except smtplib.SMTPAuthenticationError as exc:
            raise TemporaryError(
                f"SMTP login refused ({exc.smtp_code}): {_text(exc.smtp_error)}", unavailable=True
            ) from None
        except smtplib.SMTPNotSupportedError as exc:
            raise TemporaryError(f"SMTP server lacks a feature: {exc}", unavailable=True) from None
        except (smtplib.SMTPException, OSError) as exc:
            # OSError covers refused connections, timeouts, DNS and TLS failures
            raise TemporaryError(
                f"cannot reach SMTP server {m.host}:{m.port}: {exc or type(exc).__name__}",
                unavailable=True,
            ) from None
        return conn

    def send(self, message: EmailMessage) -> str | None:
        # the envelope from the header objects themselves, never from a re-parse of their
        # folded, encoded text
        rcpts = [a.addr_spec for h in ("To", "Cc") for v in message.get_all(h, [])
                 for a in getattr(v, "addresses", ())]
        reused = self._conn is not None
        if self._conn is None:
            self._conn = self._connect()
        try:
            try:
                refused = self._conn.send_message(message, to_addrs=rcpts or None)
            except smtplib.SMTPServerDisconnected:
                if not reused:
                    raise
                # the server dropped a connection kept from the previous message: reconnect once
                self.close()
                self._conn = self._connect()
                refused = self._conn.send_message(message, to_addrs=rcpts or None)
        except smtplib.SMTPRecipientsRefused as exc:
            self.close()
            codes = [code for code, _ in exc.recipients.values()]
            detail = "; ".join(
                f"{rcpt}: {code} {_text(text)}" for rcpt, (code, text) in exc.recipients.items()
            )
            if all(500 <= c < 600 for c in codes):
                raise PermanentError(f"every recipient refused: {detail}") from None
            raise TemporaryError(f"recipients refused: {detail}") from None
        except smtplib.SMTPResponseException as exc:  # sender refused, data refused, …
            self.close()
            raise _by_code(exc.smtp_code, _text(exc.smtp_error)) from None
        except (smtplib.SMTPException, OSError) as exc:
            self.close()
            raise TemporaryError(
                f"SMTP connection lost: {exc or type(exc).__name__}", unavailable=True
            ) from None
        if refused:
            return "refused by the server: " + "; ".join(
                f"{rcpt}: {code} {_text(text)}" for rcpt, (code, text) in refused.items()
            )
        return None

    def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is None:
            return
        try:
            conn.quit()
        except (smtplib.SMTPException, OSError):
            conn.close()
