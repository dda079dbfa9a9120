"""The duty officer's pages: the priority queue, the event page and its actions.
Leadership reads the same pages without the action forms."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from classifier.masking import mask_pii
from domain.vocabulary import (
    HANDLING_TYPES,
    RUMOUR_FLAG,
    RUMOUR_LABELS,
    SEVERITY_ORDER,
    TOPICS,
    handling_label,
)
from response_sla.policy import Policy
from storage import models
from storage.enums import DeadlineState, EventState, Role
from yuqing.cases.clocks import MILESTONES, pending_extensions
from yuqing.cases.labels import REVIEW_KINDS, current_label
from yuqing.display import reason_text
from yuqing.notify.views import reason_text as routing_reason
from yuqing.web import actions
from yuqing.web.actions import ActionError, Actor
from yuqing.web.common import (
    READERS,
    STAFF,
    CurrentUser,
    WebState,
    checked_form,
    flash,
    form_int,
    form_str,
    read_only,
    render,
    require,
    see_other,
    state,
)
from yuqing.web.deadlines import (
    any_provisional,
    kind_label,
    kind_labels,
    statutory_kinds,
    views,
)
from yuqing.web.evidence import LabelLine, label_line, rumour_text
from yuqing.web.export import EXPORT_MAX, queue_xlsx
from yuqing.web.queue import (
    QueueFilters,
    QueueLine,
    QueuePage,
    fetch_queue,
    present,
    with_statutory,
)
from yuqing.web.timeline import Names, referenced_events
from yuqing.web.timeline import lines as timeline_lines
from yuqing.web.verification import post_figures, verification_view

POSTS_SHOWN = 200
LOG_SHOWN = 500


def routes() -> list[BaseRoute]:
    return [
        Route("/", queue_page, methods=["GET"]),
        Route("/queue/rows", queue_rows, methods=["GET"]),
        Route("/queue.xlsx", queue_export, methods=["GET"]),
        Route("/events/{event_id:int}", event_page, methods=["GET"]),
        Route("/events/{event_id:int}/{action:str}", event_action, methods=["POST"]),
    ]


def _choices(session: Session) -> dict[str, Any]:
    return {
        "units": session.execute(
            select(models.Unit.id, models.Unit.name)
            .where(models.Unit.active.is_(True))
            .order_by(models.Unit.kind, models.Unit.id)
        ).all(),
        "sources": session.execute(
            select(models.Source.id, models.Source.name).order_by(models.Source.id)
        ).all(),
        "topics": TOPICS,
        "severities": SEVERITY_ORDER,
        "states": list(EventState),
    }


CHOICES_TTL_S = 30.0
_choices_cache: dict[int, tuple[float, dict[str, Any]]] = {}


def _cached_choices(web: WebState, session: Session) -> dict[str, Any]:
    """The filter lists change only when the directory is synced: read them twice a minute,
    not on every page view of every open queue."""
    key = id(web)
    hit = _choices_cache.get(key)
    if hit is not None and time.monotonic() - hit[0] < CHOICES_TTL_S:
        return hit[1]
    value = _choices(session)
    _choices_cache[key] = (time.monotonic(), value)
    return value


# The queue and its polled fragment run on the event loop, not in a worker thread: their
# database work is two or three indexed reads bounded by the page size (about a millisecond),
# and every open queue polls every few seconds. Handing each poll to a thread and back costs
# more than the work (interpreter-lock hand-offs): measured at 20 concurrent clients on
# 100,000 open events, the queue served 40-60% more pages per second this way. Anything
# slower or that writes (event page, actions, reports) stays in the worker threads.


async def queue_page(request: Request) -> Response:
    return _queue_page(request)


async def queue_rows(request: Request) -> Response:
    return _queue_rows(request)


def _queue_page(request: Request) -> Response:
    web = state(request)
    with read_only(web) as session:
        user = require(request, session, (*READERS, Role.UNIT))
        if user.role is Role.UNIT:
            return see_other("/unit")
        # a reader shown masked personal data searches the masked text, never the raw
        f = replace(QueueFilters.from_params(request.query_params), masked=not user.is_staff)
        page = with_statutory(session, fetch_queue(session, f, web.tz), _statutory(web))
        lines = _lines(web, page, user)
        ctx = {
            "filters": f,
            "page": page,
            "lines": lines,
            "rows_html": web.rows.html(lines),
            "provisional": any(line.provisional for line in lines),
            "calendar_warnings": web.calendar_warnings() if user.role is Role.ADMIN else [],
            **_cached_choices(web, session),
        }
    return render(request, "queue.html", ctx, user=user)


def _queue_rows(request: Request) -> Response:
    """The rows alone, polled by the open queue page so new events appear without a reload."""
    web = state(request)
    with read_only(web) as session:
        user = require(request, session, READERS)
        # a reader shown masked personal data searches the masked text, never the raw
        f = replace(QueueFilters.from_params(request.query_params), masked=not user.is_staff)
        page = with_statutory(session, fetch_queue(session, f, web.tz), _statutory(web))
    lines = _lines(web, page, user)
    return render(
        request, "_queue_rows.html", {"lines": lines, "rows_html": web.rows.html(lines)}, user=user
    )


def queue_export(request: Request) -> Response:
    """What the queue shows with the same filters, every page of it, as XLSX."""
    web = state(request)
    with read_only(web) as session:
        user = require(request, session, READERS)
        f = replace(QueueFilters.from_params(request.query_params), page=1, masked=not user.is_staff)
        page = fetch_queue(session, f, web.tz, page_size=EXPORT_MAX)
        page = with_statutory(session, page, _statutory(web))
    now = web.clock()
    data = queue_xlsx(
        page.rows,
        now,
        web.tz,
        _labels(web),
        masked=not user.is_staff,
        partial=page.has_more,
        title=f"{web.settings.jurisdiction.name}舆情队列",
    )
    name = f"舆情队列-{now.astimezone(web.tz):%Y%m%d-%H%M}.xlsx"
    return Response(
        data,
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"},
    )


def _lines(web: WebState, page: QueuePage, user: CurrentUser) -> list[QueueLine]:
    # people outside the office read the queue with personal data masked
    return present(page.rows, web.clock(), web.tz, masked=not user.is_staff, labels=_labels(web))


_labels_cache: dict[int, dict[str, str]] = {}
_statutory_cache: dict[int, frozenset[str]] = {}


def _statutory(web: WebState) -> frozenset[str]:
    """The policy's statutory windows of a major (shown on its queue row)."""
    key = id(web.sla.policy)
    if key not in _statutory_cache:
        _statutory_cache[key] = statutory_kinds(web.sla.policy)
    return _statutory_cache[key]


def _labels(web: WebState) -> dict[str, str]:
    """Each deadline kind's label, from the policy the app was started with."""
    key = id(web.sla.policy)
    if key not in _labels_cache:
        _labels_cache[key] = kind_labels(web.sla.policy)
    return _labels_cache[key]


def _event_or_404(session: Session, event_id: int) -> models.Event:
    event = session.get(models.Event, event_id)
    if event is None:
        raise HTTPException(404, "事件不存在")
    return event


def event_context(
    session: Session, event: models.Event, raw: bool, policy: Policy, tz: str = "Asia/Shanghai"
) -> dict[str, Any]:
    posts = list(
        session.scalars(
            select(models.Post)
            .where(models.Post.event_id == event.id)
            .order_by(models.Post.published_at, models.Post.id)
            .limit(POSTS_SHOWN)
        )
    )
    post_ids = [p.id for p in posts]
    labels = list(
        session.scalars(
            select(models.Classification)
            .where(
                (models.Classification.event_id == event.id)
                | (models.Classification.post_id.in_(post_ids))
            )
            .order_by(models.Classification.created_at, models.Classification.id)
        )
    )
    unit_names = dict(session.execute(select(models.Unit.id, models.Unit.name)).tuples().all())
    assignments = list(
        session.scalars(
            select(models.Assignment)
            .where(models.Assignment.event_id == event.id)
            .order_by(models.Assignment.active.desc(), models.Assignment.id)
        )
    )
    deadlines = views(
        session.scalars(
            select(models.Deadline)
            .where(models.Deadline.event_id == event.id)
            .order_by(models.Deadline.deadline_at, models.Deadline.id)
        ),
        policy,
        event.handling,
    )
    timeline = list(
        session.scalars(
            select(models.EventLog)
            .where(models.EventLog.event_id == event.id)
            .order_by(models.EventLog.at, models.EventLog.id)
            .limit(LOG_SHOWN)
        )
    )
    users = {
        uid: display or name
        for uid, name, display in session.execute(
            select(models.User.id, models.User.username, models.User.display_name)
        ).tuples()
    }
    sources = dict(session.execute(select(models.Source.id, models.Source.name)).tuples().all())
    figures = post_figures(labels)
    post_labels: dict[int, list[LabelLine]] = {}
    for c in labels:
        if c.event_id is None and c.post_id is not None:
            post_labels.setdefault(c.post_id, []).append(label_line(c, users))
    shown = [
        {
            "id": p.id,
            "source": sources.get(p.source_id) or p.source_id,
            "labels": post_labels.get(p.id, []),
            "url": p.url,
            "title": p.title if raw else mask_pii(p.title),
            "content": p.content if raw else mask_pii(p.content),
            "author": (p.author if raw else mask_pii(p.author or "")) or "",
            "published_at": p.published_at,
            "first_seen_at": p.first_seen_at,
            "board_state": p.board_state,
            "board_unit": p.board_unit,
            "reply_content": (p.reply_content if raw else mask_pii(p.reply_content or "")) or "",
            "reply_org": p.reply_org,
            "reply_at": p.reply_at,
            "figures": figures.get(p.id, ""),
        }
        for p in posts
    ]
    # the figures the latest post tells, when a later post changed them (a follow-up)
    latest = next((p for p in reversed(shown) if p["figures"]), None)
    first = next((p for p in shown if p["figures"]), None)
    kinds = {name: kind_label(policy, name, event.handling, exact=True) for name in policy.kinds}
    referenced = referenced_events(timeline) | {event.merged_into_id or event.id}
    event_titles = {
        eid: title if raw else mask_pii(title)
        for eid, title in session.execute(
            select(models.Event.id, models.Event.title).where(models.Event.id.in_(referenced))
        ).tuples()
    }
    names = Names(
        units=unit_names,
        users=users,
        sources=sources,
        posts={p.id: p.title if raw else mask_pii(p.title) for p in posts},
        kinds=kinds,
        events=event_titles,
        this_event=event.id,
    )
    merged_into = session.get(models.Event, event.merged_into_id) if event.merged_into_id else None
    return {
        "event": event,
        "title": event.title if raw else mask_pii(event.title),
        "summary": event.summary if raw else mask_pii(event.summary),
        "posts": shown,
        "labels": [label_line(c, users) for c in labels if c.event_id == event.id],
        "assignments": assignments,
        "deadlines": deadlines,
        "provisional": any_provisional(deadlines),
        "statutory": [
            d
            for d in deadlines
            if d.kind in statutory_kinds(policy)
            and d.assignment_id is None
            and d.state is not DeadlineState.CANCELLED
        ],
        "kind_labels": kinds,
        "rumour": current_label(session, event, "rumour"),
        "rumour_text": rumour_text(current_label(session, event, "rumour")),
        "merged_into": merged_into,
        "merged_title": (merged_into.title if raw else mask_pii(merged_into.title))
        if merged_into
        else "",
        "rumour_flag": RUMOUR_FLAG,
        "rumour_labels": RUMOUR_LABELS,
        "timeline": timeline_lines(timeline, names, ZoneInfo(tz)),
        "event_titles": event_titles,
        "routing_reasons": {
            a.id: [
                reason_text(r, names.posts, event_titles, event.id)
                if isinstance(r, str)
                else routing_reason(r)
                for r in a.reasons or []
            ]
            for a in assignments
        },
        "unit_names": unit_names,
        "user_names": users,
        "pending_extensions": pending_extensions(session, event.id),
        "handling_labels": HANDLING_TYPES,
        "handling_shown": handling_label(event.handling, event.severity),
        "milestones": MILESTONES,
        "raw": raw,
        "verification": verification_view(session, event),
        "latest_figures": latest if latest is not None and latest is not first else None,
    }


def event_page(request: Request) -> Response:
    web = state(request)
    with web.sessions() as session:
        user = require(request, session, READERS)
        event = _event_or_404(session, request.path_params["event_id"])
        ctx = event_context(
            session, event, raw=user.is_staff, policy=web.sla.policy, tz=web.settings.timezone
        )
        ctx.update(_choices(session))
        # the holiday calendar is an administrator's task: an event shows the warning only
        # where one of its own deadlines is provisional
        ctx["calendar_warnings"] = web.calendar_warnings() if ctx["provisional"] else []
    return render(request, "event.html", ctx, user=user)


# ---------------------------------------------------------------- actions


def _local_time(value: str, web_tz: Any, now: datetime) -> datetime:
    """A ``datetime-local`` input (Asia/Shanghai wall time), or now when left empty."""
    if not value.strip():
        return now
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError as exc:
        raise ActionError("时间格式不正确") from exc
    return parsed.replace(tzinfo=web_tz) if parsed.tzinfo is None else parsed


Handler = Callable[[Session, Actor, models.Event, FormData, datetime, WebState], str]


def _review(s: Session, a: Actor, e: models.Event, f: FormData, now: datetime, w: WebState) -> str:
    kind = form_str(f, "kind", 32)
    label = form_str(f, "label", 64)
    if form_str(f, "decision", 16) == "confirm" and kind in REVIEW_KINDS:
        label = current_label(s, e, kind) or ""
    row = actions.review_label(s, a, e, kind, label, form_str(f, "note"), now, w.sla)
    return "已确认" if row.status.value == "confirmed" else "已更正"


def _not_relevant(
    s: Session, a: Actor, e: models.Event, f: FormData, now: datetime, w: WebState
) -> str:
    actions.mark_not_relevant(s, a, e, form_str(f, "reason"), now, w.sla)
    return "已标记为不相关"


def _reassign(
    s: Session, a: Actor, e: models.Event, f: FormData, now: datetime, w: WebState
) -> str:
    co = [v for v in f.getlist("co") if isinstance(v, str)]
    actions.reassign(s, a, e, form_str(f, "lead", 64), co, form_str(f, "reason"), now, w.sla)
    return "分派已更新"


def _assignment_of(s: Session, e: models.Event, f: FormData) -> models.Assignment:
    a = s.get(models.Assignment, form_int(f, "assignment_id") or 0)
    if a is None or a.event_id != e.id:
        raise HTTPException(404, "分派不存在")
    return a


def _return_ruling(
    s: Session, a: Actor, e: models.Event, f: FormData, now: datetime, w: WebState
) -> str:
    assignment = _assignment_of(s, e, f)
    approve = form_str(f, "decision", 16) == "approve"
    actions.rule_on_return(
        s,
        a,
        assignment,
        approve,
        form_str(f, "new_unit", 64) or None,
        form_str(f, "reason"),
        now,
        w.sla,
    )
    return "已同意退单" if approve else "已驳回退单"


def _extension_ruling(
    s: Session, a: Actor, e: models.Event, f: FormData, now: datetime, w: WebState
) -> str:
    approve = form_str(f, "decision", 16) == "approve"
    actions.rule_on_extension(
        s, a, e, form_int(f, "request_id") or 0, approve, form_str(f, "reason"), now, w.sla
    )
    return "已批准延期" if approve else "已驳回延期"


def _milestone(
    s: Session, a: Actor, e: models.Event, f: FormData, now: datetime, w: WebState
) -> str:
    at = _local_time(form_str(f, "at", 40), w.tz, now)
    closed = actions.record_milestone(
        s,
        a,
        e,
        form_str(f, "kind", 16),
        form_str(f, "url", 2000),
        at,
        form_str(f, "note"),
        now,
        w.sla,
    )
    return (
        f"节点已记录，{len(closed)} 项时限已完成"
        if closed
        else "节点已记录（没有待完成的相应时限）"
    )


def _reopen(s: Session, a: Actor, e: models.Event, f: FormData, now: datetime, w: WebState) -> str:
    opened = actions.reopen(s, a, e, form_str(f, "reason"), now, w.sla)
    return f"已重办，新开 {len(opened)} 项时限"


def _merge(s: Session, a: Actor, e: models.Event, f: FormData, now: datetime, w: WebState) -> str:
    target = s.get(models.Event, form_int(f, "into") or 0)
    if target is None:
        raise ActionError("目标事件不存在")
    actions.merge_events(s, a, e, target, form_str(f, "reason"), now, w.sla)
    return f"已合并到“{target.title}”"


def _split(s: Session, a: Actor, e: models.Event, f: FormData, now: datetime, w: WebState) -> str:
    ids = [int(v) for v in f.getlist("post") if isinstance(v, str) and v.isdigit()]
    new = actions.split_event(s, a, e, ids, form_str(f, "title", 500), now, w.sla)
    return f"已拆分为新事件“{new.title}”"


def _verify_confirm(
    s: Session, a: Actor, e: models.Event, f: FormData, now: datetime, w: WebState
) -> str:
    grade = actions.confirm_verification(s, a, e, form_str(f, "note"), now, w.sla, w.directory)
    return f"已确认为{grade}舆情，5 小时 / 24 小时时限从首发时间起算"


def _verify_dismiss(
    s: Session, a: Actor, e: models.Event, f: FormData, now: datetime, w: WebState
) -> str:
    actions.dismiss_verification(s, a, e, form_str(f, "reason"), now)
    return f"已排除，按{e.severity.label}处置"


def _note(s: Session, a: Actor, e: models.Event, f: FormData, now: datetime, w: WebState) -> str:
    actions.add_note(s, a, e, form_str(f, "text"), now)
    return "备注已添加"


HANDLERS: dict[str, Handler] = {
    "review": _review,
    "not-relevant": _not_relevant,
    "reassign": _reassign,
    "return-ruling": _return_ruling,
    "extension-ruling": _extension_ruling,
    "milestone": _milestone,
    "reopen": _reopen,
    "merge": _merge,
    "split": _split,
    "note": _note,
    "verify-confirm": _verify_confirm,
    "verify-dismiss": _verify_dismiss,
}


async def event_action(request: Request) -> Response:
    handler = HANDLERS.get(request.path_params["action"])
    if handler is None:
        raise HTTPException(404, "未知操作")
    form = await checked_form(request)
    web = state(request)
    event_id: int = request.path_params["event_id"]

    def work() -> tuple[str, str]:
        with web.sessions() as session:
            user: CurrentUser = require(request, session, STAFF)
            event = _event_or_404(session, event_id)
            try:
                message = handler(session, user.actor(request), event, form, web.clock(), web)
            except ActionError as exc:
                session.rollback()
                return f"操作未完成：{exc}", "error"
            session.commit()
            return message, "ok"

    message, kind = await run_in_threadpool(work)
    flash(request, message, kind)
    return see_other(f"/events/{event_id}")
