"""The duty officers' 待核实 answers as labelled examples for the severity rules.

Every confirmation and dismissal (``yuqing.cases.verification``) says of one post's text what
grade a person found it to be: the candidate's grade when confirmed, the grade in force when
dismissed. ``yuqing classify export-reviews`` writes them as CSV (UTF-8 with a byte-order mark,
for Excel) or JSON lines, with the columns of the severity development sets (``title``,
``level``, ``emergency_type``) beside the answer itself: the candidate grade, the grade before,
the decision and its reason, the cues of the severity rules, who answered and when (Asia/
Shanghai). Personal data in the text is masked: the figures that grade a post survive masking.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from classifier.masking import mask_pii
from domain.event_actions import EventAction
from storage import models

DECISIONS = {
    EventAction.VERIFICATION_CONFIRMED.value: "confirmed",
    EventAction.VERIFICATION_DISMISSED.value: "dismissed",
}
FORMATS = ("csv", "jsonl")


@dataclass(frozen=True)
class Review:
    id: int  # the decision's event-log row
    event_id: int | None
    post_id: int | None
    title: str
    text: str  # the post's content, masked
    level: str  # what the person found it to be: the label for the severity rules
    emergency_type: str
    candidate: str  # the grade the lowered figure would give
    grade_before: str  # the grade in force when the question was answered
    decision: str  # confirmed / dismissed
    reason: str
    cues: list[str]  # as the severity rules wrote them
    by: str  # the user's name, or the actor as logged
    at: str  # ISO 8601, Asia/Shanghai


def reviews(
    session: Session,
    tz: ZoneInfo,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[Review]:
    """The answers given in [since, until), oldest first."""
    L = models.EventLog
    query = select(L).where(L.action.in_(list(DECISIONS))).order_by(L.at, L.id)
    if since is not None:
        query = query.where(L.at >= since)
    if until is not None:
        query = query.where(L.at < until)
    users = dict(session.execute(select(models.User.id, models.User.username)).tuples().all())
    out: list[Review] = []
    for row in session.scalars(query):
        detail: dict[str, Any] = dict(row.detail or {})
        post = _post(session, detail.get("post_id"), row.event_id)
        decision = DECISIONS[row.action]
        out.append(Review(
            id=row.id,
            event_id=row.event_id,
            post_id=post.id if post is not None else None,
            title=mask_pii(post.title) if post is not None else "",
            text=mask_pii(post.content) if post is not None else "",
            level=str(detail.get("to") or ""),
            emergency_type=str(detail.get("emergency_type") or ""),
            candidate=str(detail.get("candidate") or ""),
            grade_before=str(detail.get("severity") or ""),
            decision=decision,
            reason=row.reason or "",
            cues=[str(c) for c in detail.get("cues") or []],
            by=_who(row.actor, users),
            at=row.at.astimezone(tz).isoformat(),
        ))
    return out


def _post(session: Session, post_id: Any, event_id: int | None) -> models.Post | None:
    """The post whose figure raised the question; the event's first when it is not known."""
    if isinstance(post_id, int):
        post = session.get(models.Post, post_id)
        if post is not None:
            return post
    if event_id is None:
        return None
    first: models.Post | None = session.scalars(
        select(models.Post)
        .where(models.Post.event_id == event_id)
        .order_by(func.coalesce(models.Post.published_at, models.Post.first_seen_at),
                  models.Post.id)
        .limit(1)
    ).first()
    return first


def _who(actor: str, users: dict[int, str]) -> str:
    kind, _, ident = actor.partition(":")
    if kind == "user" and ident.isdigit() and int(ident) in users:
        return users[int(ident)]
    return actor


def write(rows: Iterable[Review], stream: TextIO, fmt: str) -> int:
    """Write the rows as ``csv`` or ``jsonl``; returns how many."""
    n = 0
    if fmt == "jsonl":
        for r in rows:
            stream.write(json.dumps(asdict(r), ensure_ascii=False) + "\n")
            n += 1
        return n
    if fmt != "csv":
        raise ValueError(f"unknown format {fmt!r}: expected one of {', '.join(FORMATS)}")
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([f for f in Review.__dataclass_fields__])
    for r in rows:
        values = asdict(r)
        values["cues"] = " | ".join(r.cues)
        writer.writerow(values.values())
        n += 1
    stream.write("\ufeff" + buffer.getvalue())
    return n
