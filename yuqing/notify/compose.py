"""Outbox row + database → what the notification says, for every ``OutboxKind``.

Rows carry ids and the facts of the moment (see ``storage.enums.OutboxKind``); everything
else is read now, so a message sent late shows the case as it stands. A row that can never
be rendered (its event is gone, an unknown kind) raises ``PermanentError``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from domain.settings import Settings
from storage import models
from storage.enums import OutboxKind
from storage.outbox import notify
from yuqing import display
from yuqing.notify import recipients, views
from yuqing.notify.message import ChatNotice, Mailbox, Notice
from yuqing.notify.transport import Held, PermanentError
from yuqing.templating import html_environment, text_environment

# Kinds that also go to the duty officers' group chats (企业微信 / 钉钉 robots).
CHAT_KINDS = frozenset({OutboxKind.WARNING, OutboxKind.BREACH, OutboxKind.NEW_MAJOR_EVENT})
TEMPLATES = "notify"  # the emails' folder in the shared environments (yuqing.templating)


@dataclass
class Parts:
    """A kind's contribution: subject, template, what the template shows, the chat lines."""

    subject: str
    template: str
    context: dict[str, Any]
    chat_title: str = ""
    chat_lines: list[tuple[str, str]] = field(default_factory=list)
    chat_link: str = ""
    inline_images: tuple[tuple[str, bytes, str], ...] = ()
    attachments: tuple[tuple[str, str, str, bytes], ...] = ()


@dataclass(frozen=True)
class Ctx:
    settings: Settings
    session: Session
    row: models.Outbox
    now: datetime
    cc: tuple[Mailbox, ...] = ()

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.settings.timezone)

    @property
    def payload(self) -> dict[str, Any]:
        return dict(self.row.payload or {})

    def event(self) -> models.Event:
        if self.row.event_id is None:
            raise PermanentError(f"a {self.row.kind} notification needs an event")
        event = self.session.get(models.Event, self.row.event_id)
        if event is None:
            raise PermanentError(f"event {self.row.event_id} no longer exists")
        return event

    def deadline(self) -> models.Deadline:
        if self.row.deadline_id is None:
            raise PermanentError(f"a {self.row.kind} notification needs a deadline")
        deadline = self.session.get(models.Deadline, self.row.deadline_id)
        if deadline is None:
            raise PermanentError(f"deadline {self.row.deadline_id} no longer exists")
        return deadline

    def case(self, unit_id: str | None = None, role: str | None = None) -> views.CaseView:
        return views.case_view(
            self.settings, self.session, self.event(), unit_id or self.row.unit_id, self.now, role
        )


def _focus(ctx: Ctx, case: views.CaseView, deadline: models.Deadline) -> views.DeadlineView:
    """The window a warning or breach is about, as it stands now."""
    for d in case.deadlines:
        if d.id == deadline.id:
            return d
    return views.deadline_view(ctx.settings, deadline, ctx.now)


def _case_chat(case: views.CaseView) -> list[tuple[str, str]]:
    lines = [("级别", case.event.severity), ("领域", case.event.topic)]
    if case.unit_name:
        lines.append(("承办单位", case.unit_name))
    return lines


def _assignment(ctx: Ctx) -> Parts:
    case = ctx.case(role=ctx.payload.get("role"))
    first = next((d for d in case.deadlines if d.open), None)
    due = f"——{first.label}时限 {first.due}" if first is not None else ""
    return Parts(
        subject=f"【舆情交办】{case.event.title}{due}",
        template="assignment",
        context={"case": case, "first": first},
    )


# A unit told of a case is not chased about it in the same breath: a 临期提醒 or 督办 that
# falls due within [mail] quiet_after_assignment_s of the unit's 交办 waits until it has
# passed (the 交办 email already says how long is left).
def _not_right_after_assignment(ctx: Ctx, deadline: models.Deadline) -> None:
    if ctx.row.unit_id is None:
        return
    assigned = ctx.session.scalar(
        select(func.max(models.Assignment.assigned_at)).where(
            models.Assignment.event_id == deadline.event_id,
            models.Assignment.unit_id == ctx.row.unit_id,
        )
    )
    if assigned is None:
        return
    if assigned.tzinfo is None:
        assigned = assigned.replace(tzinfo=UTC)
    quiet = timedelta(seconds=ctx.settings.mail.quiet_after_assignment_s)
    quiet_until = assigned + quiet
    if ctx.now < quiet_until:
        raise Held(
            f"held until {quiet_until.isoformat(timespec='minutes')}: sent no sooner than "
            f"{quiet.total_seconds() / 60:g} minutes after the unit's assignment",
            until=quiet_until,
        )


def _warning(ctx: Ctx) -> Parts:
    deadline = ctx.deadline()
    _not_right_after_assignment(ctx, deadline)
    case = ctx.case()
    focus = _focus(ctx, case, deadline)
    fraction = float(ctx.payload.get("fraction", 0) or 0)
    due = display.deadline(deadline.deadline_at, ctx.tz)
    subject = f"【临期提醒】{focus.label}将于{due}到期——{case.event.title}"
    return Parts(
        subject=subject,
        template="warning",
        context={"case": case, "focus": focus, "fraction": fraction},
        chat_title=f"临期提醒：{focus.label}",
        chat_lines=[("事件", case.event.title), ("时限", f"{focus.due}（{focus.left}）")]
        + _case_chat(case),
        chat_link=case.event.dashboard_url,
    )


def _breach(ctx: Ctx) -> Parts:
    deadline = ctx.deadline()
    _not_right_after_assignment(ctx, deadline)
    case = ctx.case()
    focus = _focus(ctx, case, deadline)
    level = int(ctx.payload.get("level", 1) or 1)
    count = int(ctx.payload.get("count", 0) or 0)
    late = views.duration(ctx.now - deadline.deadline_at) if ctx.now > deadline.deadline_at else ""
    if ctx.row.kind == OutboxKind.REMINDER:
        tag = f"超期催办·第{count}次"
    else:
        tag = "超期督办" if level <= 1 else f"超期督办·{level}级"
    overdue = f"已超期{late}" if late and focus.open else f"{focus.state}"
    copied = list(dict.fromkeys(b.name or b.address for b in ctx.cc))
    return Parts(
        subject=f"【{tag}】{focus.label}{overdue}——{case.event.title}",
        template="breach",
        context={
            "case": case,
            "focus": focus,
            "level": level,
            "count": count,
            "reminder": ctx.row.kind == OutboxKind.REMINDER,
            "late": late,
            "copied": copied,
        },
        chat_title=f"{tag}：{focus.label}",
        chat_lines=[("事件", case.event.title), ("时限", f"{focus.due}（{focus.left}）")]
        + _case_chat(case)
        + [("督办级别", str(level))],
        chat_link=case.event.dashboard_url,
    )


def _decision(ctx: Ctx) -> Parts:
    case = ctx.case()
    p = ctx.payload
    approved = p.get("decision") == "approved"
    is_return = ctx.row.kind == OutboxKind.RETURN_DECISION
    new_deadline = p.get("new_deadline_at")
    new_due = (
        display.deadline(datetime.fromisoformat(new_deadline), ctx.tz, year=True, weekday=True)
        if new_deadline
        else ""
    )
    if is_return:
        what = "退单申请已同意" if approved else "退单申请未获同意，请继续办理"
    else:
        what = "延期申请已批准" if approved else "延期申请未获批准，原时限不变"
    lead = ctx.event().lead_unit_id
    return Parts(
        subject=f"【{what.split('，')[0]}】{case.event.title}",
        template="decision",
        context={
            "case": case,
            "approved": approved,
            "is_return": is_return,
            "what": what,
            "reason": p.get("reason") or "",
            "new_due": new_due,
            "new_lead": views.unit_name(ctx.settings, ctx.session, lead)
            if lead and lead != ctx.row.unit_id
            else "",
        },
    )


def _reassignment(ctx: Ctx) -> Parts:
    case = ctx.case()
    p = ctx.payload
    to_unit = p.get("to")
    gaining = bool(to_unit) and to_unit == ctx.row.unit_id
    return Parts(
        subject=f"【改派通知】{case.event.title}",
        template="reassignment",
        context={
            "case": case,
            "gaining": gaining,
            "to_name": views.unit_name(ctx.settings, ctx.session, to_unit) if to_unit else "",
            "from_name": views.unit_name(ctx.settings, ctx.session, p.get("from")),
        },
    )


def _new_major(ctx: Ctx) -> Parts:
    event = ctx.event()
    case = views.case_view(ctx.settings, ctx.session, event, None, ctx.now)
    lead = views.unit_name(ctx.settings, ctx.session, event.lead_unit_id)
    check = views.verification_view(ctx.session, event, ctx.payload)
    if check is not None:
        tag = f"待核实·疑似{check.candidate}舆情" if check.open else (
            f"疑似{check.candidate}舆情·已排除")
        title = f"{tag}：{case.event.title}"
        lines = [("事件", case.event.title), ("首次出现", case.event.started),
                 ("当前级别", case.event.severity), ("疑似级别", check.candidate)]
        lines += [("原因", r) for r in check.reasons[:3]]
    else:
        tag = f"{event.severity.label}舆情"
        title = f"{event.severity.label}舆情：{case.event.title}"
        lines = [("事件", case.event.title), ("首次出现", case.event.started)]
        lines += _case_chat(case)
    return Parts(
        subject=f"【{tag}】{case.event.title}",
        template="new_major_event",
        context={"case": case, "lead": lead, "check": check},
        chat_title=title,
        chat_lines=lines
        + [("牵头单位", lead or "待分派")]
        + [(d.label, f"{d.due}（{d.left}）") for d in case.deadlines if d.open],
        chat_link=case.event.dashboard_url,
    )


def _source_unhealthy(ctx: Ctx) -> Parts:
    p = ctx.payload
    source_id = str(p.get("source_id", ""))
    source = ctx.session.get(models.Source, source_id) if source_id else None
    name = source.name if source is not None else source_id
    return Parts(
        subject=f"【监测源异常】{name}",
        template="source_unhealthy",
        context={
            "source_id": source_id,
            "name": name,
            "url": views.safe_url(source.url) if source is not None else None,
            "reason": p.get("reason") or "",
            "failures": source.consecutive_failures if source is not None else None,
            "last_ok": views.local_time(source.last_ok_at, ctx.tz) if source is not None else "",
            "since": views.local_time(source.unhealthy_since, ctx.tz)
            if source is not None
            else "",
            "sources_url": f"{ctx.settings.web.base_url.rstrip('/')}/sources",
        },
    )


def _account_locked(ctx: Ctx) -> Parts:
    p = ctx.payload
    username = str(p.get("username", ""))
    return Parts(
        subject=f"【账号锁定】{username} 多次密码错误",
        template="account_locked",
        context={
            "username": username,
            "display_name": str(p.get("display_name", "")),
            "ip": str(p.get("ip", "")),
            "failures": p.get("failures"),
            "minutes": p.get("minutes"),
            "at": views.local_time(ctx.row.created_at, ctx.tz),
        },
    )


def _digest_incomplete(ctx: Ctx) -> Parts:
    p = ctx.payload
    return Parts(
        subject=f"【周报附件缺失】{p.get('week', '')} 督办通报已发送，附件未能生成",
        template="digest_incomplete",
        context={
            "week": str(p.get("week", "")),
            "attachment": str(p.get("attachment", "")),
            "error": str(p.get("error", ""))[:300],
        },
    )


def _digest(ctx: Ctx) -> Parts:
    week = str(ctx.payload.get("week", ""))
    if not week:
        raise PermanentError("a digest notification needs payload.week")
    # here, not at the top: the digest draws its chart with matplotlib, slow to import, and
    # most senders never send a digest
    from yuqing.digest.render import build_digest_email

    digest = build_digest_email(ctx.settings, ctx.session, week)
    if digest.missing:
        # the digest goes out without the files that failed; the duty officers are told which
        for filename, error in digest.missing:
            notify(ctx.session, OutboxKind.DIGEST_INCOMPLETE,
                   f"digest_incomplete:{week}:{filename}", ctx.now,
                   payload={"week": week, "attachment": filename, "error": error})
        ctx.session.commit()
    return Parts(
        subject=digest.subject,
        template="",
        context={"html": digest.html, "text": digest.text},
        inline_images=tuple((str(c), bytes(b), str(t)) for c, b, t in digest.inline_images),
        attachments=tuple(
            (str(n), str(m), str(t), bytes(b)) for n, m, t, b in digest.attachments
        ),
    )


def _morning(ctx: Ctx) -> Parts:
    from yuqing.notify.morning import brief

    b = brief(ctx.settings, ctx.session, ctx.now)
    counts = f"重大 {len(b.majors)} 起，今日到期 {len(b.due_today) + b.more_due} 项"
    return Parts(
        subject=f"【值班早报】{b.day}：{counts}" + ("，有系统提醒" if b.warnings else ""),
        template="morning_brief",
        context={"b": b, "dashboard": ctx.settings.web.base_url.rstrip("/") + "/"},
    )


BUILDERS: dict[OutboxKind, Callable[[Ctx], Parts]] = {
    OutboxKind.ASSIGNMENT: _assignment,
    OutboxKind.WARNING: _warning,
    OutboxKind.BREACH: _breach,
    OutboxKind.REMINDER: _breach,
    OutboxKind.RETURN_DECISION: _decision,
    OutboxKind.EXTENSION_DECISION: _decision,
    OutboxKind.REASSIGNMENT: _reassignment,
    OutboxKind.NEW_MAJOR_EVENT: _new_major,
    OutboxKind.SOURCE_UNHEALTHY: _source_unhealthy,
    OutboxKind.DIGEST: _digest,
    OutboxKind.ACCOUNT_LOCKED: _account_locked,
    OutboxKind.DIGEST_INCOMPLETE: _digest_incomplete,
    OutboxKind.MORNING_BRIEF: _morning,
}


def _common(settings: Settings, now: datetime, kind: str) -> dict[str, Any]:
    j = settings.jurisdiction
    return {
        "kind": kind,
        "jurisdiction": j.full_name or j.name,
        "sender_name": f"{j.name}舆情监测",
        "duty": j.duty_contacts,
        "reply_to": reply_to(settings),
        "now": views.local_time(now, ZoneInfo(settings.timezone)),
        "tz": ZoneInfo(settings.timezone),
    }


# Crawled text must not turn into markdown links, HTML tags or headings in a group chat.
_CHAT_ESCAPES = str.maketrans("<>[]()*_`#", "＜＞［］（）＊＿＇＃")


def chat_safe(text: str) -> str:
    return " ".join(str(text).split()).translate(_CHAT_ESCAPES)


def reply_to(settings: Settings) -> str:
    return settings.mail.reply_to or settings.jurisdiction.duty_contacts[0].email


def compose(settings: Settings, session: Session, row: models.Outbox, now: datetime) -> Notice:
    try:
        kind = OutboxKind(row.kind)
    except ValueError:
        raise PermanentError(f"unknown notification kind {row.kind!r}") from None
    to, cc = recipients.to_and_cc(
        settings,
        session,
        kind.value,
        row.unit_id,
        [str(r) for r in row.recipients or [] if not str(r).startswith("robot:")],
        [str(c) for c in row.cc or []],
        dict(row.payload or {}),
    )
    ctx = Ctx(settings, session, row, now, tuple(cc))
    parts = BUILDERS[kind](ctx)
    if parts.template:
        context = _common(settings, now, kind.value) | parts.context | {"subject": parts.subject}
        name = f"{TEMPLATES}/{parts.template}"
        html = html_environment().get_template(f"{name}.html").render(context)
        text = text_environment().get_template(f"{name}.txt").render(context)
    else:
        html, text = parts.context["html"], parts.context["text"]
    chat_md = ""
    if parts.chat_title:
        chat_md = text_environment().get_template(f"{TEMPLATES}/chat.txt").render(
            title=chat_safe(parts.chat_title),
            lines=[(chat_safe(k), chat_safe(v)) for k, v in parts.chat_lines],
            link=parts.chat_link,
            jurisdiction=settings.jurisdiction.name,
        )
    return Notice(
        kind=kind.value,
        subject=" ".join(parts.subject.split()),
        to=tuple(to),
        cc=tuple(cc),
        html=html,
        text=text,
        # kinds without a chat form never reach a robot; the subject alone if one ever does
        chat=ChatNotice(parts.chat_title or parts.subject, chat_md or f"### {chat_safe(parts.subject)}"),
        inline_images=parts.inline_images,
        attachments=parts.attachments,
    )
