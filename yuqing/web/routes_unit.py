"""A responsible unit's pages: its own cases only, by login or by the signed email link.

Every lookup goes through (event id, the unit's id): an id changed in a URL or a form finds
nothing outside the unit's own assignments, and the answer is the same 404 whether the case
exists or not.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from classifier.masking import mask_pii
from response_sla.policy import Policy
from storage import models
from storage.enums import AssignmentState, EventState, Role
from yuqing.cases.clocks import pending_extensions
from yuqing.cases.events import current_event
from yuqing.signed_links import LinkScope, link_expired, verify_token
from yuqing.web import actions
from yuqing.web.actions import ActionError, Actor
from yuqing.web.common import (
    WebState,
    checked_form,
    client_ip,
    flash,
    form_int,
    form_str,
    render,
    require,
    see_other,
    state,
)
from yuqing.web.deadlines import any_provisional, views
from yuqing.web.security import CSRF_FIELD, token_id

UNIT_ACTIONS = ("ack", "respond", "extension", "return")
NOT_FOUND = "案件不存在或不属于本单位"


def routes() -> list[BaseRoute]:
    return [
        Route("/unit", unit_home, methods=["GET"]),
        Route("/unit/events/{event_id:int}", unit_case, methods=["GET"]),
        Route("/unit/events/{event_id:int}/{action:str}", unit_case_action, methods=["POST"]),
        Route("/u/{token:str}", link_case, methods=["GET"]),
        Route("/u/{token:str}/{action:str}", link_case_action, methods=["POST"]),
    ]


def own_assignment(session: Session, event_id: int, unit_id: str) -> models.Assignment:
    """The unit's active assignment for the event — for an event merged into another, the
    unit's case there, where its assignment went with the merge."""
    event = current_event(session, event_id)
    if event is None:
        raise HTTPException(404, NOT_FOUND)
    a = session.scalar(
        select(models.Assignment)
        .where(
            models.Assignment.event_id == event.id,
            models.Assignment.unit_id == unit_id,
            models.Assignment.active.is_(True),
        )
        .order_by(models.Assignment.id.desc())
        .limit(1)
    )
    if a is None:
        raise HTTPException(404, NOT_FOUND)
    return a


def unit_home(request: Request) -> Response:
    web = state(request)
    with web.sessions() as session:
        user = require(request, session, (Role.UNIT,))
        if not user.unit_id:
            raise HTTPException(403, "账号未关联单位")
        rows = session.execute(
            select(models.Assignment, models.Event)
            .join(models.Event, models.Event.id == models.Assignment.event_id)
            .where(models.Assignment.unit_id == user.unit_id, models.Assignment.active.is_(True))
            .order_by(models.Event.next_deadline_at, models.Assignment.id)
            .limit(500)
        ).all()
        unit = session.get(models.Unit, user.unit_id)
        cases = [{"assignment": a, "event": e, "title": mask_pii(e.title)} for a, e in rows]
    return render(request, "unit_home.html", {"cases": cases, "unit": unit}, user=user)


def case_context(session: Session, a: models.Assignment, policy: Policy) -> dict[str, Any]:
    event = session.get(models.Event, a.event_id)
    assert event is not None
    posts = session.scalars(
        select(models.Post)
        .where(models.Post.event_id == event.id)
        .order_by(models.Post.published_at, models.Post.id)
        .limit(50)
    ).all()
    # the event's own windows, and this unit's: never another unit's 签收
    deadlines = views(
        session.scalars(
            select(models.Deadline)
            .where(
                models.Deadline.event_id == event.id,
                models.Deadline.assignment_id.is_(None) | (models.Deadline.assignment_id == a.id),
            )
            .order_by(models.Deadline.deadline_at, models.Deadline.id)
        ),
        policy,
        event.handling,
    )
    requested = {
        r.entity_id for r in pending_extensions(session, event.id) if r.unit_id == a.unit_id
    }
    return {
        "assignment": a,
        "event": event,
        "title": mask_pii(event.title),
        "posts": [
            {
                "url": p.url,
                "title": mask_pii(p.title),
                "content": mask_pii(p.content),
                "published_at": p.published_at or p.first_seen_at,
            }
            for p in posts
        ],
        "deadlines": deadlines,
        "provisional": any_provisional(deadlines),
        "milestones": actions.unit_milestones(a, deadlines, policy),
        "extension_pending": requested,
        "unit": session.get(models.Unit, a.unit_id),
    }


def _render_case(
    request: Request, web: WebState, session: Session, a: models.Assignment, base: str, user: Any
) -> Response:
    ctx = case_context(session, a, web.sla.policy)
    ctx["action_base"] = base
    return render(request, "unit_case.html", ctx, user=user)


def unit_case(request: Request) -> Response:
    web = state(request)
    with web.sessions() as session:
        user = require(request, session, (Role.UNIT,))
        a = own_assignment(session, request.path_params["event_id"], user.unit_id or "")
        return _render_case(request, web, session, a, f"/unit/events/{a.event_id}", user)


SIGNED_GRAIN = timedelta(seconds=1)  # a link's signing time is kept in whole seconds


class LinkEnded(Exception):
    """A genuine link that no longer opens the case; ``why`` says what happened."""

    def __init__(self, why: str, detail: str = "") -> None:
        super().__init__(why)
        self.why = why
        self.detail = detail


LINK_ENDED = {
    "expired": ("链接已过期", "为安全起见，邮件中的办理链接只在发出后的有限天数内有效。"),
    "reassigned": (
        "案件已改派",
        "此案件已改派给其他单位或已不再由本单位承办，原邮件链接随之失效；"
        "即使案件日后再次交给本单位，也会发送新的链接。",
    ),
    "closed": ("案件已办结", "此案件已经办结或已停止办理，链接不再用于办理。"),
    "used": ("链接已使用", "此链接已用于办结或退单，每个链接只能提交一次办结或退单。"),
}


def _scope(web: WebState, token: str) -> LinkScope:
    max_age = timedelta(days=web.settings.web.signed_link_days)
    scope = verify_token(web.secret_key, token, web.clock(), max_age)
    if scope is None:
        if link_expired(web.secret_key, token, web.clock(), max_age):
            raise LinkEnded("expired")
        raise HTTPException(404, "链接无效或已过期，请登录系统处理")
    return scope


def link_assignment(session: Session, scope: LinkScope, token: str) -> models.Assignment:
    """The one assignment a link is bound to, while the unit holds it. A merge that carried the
    assignment to another event keeps the link working there; a reassignment away ends it, and
    a later assignment of the same case to the same unit does not revive it."""
    used = session.get(models.LinkUse, token_id(token))
    if used is not None:
        raise LinkEnded("used", used.action)
    a = _bound(session, scope)
    if a is None:
        raise HTTPException(404, NOT_FOUND)
    event = session.get(models.Event, a.event_id)
    if a.active:
        if event is not None and event.state in (EventState.CLOSED, EventState.NOT_RELEVANT):
            raise LinkEnded("closed")
        return a
    if event is not None and event.merged_into_id is not None and a.released_at is not None:
        # folded into the same unit's assignment on the event it was merged into
        target = current_event(session, event.id)
        kept = None
        if target is not None:
            kept = session.scalar(
                select(models.Assignment)
                .where(
                    models.Assignment.event_id == target.id,
                    models.Assignment.unit_id == a.unit_id,
                    models.Assignment.active.is_(True),
                    models.Assignment.assigned_at <= a.released_at,
                )
                .order_by(models.Assignment.id)
                .limit(1)
            )
        if kept is not None:
            return kept
    if a.state is AssignmentState.REASSIGNED or event is None or event.state in (
        EventState.OPEN, EventState.RESPONDED, EventState.MERGED
    ):
        raise LinkEnded("reassigned")
    raise LinkEnded("closed")


def _bound(session: Session, scope: LinkScope) -> models.Assignment | None:
    A = models.Assignment
    if scope.assignment_id is not None:
        a = session.get(A, scope.assignment_id)
        if a is None or a.unit_id != scope.unit_id or a.event_id != scope.event_id and not (
            _carried(session, a, scope.event_id)
        ):
            return None
        return a
    # a link sent before links named their assignment: the one the unit held when it was sent
    signed = scope.signed_at
    if signed is None:
        return None
    return session.scalar(
        select(A)
        .where(
            A.event_id == scope.event_id,
            A.unit_id == scope.unit_id,
            A.assigned_at < signed + SIGNED_GRAIN,
            (A.released_at.is_(None)) | (A.released_at > signed),
        )
        .order_by(A.id.desc())
        .limit(1)
    ) or _carried_legacy(session, scope)


def _carried(session: Session, a: models.Assignment, event_id: int) -> bool:
    """``a`` moved by a merge from ``event_id`` to the event it now belongs to."""
    event = current_event(session, event_id)
    return event is not None and event.id == a.event_id


def _carried_legacy(session: Session, scope: LinkScope) -> models.Assignment | None:
    event = current_event(session, scope.event_id)
    if event is None or event.id == scope.event_id or scope.signed_at is None:
        return None
    A = models.Assignment
    return session.scalar(
        select(A)
        .where(
            A.event_id == event.id,
            A.unit_id == scope.unit_id,
            A.assigned_at < scope.signed_at + SIGNED_GRAIN,
        )
        .order_by(A.id.desc())
        .limit(1)
    )


def link_ended_page(request: Request, exc: LinkEnded) -> Response:
    """The Chinese page a link shows once it no longer opens the case: what happened and whom
    to call."""
    web = state(request)
    heading, explanation = LINK_ENDED.get(exc.why, LINK_ENDED["expired"])
    return render(
        request,
        "link_ended.html",
        {
            "heading": heading,
            "explanation": explanation,
            "why": exc.why,
            "contacts": web.settings.jurisdiction.duty_contacts,
        },
        status_code=410,
    )


def link_case(request: Request) -> Response:
    web = state(request)
    token = request.path_params["token"]
    try:
        scope = _scope(web, token)
        with web.sessions() as session:
            a = link_assignment(session, scope, token)
            return _render_case(request, web, session, a, f"/u/{token}", None)
    except LinkEnded as exc:
        return link_ended_page(request, exc)


def _parse_until(value: str, tz: Any) -> datetime:
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError as exc:
        raise ActionError("请填写申请延至的时间") from exc
    return parsed.replace(tzinfo=tz) if parsed.tzinfo is None else parsed


def _apply(
    session: Session, actor: Actor, a: models.Assignment, action: str, form: FormData, web: WebState
) -> str:
    now = web.clock()
    if action == "ack":
        actions.acknowledge(session, actor, a, now, web.sla)
        return "已签收"
    if action == "respond":
        resolved = form_str(form, "resolved", 8) == "1"
        actions.respond(
            session,
            actor,
            a,
            form_str(form, "text"),
            form_str(form, "url", 2000),
            now,
            web.sla,
            milestone=form_str(form, "milestone", 16) or "respond",
            resolved=resolved,
        )
        return "办结情况已提交" if resolved else "回应已提交"
    if action == "extension":
        until = _parse_until(form_str(form, "until", 40), web.tz)
        actions.request_extension(
            session,
            actor,
            a,
            form_int(form, "deadline_id") or 0,
            until,
            form_str(form, "reason"),
            now,
            web.sla,
        )
        return "延期申请已提交，等待值班员裁定"
    if action == "return":
        actions.return_case(session, actor, a, form_str(form, "reason"), now, web.sla)
        return "退单已提交，等待值班员裁定"
    raise HTTPException(404, "未知操作")


def _apply_and_commit(
    session: Session, actor: Actor, a: models.Assignment, action: str, form: FormData, web: WebState
) -> tuple[str, str]:
    """The action applied and committed: the flash message and its kind; an action refused
    leaves nothing behind."""
    try:
        message = _apply(session, actor, a, action, form, web)
    except ActionError as exc:
        session.rollback()
        return f"操作未完成：{exc}", "error"
    session.commit()
    return message, "ok"


async def _act(
    request: Request, resolve: Callable[[Session], tuple[Actor, models.Assignment]], back: str
) -> Response:
    action = request.path_params["action"]
    if action not in UNIT_ACTIONS:
        raise HTTPException(404, "未知操作")
    form = await checked_form(request)
    web = state(request)

    def work() -> tuple[str, str]:
        with web.sessions() as session:
            actor, a = resolve(session)
            return _apply_and_commit(session, actor, a, action, form, web)

    message, kind = await run_in_threadpool(work)
    flash(request, message, kind)
    return see_other(back)


async def unit_case_action(request: Request) -> Response:
    event_id: int = request.path_params["event_id"]

    def resolve(session: Session) -> tuple[Actor, models.Assignment]:
        user = require(request, session, (Role.UNIT,))
        return user.actor(request), own_assignment(session, event_id, user.unit_id or "")

    return await _act(request, resolve, f"/unit/events/{event_id}")


CONFIRM = {"return": "退单", "close": "办结"}


def _spends(action: str, form: FormData) -> str | None:
    """The closing kind of an action that spends a link: 退单, or a response that reports 办结."""
    if action == "return":
        return "return"
    if action == "respond" and form_str(form, "resolved", 8) == "1":
        return "close"
    return None


async def link_case_action(request: Request) -> Response:
    """An action through a signed link. Closing or returning the case is asked once more on a
    confirmation page, and spends the link: a second submission finds it used."""
    token: str = request.path_params["token"]
    action = request.path_params["action"]
    web = state(request)
    try:
        scope = _scope(web, token)
    except LinkEnded as exc:
        return link_ended_page(request, exc)
    if action not in UNIT_ACTIONS:
        raise HTTPException(404, "未知操作")
    form = await checked_form(request)
    spends = _spends(action, form)
    ip = client_ip(request)

    def work() -> tuple[str, str] | Response:
        with web.sessions() as session:
            try:
                a = link_assignment(session, scope, token)
            except LinkEnded as exc:
                return link_ended_page(request, exc)
            if spends and form_str(form, "confirm", 8) != "1":
                fields = [(k, v) for k, v in form.multi_items()
                          if isinstance(v, str) and k not in (CSRF_FIELD, "confirm")]
                event = session.get(models.Event, a.event_id)
                return render(request, "link_confirm.html", {
                    "what": CONFIRM[spends],
                    "action_url": f"/u/{token}/{action}",
                    "back": f"/u/{token}",
                    "fields": fields,
                    "title": mask_pii(event.title) if event is not None else "",
                })
            actor = Actor(
                label=f"unit:{scope.unit_id}", role=Role.UNIT, unit_id=scope.unit_id, ip=ip
            )
            if spends:
                session.add(models.LinkUse(
                    token_id=token_id(token), assignment_id=a.id, action=spends,
                    used_at=web.clock(), ip=ip,
                ))
                try:
                    session.flush()
                except IntegrityError:
                    session.rollback()
                    return link_ended_page(request, LinkEnded("used", spends))
            return _apply_and_commit(session, actor, a, action, form, web)

    outcome = await run_in_threadpool(work)
    if isinstance(outcome, Response):
        return outcome
    message, kind = outcome
    if spends and kind == "ok":
        return render(request, "link_ended.html", {
            "heading": f"{CONFIRM[spends]}已提交",
            "explanation": f"{message}。此链接已用于{CONFIRM[spends]}，不能再次提交。",
            "why": "done",
            "contacts": web.settings.jurisdiction.duty_contacts,
        })
    flash(request, message, kind)
    return see_other(f"/u/{token}")
