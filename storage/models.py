"""SQLAlchemy 2.0 typed models. Times are UTC (see ``UTCDateTime``)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    Boolean,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from storage.enums import (
    AssignmentRole,
    AssignmentState,
    CrawlStatus,
    DeadlineState,
    EventState,
    OutboxState,
    ReviewStatus,
    Role,
    Severity,
    Verification,
)
from storage.types import JSONType, UTCDateTime

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def _enum(cls: type[StrEnum]) -> Enum:
    # Stored by value as VARCHAR: readable in SQL, and adding a member needs no migration.
    return Enum(
        cls,
        native_enum=False,
        create_constraint=False,
        length=32,
        values_callable=lambda e: [m.value for m in e],
    )


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSONType, list[Any]: JSONType}


class Unit(Base):
    __tablename__ = "units"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32))
    parent_id: Mapped[str | None] = mapped_column(ForeignKey("units.id"))
    emails: Mapped[list[Any]] = mapped_column(default=list)
    names: Mapped[list[Any]] = mapped_column(default=list)  # full, short names and aliases
    topics: Mapped[list[Any]] = mapped_column(default=list)
    places: Mapped[list[Any]] = mapped_column(default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Source(Base):
    __tablename__ = "sources"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    spider: Mapped[str] = mapped_column(String(32))
    url: Mapped[str] = mapped_column(Text)
    params: Mapped[dict[str, Any]] = mapped_column(default=dict)
    interval_s: Mapped[int] = mapped_column(Integer, default=600)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    # incremental crawling: the newest external id / time already stored
    high_water: Mapped[str | None] = mapped_column(String(200))
    last_run_at: Mapped[datetime | None]
    last_ok_at: Mapped[datetime | None]
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    unhealthy: Mapped[bool] = mapped_column(Boolean, default=False)
    unhealthy_since: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)


class CrawlRun(Base):
    __tablename__ = "crawl_runs"
    __table_args__ = (Index(None, "source_id", "started_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[str] = mapped_column(ForeignKey("sources.id"))
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    status: Mapped[CrawlStatus] = mapped_column(_enum(CrawlStatus), default=CrawlStatus.RUNNING)
    pages: Mapped[int] = mapped_column(Integer, default=0)
    items_new: Mapped[int] = mapped_column(Integer, default=0)
    items_updated: Mapped[int] = mapped_column(Integer, default=0)
    items_dropped: Mapped[dict[str, Any]] = mapped_column(default=dict)  # reason -> count
    errors: Mapped[dict[str, Any]] = mapped_column(default=dict)  # reason -> count
    error_samples: Mapped[list[Any]] = mapped_column(default=list)


class Event(Base):
    """A cluster of posts about one matter; the SLA clocks live here."""

    __tablename__ = "events"
    __table_args__ = (
        Index(None, "state", "severity"),
        # the priority queue walks this index per severity, nearest deadline first
        Index("ix_events_queue", "state", "severity", "next_deadline_at"),
        # 待核实 events lead the queue
        Index("ix_events_verification", "verification", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(500))
    summary: Mapped[str] = mapped_column(Text, default="")
    # the earliest post's published time (first-seen when unknown): windows count from here
    started_at: Mapped[datetime]
    first_seen_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    state: Mapped[EventState] = mapped_column(_enum(EventState), default=EventState.OPEN)
    topic: Mapped[str | None] = mapped_column(String(32))
    severity: Mapped[Severity] = mapped_column(_enum(Severity), default=Severity.ROUTINE)
    emergency_type: Mapped[str | None] = mapped_column(String(32))
    handling: Mapped[str | None] = mapped_column(String(32))
    heat: Mapped[float] = mapped_column(Float, default=0.0)
    post_count: Mapped[int] = mapped_column(Integer, default=0)
    lead_unit_id: Mapped[str | None] = mapped_column(ForeignKey("units.id"), index=True)
    routing_confidence: Mapped[float | None] = mapped_column(Float)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("events.id"))
    # the nearest open deadline, kept here so the priority queue needs no join
    next_deadline_at: Mapped[datetime | None] = mapped_column(index=True)
    # 待核实: a figure at 重大 or above that a cue lowered (classifier.candidates); the grade
    # and type it would give, until a duty officer confirms or dismisses it
    verification: Mapped[Verification] = mapped_column(
        _enum(Verification), default=Verification.NONE, server_default=Verification.NONE.value
    )
    candidate_severity: Mapped[Severity | None] = mapped_column(_enum(Severity))
    candidate_type: Mapped[str | None] = mapped_column(String(32))

    posts: Mapped[list[Post]] = relationship(back_populates="event")


class Post(Base):
    __tablename__ = "posts"
    __table_args__ = (
        UniqueConstraint("source_id", "external_id"),
        Index(None, "published_at"),
        Index(None, "content_hash"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[str] = mapped_column(ForeignKey("sources.id"))
    external_id: Mapped[str] = mapped_column(String(200))
    url: Mapped[str] = mapped_column(Text)
    title: Mapped[str] = mapped_column(String(500), default="")
    content: Mapped[str] = mapped_column(Text, default="")
    author: Mapped[str | None] = mapped_column(String(200))
    published_at: Mapped[datetime | None]
    first_seen_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    content_hash: Mapped[str] = mapped_column(String(64))
    # what the board itself says: 人民网 typeName / domainName / stateInfo, a 12345 board's 状态
    board_type: Mapped[str | None] = mapped_column(String(32))
    board_domain: Mapped[str | None] = mapped_column(String(32))
    board_state: Mapped[str | None] = mapped_column(String(32))
    board_unit: Mapped[str | None] = mapped_column(String(200))  # 处理部门
    # what the board's list row said of the thread last time (its state, reply count): a
    # re-crawl fetches a recent thread again only when this changes
    list_state: Mapped[str | None] = mapped_column(String(200))
    replies: Mapped[int] = mapped_column(Integer, default=0)
    likes: Mapped[int] = mapped_column(Integer, default=0)
    # the official reply found on the board: evidence of a response for the SLA engine
    reply_content: Mapped[str | None] = mapped_column(Text)
    reply_at: Mapped[datetime | None]
    reply_org: Mapped[str | None] = mapped_column(String(200))
    mentions: Mapped[list[Any]] = mapped_column(default=list)  # names/places that matched
    raw: Mapped[dict[str, Any]] = mapped_column(default=dict)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id"), index=True)
    analyzed_at: Mapped[datetime | None] = mapped_column(index=True)
    # the analysis run that took the post (storage.claims): until claimed_at + the lease has
    # passed, no other process analyses it; both are cleared when analyzed_at is set
    claimed_at: Mapped[datetime | None]
    claimed_by: Mapped[str | None] = mapped_column(String(128))
    # title, content and author with personal data masked: what a reader who sees masked
    # text searches (yuqing.search_index); NULL until the post is indexed
    search_masked: Mapped[str | None] = mapped_column(Text)

    event: Mapped[Event | None] = relationship(back_populates="posts")


class Classification(Base):
    __tablename__ = "classifications"
    __table_args__ = (Index(None, "post_id", "kind"), Index(None, "event_id", "kind"))

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id"))
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id"))
    kind: Mapped[str] = mapped_column(String(32))  # topic, severity, handling, rumour
    label: Mapped[str] = mapped_column(String(64))
    score: Mapped[float | None] = mapped_column(Float)
    model_version: Mapped[str] = mapped_column(String(64))
    evidence: Mapped[dict[str, Any]] = mapped_column(default=dict)
    needs_review: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[ReviewStatus] = mapped_column(_enum(ReviewStatus), default=ReviewStatus.MACHINE)
    reviewed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None]
    created_at: Mapped[datetime]


class Assignment(Base):
    __tablename__ = "assignments"
    __table_args__ = (Index(None, "unit_id", "state"), Index(None, "event_id", "active"))

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"))
    unit_id: Mapped[str] = mapped_column(ForeignKey("units.id"))
    role: Mapped[AssignmentRole] = mapped_column(_enum(AssignmentRole))
    state: Mapped[AssignmentState] = mapped_column(
        _enum(AssignmentState), default=AssignmentState.ASSIGNED
    )
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    cycle: Mapped[int] = mapped_column(Integer, default=1)  # 重办 starts a new cycle
    reasons: Mapped[list[Any]] = mapped_column(default=list)
    confidence: Mapped[float | None] = mapped_column(Float)
    assigned_at: Mapped[datetime]
    acknowledged_at: Mapped[datetime | None]
    responded_at: Mapped[datetime | None]
    response_text: Mapped[str | None] = mapped_column(Text)
    response_url: Mapped[str | None] = mapped_column(Text)
    returned_at: Mapped[datetime | None]
    return_reason: Mapped[str | None] = mapped_column(Text)
    released_at: Mapped[datetime | None]  # when the unit stopped holding the case


class Deadline(Base):
    """One SLA clock. ``due_at`` is the next moment something must happen (a warning, the
    breach, a reminder); the periodic tick only asks which rows have ``due_at <= now``."""

    __tablename__ = "deadlines"
    __table_args__ = (
        Index("ix_deadlines_due", "due_at"),
        Index(None, "event_id", "kind", "cycle"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"))
    assignment_id: Mapped[int | None] = mapped_column(ForeignKey("assignments.id"))
    unit_id: Mapped[str | None] = mapped_column(ForeignKey("units.id"))
    kind: Mapped[str] = mapped_column(String(32))  # policy window kind, e.g. publish_5h
    cycle: Mapped[int] = mapped_column(Integer, default=1)
    state: Mapped[DeadlineState] = mapped_column(_enum(DeadlineState), default=DeadlineState.OPEN)
    starts_at: Mapped[datetime]
    deadline_at: Mapped[datetime]  # the window's end, extensions included
    original_deadline_at: Mapped[datetime]
    provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    due_at: Mapped[datetime | None]  # NULL once nothing more will happen
    warnings_sent: Mapped[int] = mapped_column(Integer, default=0)
    escalation_level: Mapped[int] = mapped_column(Integer, default=0)
    reminders_sent: Mapped[int] = mapped_column(Integer, default=0)
    met_at: Mapped[datetime | None]
    evidence: Mapped[dict[str, Any]] = mapped_column(default=dict)
    version: Mapped[int] = mapped_column(Integer, default=0)  # compare-and-set claims
    # natural | office: whether the window's intervals (its end, warnings, reminders and
    # escalations) count round the clock or only the jurisdiction's office hours
    clock: Mapped[str] = mapped_column(String(16), default="natural", server_default="natural")


class EventLog(Base):
    """Append-only record of every state change: who, what, when, why."""

    __tablename__ = "event_log"
    __table_args__ = (Index(None, "event_id", "at"), Index(None, "action", "at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(100))  # "system", "tick", "user:3", "unit:jyj"
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id"))
    entity: Mapped[str] = mapped_column(String(32))  # event, assignment, deadline, post
    entity_id: Mapped[int | None] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(64))
    unit_id: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
    reason: Mapped[str | None] = mapped_column(Text)


class Outbox(Base):
    """Notifications waiting to be sent; written in the same transaction as the change."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_pending", "state", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime]
    kind: Mapped[str] = mapped_column(String(32))  # assignment, warning, breach, ...
    channel: Mapped[str] = mapped_column(String(16), default="email")  # email, wecom, dingtalk
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id"))
    unit_id: Mapped[str | None] = mapped_column(ForeignKey("units.id"))
    deadline_id: Mapped[int | None] = mapped_column(ForeignKey("deadlines.id"))
    recipients: Mapped[list[Any]] = mapped_column(default=list)
    cc: Mapped[list[Any]] = mapped_column(default=list)
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    state: Mapped[OutboxState] = mapped_column(_enum(OutboxState), default=OutboxState.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None]
    claimed_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    message_id: Mapped[str | None] = mapped_column(String(200))
    last_error: Mapped[str | None] = mapped_column(Text)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100), default="")
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(_enum(Role))
    unit_id: Mapped[str | None] = mapped_column(ForeignKey("units.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]
    last_login_at: Mapped[datetime | None]


class AuditLog(Base):
    """What people did through the dashboard or signed links."""

    __tablename__ = "audit_log"
    __table_args__ = (Index(None, "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime]
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(64))
    target: Mapped[str] = mapped_column(String(100))  # e.g. "event:12"
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
    ip: Mapped[str | None] = mapped_column(String(64))


class LoginSession(Base):
    """One dashboard login. The browser's cookie carries a random token; the row is found by
    the token's SHA-256 (``id``), so a copy of this table opens no session. A session ends when
    it is revoked (logout, password reset, account disabled) or times out."""

    __tablename__ = "login_sessions"
    __table_args__ = (Index(None, "user_id", "revoked_at"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    revoked_reason: Mapped[str | None] = mapped_column(String(32))
    ip: Mapped[str | None] = mapped_column(String(64))


class LinkUse(Base):
    """A signed email link spent by the action it was used for (办结 or 退单): a link closes or
    returns a case once. The primary key makes the second use fail even when both race."""

    __tablename__ = "link_uses"

    token_id: Mapped[str] = mapped_column(String(64), primary_key=True)  # SHA-256 of the token
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id"))
    action: Mapped[str] = mapped_column(String(16))
    used_at: Mapped[datetime]
    ip: Mapped[str | None] = mapped_column(String(64))
