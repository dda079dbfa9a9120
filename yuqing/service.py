"""``yuqing run``: the dashboard, the claimed stages and, in the leading process, the
scheduler.

Several processes may serve one PostgreSQL database (SQLite: one process). Of these, one
leads (``yuqing.leader``) and runs the APScheduler schedule: crawls, SLA tick, source health,
weekly digest, and its own analysis and outbox runs. Every process runs the dashboard; a
follower runs the analysis and the outbox flush on a loop of its own, which is safe since
both claim their rows, and asks for the lead every few seconds, so that it takes the
schedule over when the leader dies.

Start-up order matters: the database is brought to the newest schema and the directory
synced before any job can fire; the scheduler starts paused so that the stored jobs can be
compared with the configuration (APScheduler lists stored jobs only once started) and resumes
only then. Ctrl-C or SIGTERM stops the web server first, then waits for running jobs.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import uvicorn
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import select, text
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from domain.settings import Settings
from storage import claims, models
from storage.db import transaction
from yuqing import jobs
from yuqing.bootstrap import App, init_database
from yuqing.leader import Elector, FileElector, elector_for, refuse
from yuqing.metrics import Metrics
from yuqing.runtime import Runtime, install, uninstall
from yuqing.scheduler import build_scheduler, sync_jobs

log = logging.getLogger(__name__)

# how often every process checks its role: with the seconds PostgreSQL takes to see a dead
# leader's connection closed, a follower takes the schedule over well within a minute
ROLE_CHECK_S = 5.0
# a follower's own loop, at the pace of the leader's analyze and outbox_flush jobs
FOLLOW_ANALYZE_S = 5.0
FOLLOW_FLUSH_S = 30.0


class Roles:
    """This process's part, leader or follower, kept in step with the lead."""

    def __init__(self, elector: Elector,
                 start_schedule: Callable[[], BackgroundScheduler]) -> None:
        self.elector = elector
        self._start_schedule = start_schedule
        self.scheduler: BackgroundScheduler | None = None
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    @property
    def role(self) -> str:
        return "leader" if self.scheduler is not None else "follower"

    def step(self, now: datetime) -> str:
        """Ask for the lead (or confirm it) once; start or stop the schedule to match."""
        leading = self.elector.try_lead(now)
        if leading and self.scheduler is None:
            self.scheduler = self._start_schedule()
            log.info("leading since %s: the schedule runs in this process", now.isoformat())
        elif not leading and self.scheduler is not None:
            log.warning("no longer leading: the schedule stops in this process")
            scheduler, self.scheduler = self.scheduler, None
            # not waiting: a job still running finishes on its own thread, and the lead may
            # pass on meanwhile; its steps are idempotent
            scheduler.shutdown(wait=False)
        return self.role

    def follow(self, flush: bool) -> None:
        """A follower's round: the claimed stages, as the leader's jobs run them."""
        jobs.analyze_pending()
        if flush:
            jobs.flush_outbox(wait=False)

    def start(self) -> None:
        for name, loop in (("role", self._role_loop), ("follow", self._follow_loop)):
            thread = threading.Thread(target=loop, name=f"yuqing-{name}", daemon=True)
            thread.start()
            self._threads.append(thread)

    def _role_loop(self) -> None:
        while not self._stop.wait(ROLE_CHECK_S):
            try:
                self.step(datetime.now(UTC))
            except Exception:
                log.exception("checking the lead failed; trying again in %.0f s", ROLE_CHECK_S)

    def _follow_loop(self) -> None:
        next_flush = time.monotonic()
        while not self._stop.wait(FOLLOW_ANALYZE_S):
            if self.scheduler is not None:
                continue  # the schedule runs these
            flush = time.monotonic() >= next_flush
            if flush:
                next_flush = time.monotonic() + FOLLOW_FLUSH_S
            try:
                self.follow(flush)
            except Exception:
                log.exception("a follower's run failed; the next one retries")

    def stop(self) -> None:
        """Stop the loops, let running jobs finish, then give the lead up."""
        self._stop.set()
        for thread in self._threads:
            thread.join()  # a flush in progress records its outcomes first
        if self.scheduler is not None:
            self.scheduler.shutdown(wait=True)
            self.scheduler = None
        self.elector.close()


def _start_schedule(app: App) -> BackgroundScheduler:
    scheduler = build_scheduler(app.engine, app.settings)
    scheduler.start(paused=True)
    try:
        for change in sync_jobs(scheduler, app.settings):
            log.info("scheduler: %s", change)
        scheduler.resume()
    except BaseException:
        scheduler.shutdown(wait=False)
        raise
    return scheduler


def health(rt: Runtime, role: str, scheduler_running: bool) -> dict[str, Any]:
    """What monitoring needs: can we reach the database, which role this process plays, is
    the scheduler running where it should (on the leader), when did the SLA tick last run,
    which sources are unhealthy."""
    out: dict[str, Any] = {"ok": True, "role": role, "jobs": dict(rt.last_runs)}
    try:
        with rt.app.sessions() as session:
            session.execute(text("SELECT 1"))
            out["unhealthy_sources"] = list(session.scalars(
                select(models.Source.id).where(models.Source.unhealthy.is_(True))))
        out["database"] = "ok"
    except Exception as exc:  # noqa: BLE001 - reported, not raised: that is the point
        out["database"] = f"error: {type(exc).__name__}"
        out["ok"] = False
    if scheduler_running:
        out["scheduler"] = "running"
    else:
        # a follower runs no scheduler by design: the leader runs the schedule
        out["scheduler"] = "standby" if role == "follower" else "stopped"
    out["ok"] = out["ok"] and (scheduler_running or role == "follower")
    tick = rt.last_runs.get("sla_tick")
    out["last_tick"] = tick["at"] if tick else None
    return out


def run_service(settings: Settings, *, host: str | None = None, port: int | None = None,
                on_ready: Callable[[], None] | None = None) -> None:
    """Raises ``yuqing.leader.AlreadyRunning`` when another service holds the SQLite
    database."""
    from yuqing.web import create_app

    elector = elector_for(settings.database_url, settings.var_dir)
    if isinstance(elector, FileElector) and not elector.try_lead(datetime.now(UTC)):
        raise refuse(elector)
    app = App.open(settings)
    roles = Roles(elector, lambda: _start_schedule(app))
    try:
        with elector.starting():
            report = init_database(app)
            if elector.exclusive:
                with transaction(app.sessions) as session:
                    released = claims.release_all(session)
                if released:
                    log.info("released %d posts claimed by a process that died", released)
        log.info("database ready (units +%d ~%d, sources +%d ~%d)", report.units_added,
                 report.units_updated, report.sources_added, report.sources_updated)
        metrics = Metrics(app.sessions)
        metrics.leader.set_function(lambda: 1.0 if roles.scheduler is not None else 0.0)
        rt = Runtime(app, metrics=metrics)
        install(rt)
        log.info("role: %s", roles.step(datetime.now(UTC)))
        roles.start()

        web = create_app(settings, app.sessions, metrics=metrics)

        async def healthz(request: Request) -> JSONResponse:
            scheduler = roles.scheduler
            body = health(rt, roles.role, scheduler is not None and bool(scheduler.running))
            return JSONResponse(body, status_code=200 if body["ok"] else 503)

        web.router.routes.insert(0, Route("/healthz", healthz))
        config = uvicorn.Config(web, host=host or settings.web.host,
                                port=port or settings.web.port, log_level="warning",
                                # the server's own records go through yuqing's handler, so
                                # that [log] format = "json" covers them too
                                log_config=None, proxy_headers=False)
        server = uvicorn.Server(config)
        if on_ready is not None:
            on_ready()
        log.info("dashboard on http://%s:%d", config.host, config.port)
        server.run()
    finally:
        log.info("stopping: waiting for running jobs to finish")
        roles.stop()
        uninstall()
        app.close()
        log.info("stopped at %s", datetime.now(UTC).isoformat())
