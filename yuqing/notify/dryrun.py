"""The dry-run backend (``mail.backend = "dryrun"``, used by ``make run``): every message is
written under ``VAR_DIR/mail/`` instead of being sent.

- email: ``NNNNNN-KIND.eml`` (the exact bytes an SMTP server would receive) and
  ``NNNNNN-KIND.html`` (the HTML part, with inline images saved beside it) for people;
- chat: ``NNNNNN-KIND-CHANNEL.json``, the JSON body that would be posted to the robot.

``NNNNNN`` is the outbox row id, so a retried row overwrites its own file.
"""

from __future__ import annotations

import json
import os
import re
from email.message import EmailMessage, MIMEPart
from pathlib import Path

from domain.settings import ChatWebhook
from yuqing.notify.message import ChatNotice
from yuqing.notify.transport import TemporaryError
from yuqing.notify.webhooks import payload_for


def _write(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)  # a reader never sees half a file


class DryRunMail:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.written: list[Path] = []

    def _stem(self, message: EmailMessage) -> str:
        row = str(message.get("X-Yuqing-Outbox", "0"))
        kind = str(message.get("X-Yuqing-Kind", "mail"))
        return f"{int(row):06d}-{kind}"

    def send(self, message: EmailMessage) -> str | None:
        stem = self._stem(message)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            eml = self.folder / f"{stem}.eml"
            _write(eml, message.as_bytes())
            self.written.append(eml)
            body = message.get_body(("related", "html"))
            if body is not None:
                _write(self.folder / f"{stem}.html", self._html(body, stem).encode("utf-8"))
        except OSError as exc:
            raise TemporaryError(f"cannot write to {self.folder}: {exc}") from None
        return None

    def _html(self, body: MIMEPart, stem: str) -> str:
        """The HTML part; inline images (multipart/related) saved beside it and linked."""
        if not body.is_multipart():
            return str(body.get_content())
        text = ""
        images: dict[str, str] = {}
        for part in body.iter_parts():
            if part.get_content_type() == "text/html" and not text:
                text = str(part.get_content())
            elif cid := str(part.get("Content-ID", "")).strip("<>"):
                safe = re.sub(r"[^\w.-]", "_", cid)
                name = f"{stem}-{safe}.{part.get_content_subtype()}"
                _write(self.folder / name, part.get_content())
                images[cid] = name
        for cid, name in images.items():
            text = text.replace(f"cid:{cid}", name)
        return text

    def close(self) -> None:
        pass


class DryRunChat:
    def __init__(self, folder: Path, channel: str) -> None:
        self.folder = folder
        self.channel = channel
        self.written: list[Path] = []

    def send(self, robot: ChatWebhook, notice: ChatNotice, *, name: str) -> None:
        path = self.folder / f"{name}-{self.channel}.json"
        body = {"robot": robot.kind, "signed": bool(robot.secret), "body": payload_for(robot, notice)}
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            _write(path, json.dumps(body, ensure_ascii=False, indent=2).encode("utf-8"))
        except OSError as exc:
            raise TemporaryError(f"cannot write to {self.folder}: {exc}") from None
        self.written.append(path)

    def close(self) -> None:
        pass
