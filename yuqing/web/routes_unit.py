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
from storage.enums import Role
from yuqing.cases.clocks import pending_extensions
from yuqing.cases.events import current_event
from yuqing.signed_links import LinkScope, verify_token
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


def _scope(web: WebState, token: str) -> LinkScope:
    scope = verify_token(
        web.secret_key, token, web.clock(), timedelta(days=web.settings.web.signed_link_days)
    )
    if scope is None:
        raise HTTPException(404, "链接无效或已过期，请登录系统处理")
    return scope


def link_case(request: Request) -> Response:
    web = state(request)
    scope = _scope(web, request.path_params["token"])
    with web.sessions() as session:
        a = own_assignment(session, scope.event_id, scope.unit_id)
        return _render_case(request, web, session, a, f"/u/{request.path_params['token']}", None)


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
            try:
                message = _apply(session, actor, a, action, form, web)
            except ActionError as exc:
                session.rollback()
                return f"操作未完成：{exc}", "error"
            session.commit()
            return message, "ok"

    message, kind = await run_in_threadpool(work)
    flash(request, message, kind)
    return see_other(back)


async def unit_case_action(request: Request) -> Response:
    event_id: int = request.path_params["event_id"]

    def resolve(session: Session) -> tuple[Actor, models.Assignment]:
        user = require(request, session, (Role.UNIT,))
        return user.actor(request), own_assignment(session, event_id, user.unit_id or "")

    return await _act(request, resolve, f"/unit/events/{event_id}")


async def link_case_action(request: Request) -> Response:
    token: str = request.path_params["token"]
    scope = _scope(state(request), token)

    def resolve(session: Session) -> tuple[Actor, models.Assignment]:
        actor = Actor(
            label=f"unit:{scope.unit_id}",
            role=Role.UNIT,
            unit_id=scope.unit_id,
            ip=client_ip(request),
        )
        return actor, own_assignment(session, scope.event_id, scope.unit_id)

    return await _act(request, resolve, f"/u/{token}")
