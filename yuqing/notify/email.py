"""Notice → ``email.message.EmailMessage``: plain text and HTML alternatives in UTF-8,
RFC 2047-encoded Chinese headers (``email.policy.SMTP``), inline images and attachments,
a Message-ID that is the same every time the same outbox row is sent, Reply-To the duty
office.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime

from domain.settings import Settings
from yuqing.notify.compose import reply_to
from yuqing.notify.message import Mailbox, Notice
from yuqing.notify.transport import PermanentError


def sender_domain(settings: Settings) -> str:
    return settings.mail.sender.rpartition("@")[2] or "localhost"


def message_id(settings: Settings, row_id: int, dedupe_key: str) -> str:
    """Stable per outbox row: a resend after a crash carries the same id, so mail clients and
    archives can recognise the duplicate."""
    digest = hashlib.sha256(dedupe_key.encode("utf-8")).hexdigest()[:16]
    return f"<outbox-{row_id}.{digest}@{sender_domain(settings)}>"


def _mailbox(name: str, address: str) -> Address:
    # built from username and domain: given a whole addr_spec, some Python 3.11 releases
    # write it back quoted (<"a@b">), which receiving software reads as a different address
    username, at, domain = address.rpartition("@")
    if not at or not username or not domain:
        raise ValueError("expected user@domain")
    return Address(display_name=name, username=username, domain=domain)


def _address(box: Mailbox) -> Address:
    try:
        return _mailbox(box.name, box.address)
    except (ValueError, IndexError) as exc:  # the header parser rejects malformed addresses
        raise PermanentError(f"bad email address {box.address!r}: {exc}") from None


def build_email(
    settings: Settings, notice: Notice, row_id: int, dedupe_key: str, now: datetime
) -> EmailMessage:
    if not notice.to:
        raise PermanentError("no recipient address")
    msg = EmailMessage(policy=SMTP)
    j = settings.jurisdiction
    msg["Subject"] = notice.subject
    msg["From"] = _mailbox(f"{j.name}舆情监测", settings.mail.sender)
    msg["To"] = [_address(b) for b in notice.to]
    if notice.cc:
        msg["Cc"] = [_address(b) for b in notice.cc]
    msg["Reply-To"] = _mailbox(f"{j.name}舆情值班室", reply_to(settings))
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = message_id(settings, row_id, dedupe_key)
    msg["X-Yuqing-Kind"] = notice.kind
    msg["X-Yuqing-Outbox"] = str(row_id)
    # automatic mail: no out-of-office replies back to the sender
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(notice.text, charset="utf-8")
    msg.add_alternative(notice.html, subtype="html", charset="utf-8")
    if notice.inline_images:
        html_part = msg.get_body(("html",))
        assert isinstance(html_part, EmailMessage)
        for cid, data, subtype in notice.inline_images:
            html_part.add_related(data, "image", subtype, cid=f"<{cid.strip('<>')}>")
    for filename, maintype, subtype, data in notice.attachments:
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return msg
