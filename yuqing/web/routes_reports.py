"""Scoreboard, source health and the monitoring endpoint."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, text
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Route

from storage import models
from storage.enums import Role
from yuqing import runtime
from yuqing.display import iso_utc
from yuqing.web import scoreboard
from yuqing.web.common import READERS, render, require, state

RUNS_SHOWN = 10


# the board formats the crawlers read (``[[sources]] spider``), as people know them
SPIDER_LABELS = {
    "people_liuyan": "人民网领导留言板",
    "gov_board": "政府网站留言板",
    "discuz": "论坛",
    "tieba": "百度贴吧",
}


def routes() -> list[BaseRoute]:
    return [
        Route("/scoreboard", scoreboard_page, methods=["GET"]),
        Route("/sources", sources_page, methods=["GET"]),
        Route("/admin", admin_page, methods=["GET"]),
        Route("/favicon.ico", favicon, methods=["GET"]),
        Route("/healthz", healthz, methods=["GET"]),
    ]


def scoreboard_page(request: Request) -> Response:
    web = state(request)
    try:
        weeks = max(1, min(int(request.query_params.get("weeks", "4")), scoreboard.WEEKS))
    except ValueError:
        weeks = 4
    with web.sessions() as session:
        user = require(request, session, READERS)
        scores, starts = scoreboard.compute(session, web.clock(), web.tz, weeks)
    return render(
        request,
        "scoreboard.html",
        {
            "scores": scores,
            "week_starts": starts,
            "weeks": weeks,
            "bar": web.settings.digest.bar,
            "trend_svg": scoreboard.trend_svg,
        },
        user=user,
    )


def source_health(session: Any, now: Any) -> list[dict[str, Any]]:
    out = []
    day_ago = now - timedelta(days=1)
    for src in session.scalars(select(models.Source).order_by(models.Source.id)):
        runs = session.scalars(
            select(models.CrawlRun)
            .where(models.CrawlRun.source_id == src.id)
            .order_by(models.CrawlRun.started_at.desc())
            .limit(RUNS_SHOWN)
        ).all()
        new_24h, runs_24h = session.execute(
            select(func.coalesce(func.sum(models.CrawlRun.items_new), 0), func.count()).where(
                models.CrawlRun.source_id == src.id, models.CrawlRun.started_at >= day_ago
            )
        ).one()
        out.append(
            {
                "source": src,
                "runs": runs,
                "last": runs[0] if runs else None,
                "new_24h": int(new_24h or 0),
                "runs_24h": int(runs_24h or 0),
                "errors_recent": sum(sum(int(v) for v in r.errors.values()) for r in runs),
            }
        )
    return out


def sources_page(request: Request) -> Response:
    web = state(request)
    with web.sessions() as session:
        user = require(request, session, READERS)
        rows = source_health(session, web.clock())
    return render(
        request, "sources.html", {"rows": rows, "spider_labels": SPIDER_LABELS}, user=user
    )


FAVICON = Path(__file__).parent / "static" / "favicon.svg"


async def favicon(request: Request) -> Response:
    """Browsers ask for /favicon.ico whatever the page links: answer with the icon."""
    return FileResponse(
        FAVICON, media_type="image/svg+xml", headers={"Cache-Control": "max-age=86400"}
    )


def admin_page(request: Request) -> Response:
    """What an administrator must put right: a year without its holiday arrangement (its
    deadlines are provisional), sources that stopped answering."""
    web = state(request)
    with web.sessions() as session:
        user = require(request, session, (Role.ADMIN,))
        unhealthy = list(
            session.scalars(
                select(models.Source)
                .where(models.Source.unhealthy.is_(True))
                .order_by(models.Source.id)
            )
        )
    return render(
        request,
        "admin.html",
        {"calendar_warnings": web.calendar_warnings(), "unhealthy": unhealthy},
        user=user,
    )


def _last_tick() -> str | None:
    try:
        runs = runtime.current().last_runs
    except RuntimeError:  # a dashboard served on its own, without the service's scheduler
        return None
    tick = runs.get("sla_tick")
    return str(tick["at"]) if tick else None


def healthz(request: Request) -> Response:
    """For monitoring: no login, no personal data; 503 when the database is unreachable."""
    web = state(request)
    body: dict[str, Any] = {"time": iso_utc(web.clock()), "last_tick_at": _last_tick()}
    try:
        with web.sessions() as session:
            session.execute(text("SELECT 1"))
            body["unhealthy_sources"] = list(
                session.scalars(select(models.Source.id).where(models.Source.unhealthy.is_(True)))
            )
        body["database"] = True
    except Exception as exc:  # noqa: BLE001 - any failure means "not reachable"
        body.update(database=False, error=type(exc).__name__, unhealthy_sources=None)
    body["status"] = (
        "ok"
        if body["database"] and not body["unhealthy_sources"]
        else "degraded"
        if body["database"]
        else "down"
    )
    return JSONResponse(body, status_code=200 if body["database"] else 503)
