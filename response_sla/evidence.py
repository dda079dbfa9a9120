"""What proves a milestone. A window closes only on evidence: a URL of what was published, the
text of the response, the board's own official reply (whose reply time is the response time),
or, for 签收, the unit's sign-off itself."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from response_sla.errors import TransitionRefused
from response_sla.policy import MILESTONES

KINDS = ("url", "text", "board_reply", "sign_off")


@dataclass(frozen=True)
class Evidence:
    milestone: str  # acknowledge, publish, press, respond, resolve
    kind: str  # url, text, board_reply, sign_off
    at: datetime  # when the milestone happened: for a board reply, its reply time
    by: str  # who recorded it
    url: str | None = None
    text: str | None = None
    org: str | None = None  # the replying organisation, for a board reply

    @classmethod
    def from_url(cls, milestone: str, url: str, at: datetime, by: str, note: str = "") -> Evidence:
        return cls(milestone, "url", at, by, url=url.strip(), text=note.strip() or None)

    @classmethod
    def from_text(cls, milestone: str, text: str, at: datetime, by: str) -> Evidence:
        return cls(milestone, "text", at, by, text=text.strip())

    @classmethod
    def from_board_reply(
        cls, content: str, reply_at: datetime, org: str | None, url: str | None = None
    ) -> Evidence:
        return cls(
            "respond", "board_reply", reply_at, "board", url=url, text=content.strip(), org=org
        )

    @classmethod
    def sign_off(cls, at: datetime, by: str) -> Evidence:
        return cls("acknowledge", "sign_off", at, by)

    def check(self, now: datetime) -> None:
        """Raise TransitionRefused unless this is evidence at all."""
        if self.milestone not in MILESTONES:
            raise TransitionRefused(f"unknown milestone {self.milestone!r}")
        if self.kind not in KINDS:
            raise TransitionRefused(f"unknown kind of evidence {self.kind!r}")
        if self.at.tzinfo is None:
            raise TransitionRefused("the time of the evidence has no time zone")
        if self.at > now:
            raise TransitionRefused("the evidence is dated in the future")
        if self.kind == "url":
            parts = urlsplit(self.url or "")
            if parts.scheme not in ("http", "https") or not parts.netloc:
                raise TransitionRefused("evidence URL must be an http(s) address")
        elif self.kind in ("text", "board_reply"):
            if not (self.text or "").strip():
                raise TransitionRefused("the response text is empty")
        elif self.milestone != "acknowledge":
            raise TransitionRefused("a sign-off proves only 签收; give a URL or the response text")

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "milestone": self.milestone,
            "kind": self.kind,
            "at": self.at.isoformat(),
            "by": self.by,
        }
        for key in ("url", "text", "org"):
            value = getattr(self, key)
            if value:
                data[key] = value
        return data
