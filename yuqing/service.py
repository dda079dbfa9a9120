"""``yuqing run``: the scheduler and the dashboard in one foreground process.

Start-up order matters: the database is brought to the newest schema and the directory
synced before any job can fire; the scheduler starts paused so that the stored jobs can be
compared with the configuration (APScheduler lists stored jobs only once started) and resumes
only then. Ctrl-C or SIGTERM stops the web server first, then waits for running jobs.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import uvicorn
from sqlalchemy import select, text
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from domain.settings import Settings
from storage import models
from yuqing.bootstrap import App, init_database
from yuqing.runtime import Runtime, install, uninstall
from yuqing.scheduler import build_scheduler, sync_jobs

log = logging.getLogger(__name__)


def health(rt: Runtime, scheduler_running: Callable[[], bool]) -> dict[str, Any]:
    """What monitoring needs: can we reach the database, is the scheduler running, when did
    the SLA tick last run, which sources are unhealthy."""
    out: dict[str, Any] = {"ok": True, "jobs": dict(rt.last_runs)}
    try:
        with rt.app.sessions() as session:
            session.execute(text("SELECT 1"))
            out["unhealthy_sources"] = list(session.scalars(
                select(models.Source.id).where(models.Source.unhealthy.is_(True))))
        out["database"] = "ok"
    except Exception as exc:  # noqa: BLE001 - reported, not raised: that is the point
        out["database"] = f"error: {type(exc).__name__}"
        out["ok"] = False
    out["scheduler"] = "running" if scheduler_running() else "stopped"
    out["ok"] = out["ok"] and scheduler_running()
    tick = rt.last_runs.get("sla_tick")
    out["last_tick"] = tick["at"] if tick else None
    return out


def run_service(settings: Settings, *, host: str | None = None, port: int | None = None,
                on_ready: Callable[[], None] | None = None) -> None:
    from yuqing.web import create_app

    app = App.open(settings)
    report = init_database(app)
    log.info("database ready (units +%d ~%d, sources +%d ~%d)", report.units_added,
             report.units_updated, report.sources_added, report.sources_updated)
    rt = Runtime(app)
    install(rt)
    scheduler = build_scheduler(app.engine, settings)
    scheduler.start(paused=True)
    for change in sync_jobs(scheduler, settings):
        log.info("scheduler: %s", change)
    scheduler.resume()

    web = create_app(settings, app.sessions)

    async def healthz(request: Request) -> JSONResponse:
        body = health(rt, lambda: bool(scheduler.running))
        return JSONResponse(body, status_code=200 if body["ok"] else 503)

    web.router.routes.insert(0, Route("/healthz", healthz))
    config = uvicorn.Config(web, host=host or settings.web.host, port=port or settings.web.port,
                            log_level="warning", proxy_headers=False)
    server = uvicorn.Server(config)
    if on_ready is not None:
        on_ready()
    log.info("dashboard on http://%s:%d", config.host, config.port)
    try:
        server.run()
    finally:
        log.info("stopping: waiting for running jobs to finish")
        scheduler.shutdown(wait=True)
        uninstall()
        app.close()
        log.info("stopped at %s", datetime.now(UTC).isoformat())
