"""What a notification shows about an event and one unit's part in it, read from the database
at send time (so an email sent late after an outage shows the case as it is now).

Post text is masked (``classifier.masking.mask_pii``): emails leave the system; the raw text
stays in storage. Poster names are never shown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from classifier.candidates import cue_label
from classifier.masking import mask_pii
from domain.settings import Settings
from response_sla.errors import SlaConfigError
from response_sla.policy import KindPolicy, Policy, load_policy
from storage import models
from storage.enums import AssignmentRole, DeadlineState, Severity, Verification
from yuqing import display
from yuqing.cases.verification import last_request
from yuqing.display import reason_text as stored_reason
from yuqing.signed_links import unit_link

MAX_POSTS = 10
EXCERPT_CHARS = 160
WEEKDAYS = "一二三四五六日"

# What closes a window, per milestone of the policy's ``met_by`` (seed 001 (七)3-4), in the
# order a clerk would do them.
MILESTONE_TEXT = {
    "acknowledge": "通过链接点击“签收”",
    "respond": "在原留言板答复或公开发布回应，并通过链接提交回应内容或网址",
    "publish": "在政府网站、政务新媒体或权威媒体发布权威信息，并通过链接提交发布网址",
    "press": "召开新闻发布会（或吹风会、答记者问），并通过链接提交发布会通知或报道网址",
    "resolve": "办理完毕、答复当事人，并通过链接登记办结",
}
# Assignment.reasons entries name the routing rule that fired (属地, 谁主管, 派单目录 …).
RULE_LABELS = {
    "place": "属地管理：内容涉及本单位辖区",
    "places": "属地管理：内容涉及本单位辖区",
    "topic": "谁主管谁负责：属于本单位主管领域",
    "keyword": "派单目录：属于本单位承办事项",
    "keywords": "派单目录：属于本单位承办事项",
    "mention": "内容点名本单位",
    "name": "内容点名本单位",
    "board_unit": "留言板标注的处理部门",
    "fallback": "无明确责任单位，由兜底单位承办",
    "manual": "值班员指定",
    "coordinate": "特别重大/重大事件，统筹协调",
}
_SKIP_REASON_KEYS = {"rule", "weight", "score", "by"}


def mask(text: str | None) -> str:
    return str(mask_pii(text)) if text else ""


def safe_url(url: str | None) -> str | None:
    """Only http(s) links with a host become links: crawled URLs are hostile input."""
    if not url or any(ch in url for ch in "\x00\r\n\t "):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    return url if parts.scheme.lower() in ("http", "https") and parts.netloc else None


def local_time(moment: datetime | None, tz: ZoneInfo) -> str:
    if moment is None:
        return ""
    shown = moment.astimezone(tz)
    return f"{shown:%Y-%m-%d %H:%M}（周{WEEKDAYS[shown.weekday()]}）"


def duration(delta: timedelta) -> str:
    minutes = int(abs(delta).total_seconds()) // 60
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days}天{hours}小时"
    if hours:
        return f"{hours}小时{mins:02d}分"
    return f"{mins}分钟"


def time_left(deadline_at: datetime, now: datetime) -> str:
    delta = deadline_at - now
    return f"已超期 {duration(delta)}" if delta < timedelta(0) else f"剩余 {duration(delta)}"


@lru_cache(maxsize=8)
def _policy(path: str) -> Policy | None:
    try:
        return load_policy(path or None)
    except SlaConfigError:
        return None


def policy_kind(settings: Settings, kind: str) -> KindPolicy | None:
    policy = _policy(settings.sla.policy)
    return policy.kinds.get(kind) if policy is not None else None


def kind_label(settings: Settings, kind: str) -> str:
    k = policy_kind(settings, kind)
    return k.label if k is not None else kind


def reason_text(reason: Any) -> str:
    if isinstance(reason, str):
        return stored_reason(reason)
    if not isinstance(reason, dict):
        return str(reason)
    rule = str(reason.get("rule", ""))
    label = RULE_LABELS.get(rule, rule)
    details = []
    for key, value in reason.items():
        if key in _SKIP_REASON_KEYS or value in (None, "", [], {}):
            continue
        shown = "、".join(str(v) for v in value) if isinstance(value, list) else str(value)
        details.append(shown)
    if not details:
        return label or "—"
    return f"{label}（{'；'.join(details)}）" if label else "；".join(details)


@dataclass(frozen=True)
class EventView:
    id: int
    title: str
    summary: str
    topic: str
    severity: str
    emergency_type: str
    handling: str
    started: str
    post_count: int
    state: str
    dashboard_url: str


@dataclass(frozen=True)
class PostView:
    title: str
    url: str | None
    source: str
    published: str
    excerpt: str
    board_type: str


@dataclass(frozen=True)
class DeadlineView:
    id: int
    kind: str
    label: str
    due: str
    left: str
    overdue: bool
    open: bool
    state: str
    holder: str  # the unit holding the clock when it is not the reader's
    extended: bool
    provisional: bool


@dataclass(frozen=True)
class CaseView:
    """One unit's part in one event: everything needed to act without logging in."""

    event: EventView
    posts: list[PostView]
    more_posts: int
    unit_id: str | None
    unit_name: str
    role: str
    assigned: str
    reasons: list[str]
    deadlines: list[DeadlineView]
    responses: list[str]
    link: str
    link_is_signed: bool
    link_valid_until: str


def unit_name(settings: Settings, session: Session, unit_id: str | None) -> str:
    if not unit_id:
        return ""
    try:
        return settings.jurisdiction.unit(unit_id).name
    except KeyError:
        row = session.get(models.Unit, unit_id)
        return row.name if row is not None else unit_id


def dashboard_url(settings: Settings, event_id: int) -> str:
    return f"{settings.web.base_url.rstrip('/')}/events/{event_id}"


def event_view(settings: Settings, event: models.Event) -> EventView:
    tz = ZoneInfo(settings.timezone)
    return EventView(
        id=event.id,
        title=mask(event.title),
        summary=mask(event.summary),
        topic=event.topic or "未分类",
        severity=event.severity.label,
        emergency_type=event.emergency_type or "",
        # an emergency has no handling type: 建言 / 咨询 / 投诉 would misread an accident
        handling="" if event.severity is not Severity.ROUTINE else event.handling or "",
        started=local_time(event.started_at, tz),
        post_count=event.post_count,
        state=event.state.label,
        dashboard_url=dashboard_url(settings, event.id),
    )


def post_views(
    settings: Settings,
    session: Session,
    event_id: int,
    limit: int = MAX_POSTS,
    *,
    board_types: bool = True,
) -> tuple[list[PostView], int]:
    """The event's posts, earliest first, and how many more there are. ``board_types``: show
    each board's own type (建言 …), which says nothing of an emergency."""
    tz = ZoneInfo(settings.timezone)
    when = func.coalesce(models.Post.published_at, models.Post.first_seen_at)
    rows = session.execute(
        select(models.Post, models.Source.name)
        .join(models.Source, models.Source.id == models.Post.source_id)
        .where(models.Post.event_id == event_id)
        .order_by(when, models.Post.id)
        .limit(limit)
    ).all()
    total = session.scalar(
        select(func.count()).select_from(models.Post).where(models.Post.event_id == event_id)
    )
    views = []
    for post, source_name in rows:
        content = " ".join((post.content or "").split())
        excerpt = content[:EXCERPT_CHARS] + ("…" if len(content) > EXCERPT_CHARS else "")
        views.append(
            PostView(
                title=mask(post.title) or mask(content[:40]) or "（无标题）",
                url=safe_url(post.url),
                source=source_name,
                published=local_time(post.published_at or post.first_seen_at, tz),
                excerpt=mask(excerpt),
                board_type=(post.board_type or "") if board_types else "",
            )
        )
    return views, max(0, int(total or 0) - len(views))


def deadline_views(
    settings: Settings,
    session: Session,
    event_id: int,
    unit_id: str | None,
    now: datetime,
) -> list[DeadlineView]:
    """The unit's own windows and the event-wide ones (held by the lead unit); another unit's
    签收 window is its own business. With no unit, every window of the event."""
    own_assignments = set(
        session.scalars(
            select(models.Assignment.id).where(
                models.Assignment.event_id == event_id, models.Assignment.unit_id == unit_id
            )
        )
    )
    rows = session.scalars(
        select(models.Deadline)
        .where(
            models.Deadline.event_id == event_id,
            models.Deadline.state != DeadlineState.CANCELLED,
        )
        .order_by(models.Deadline.deadline_at, models.Deadline.id)
    )
    out = []
    for d in rows:
        mine = unit_id is None or d.unit_id == unit_id or d.assignment_id in own_assignments
        kind = policy_kind(settings, d.kind)
        event_wide = d.assignment_id is None and (kind is None or kind.scope == "event")
        if mine or event_wide:
            # the reader's own window needs no name; the duty office reads every unit's
            holder = "" if mine and unit_id is not None else unit_name(settings, session, d.unit_id)
            out.append(deadline_view(settings, d, now, holder))
    return out


def deadline_view(
    settings: Settings, d: models.Deadline, now: datetime, holder: str = ""
) -> DeadlineView:
    is_open = d.state in (DeadlineState.OPEN, DeadlineState.BREACHED)
    return DeadlineView(
        id=d.id,
        kind=d.kind,
        label=kind_label(settings, d.kind),
        due=display.deadline(d.deadline_at, ZoneInfo(settings.timezone), year=True, weekday=True),
        left=time_left(d.deadline_at, now) if is_open else "",
        overdue=is_open and d.deadline_at < now,
        open=is_open,
        state=d.state.label,
        holder=holder,
        extended=d.deadline_at != d.original_deadline_at,
        provisional=d.provisional,
    )


def responses(settings: Settings, deadlines: list[DeadlineView]) -> list[str]:
    """What closes each open window, from the policy's ``met_by``: one line per window."""
    lines: list[str] = []
    for d in deadlines:
        kind = policy_kind(settings, d.kind)
        if not d.open or kind is None:
            continue
        ways = [text for m, text in MILESTONE_TEXT.items() if m in kind.met_by]
        line = f"{d.label}：" + "；或".join(ways)
        if ways and line not in lines:
            lines.append(line)
    return lines


_EVENT_IN_TEXT = re.compile(r"事件 ?(\d+)")


def _named(session: Session, reason: str, event_id: int) -> str:
    """A stored reason with the events it names by number named by title ("本事件" for the
    one the message is about)."""
    ids = {int(m) for m in _EVENT_IN_TEXT.findall(reason)}
    titles = {
        eid: mask(title)
        for eid, title in session.execute(
            select(models.Event.id, models.Event.title).where(models.Event.id.in_(ids))
        ).tuples()
    } if ids else {}
    return stored_reason(reason, None, titles, event_id)


def _assignment(session: Session, event_id: int, unit_id: str) -> models.Assignment | None:
    """The unit's active assignment for the event, else its latest one."""
    return session.scalars(
        select(models.Assignment)
        .where(models.Assignment.event_id == event_id, models.Assignment.unit_id == unit_id)
        .order_by(models.Assignment.active.desc(), models.Assignment.id.desc())
        .limit(1)
    ).first()


def _role_task(role: str) -> str:
    """What the unit is asked to do (牵头办理 …); a role this version does not know, as given."""
    try:
        return AssignmentRole(role).task
    except ValueError:
        return role


def case_view(
    settings: Settings,
    session: Session,
    event: models.Event,
    unit_id: str | None,
    now: datetime,
    role: str | None = None,
) -> CaseView:
    tz = ZoneInfo(settings.timezone)
    posts, more = post_views(
        settings, session, event.id, board_types=event.severity is Severity.ROUTINE
    )
    deadlines = deadline_views(settings, session, event.id, unit_id, now)
    assignment = _assignment(session, event.id, unit_id) if unit_id else None
    role_value = role or (assignment.role.value if assignment is not None else "")
    role_task = _role_task(role_value)
    if unit_id:
        link = unit_link(settings, unit_id, event.id, assignment.id if assignment else None)
        valid_until = local_time(now + timedelta(days=settings.web.signed_link_days), tz)
    else:
        link, valid_until = dashboard_url(settings, event.id), ""
    return CaseView(
        event=event_view(settings, event),
        posts=posts,
        more_posts=more,
        unit_id=unit_id,
        unit_name=unit_name(settings, session, unit_id),
        role=role_task,
        assigned=local_time(assignment.assigned_at, tz) if assignment is not None else "",
        reasons=[
            _named(session, r, event.id) if isinstance(r, str) else reason_text(r)
            for r in (assignment.reasons if assignment is not None else [])
        ],
        deadlines=deadlines,
        responses=responses(settings, deadlines),
        link=link,
        link_is_signed=bool(unit_id),
        link_valid_until=valid_until,
    )


@dataclass(frozen=True)
class VerificationView:
    """待核实 as the major-event alert tells it, as it stands when the alert is sent."""

    candidate: str
    state: str  # 待核实 / 已核实确认 / 已核实排除
    open: bool  # still waiting for a duty officer
    reasons: list[str]  # the cues, in words


def verification_view(
    session: Session, event: models.Event, payload: dict[str, Any]
) -> VerificationView | None:
    """None when the alert was no 待核实 one, or the event has been confirmed since (it is then
    the major it may have been, and the alert says so plainly)."""
    if payload.get("verification") != Verification.PENDING.value:
        return None
    if event.verification is Verification.CONFIRMED:
        return None
    asked = last_request(session, event.id)
    cues = (asked.detail.get("cues") if asked is not None else None) or []
    candidate = event.candidate_severity.label if event.candidate_severity else str(
        payload.get("candidate", "")
    )
    return VerificationView(
        candidate=candidate,
        state=event.verification.label or Verification.PENDING.label,
        open=event.verification is not Verification.DISMISSED,
        reasons=[mask(cue_label(str(c))) for c in cues],
    )
