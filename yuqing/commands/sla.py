"""``yuqing sla``: working-day arithmetic, the deadlines of a grade, the tick, an event's clocks."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import click

from domain.settings import Settings
from domain.vocabulary import SEVERITY_ORDER
from response_sla.calendar import SHANGHAI, to_shanghai
from storage.enums import DeadlineState, Severity
from yuqing.cli import CONFIG_WARNINGS, Context, fail, labelled, pass_ctx

# Each command imports the rest of the SLA engine when it runs (the working-day calendar is
# light): the rest of the command line starts without the database layer and the policy.


def register(cli: click.Group) -> None:
    cli.add_command(sla_group)
    if _config_warnings not in CONFIG_WARNINGS:
        CONFIG_WARNINGS.append(_config_warnings)


def _config_warnings(settings: Settings) -> list[str]:
    from response_sla.configured import calendar_warnings

    return calendar_warnings(settings, datetime.now(SHANGHAI).date())


def _moment(value: str, option: str) -> datetime:
    """ISO 8601; a time without an offset is read as Asia/Shanghai."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        fail(f"{option}: not an ISO 8601 time: {value!r}", 2)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=SHANGHAI)
    return moment


def _iso(moment: datetime | None) -> str | None:
    return to_shanghai(moment).isoformat() if moment is not None else None


def _setup(ctx: Context) -> Any:
    from response_sla.configured import from_settings
    from response_sla.errors import SlaConfigError

    try:
        return from_settings(ctx.settings)
    except SlaConfigError as exc:
        for p in exc.problems:
            click.echo(f"config error: {p}", err=True)
        fail("the SLA policy or holiday files are unusable", 2)


@click.group("sla")
def sla_group() -> None:
    """Response windows: deadlines, working days, the periodic tick."""


@sla_group.command("add-working-days")
@click.option("--start", required=True, help="ISO 8601 time; no offset means Asia/Shanghai.")
@click.option("--days", required=True, type=click.IntRange(min=1))
@click.option("--json", "as_json", is_flag=True, help="One JSON object.")
@pass_ctx
def add_working_days(ctx: Context, start: str, days: int, as_json: bool) -> None:
    """The end of the N-th working day after START (民法典 counting, 调休 included)."""
    setup = _setup(ctx)
    result = setup.calendar.add_working_days(_moment(start, "--start"), days, setup.close)
    data = {"due_at": _iso(result.due_at), "provisional": result.provisional}
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False))
    else:
        note = "  (provisional: no holiday arrangement for that year)" if result.provisional else ""
        click.echo(f"{data['due_at']}{note}")


@sla_group.command("deadlines")
@click.option(
    "--severity",
    required=True,
    help=f"{', '.join(s.label for s in SEVERITY_ORDER[:-1])} or {SEVERITY_ORDER[-1].label}.",
)
@click.option("--start", required=True, help="First public appearance, ISO 8601.")
@click.option("--assigned", default=None, help="Assignment time (default: the start).")
@click.option("--handling", default=None, help="Board type, e.g. 咨询 or 投诉/求助.")
@click.option("--website-error", is_flag=True, help="A 我为政府网站找错 report.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object.")
@pass_ctx
def deadlines_cmd(
    ctx: Context,
    severity: str,
    start: str,
    assigned: str | None,
    handling: str | None,
    website_error: bool,
    as_json: bool,
) -> None:
    """Every deadline the policy gives an event of SEVERITY that appeared at START."""
    from response_sla.deadlines import deadlines_for
    from response_sla.display import CLOCK_LABELS, due_label

    try:
        grade = Severity(severity)
    except ValueError:
        fail(f"--severity: expected one of {[s.value for s in Severity]}, got {severity!r}", 2)
    setup = _setup(ctx)
    specs = deadlines_for(
        grade,
        _moment(start, "--start"),
        setup.policy,
        setup.calendar,
        handling=handling,
        website_error=website_error,
        assigned_at=_moment(assigned, "--assigned") if assigned else None,
        close=setup.close,
        office=setup.office,
    )
    rows = [
        {
            "kind": s.kind,
            "label": s.label,
            "due_at": _iso(s.due_at),
            "due": due_label(s.due_at),
            "clock": s.clock,
            "provisional": s.provisional,
        }
        for s in specs
    ]
    if as_json:
        click.echo(json.dumps({"deadlines": rows}, ensure_ascii=False))
        return
    for r in rows:
        flag = "  provisional" if r["provisional"] else ""
        clock = CLOCK_LABELS.get(str(r["clock"]), str(r["clock"]))
        click.echo(f"{r['due_at']}  {r['due']:<13} {r['kind']:<18} {r['label']}  [{clock}]{flag}")


@sla_group.command("tick")
@click.option("--now", "now_text", default=None, help="Pretend it is this time (ISO 8601).")
@pass_ctx
def tick_cmd(ctx: Context, now_text: str | None) -> None:
    """Process every due clock once: warnings, breaches, reminders into the outbox."""
    from response_sla.tick import tick
    from yuqing.bootstrap import App

    setup = _setup(ctx)
    now = _moment(now_text, "--now") if now_text else datetime.now(UTC)
    app = App.open(ctx.settings)
    try:
        result = tick(app.sessions, now, setup.policy, office=setup.schedule)
    finally:
        app.close()
    click.echo(json.dumps({"now": _iso(now), **result.as_dict()}))


@sla_group.command("show")
@click.argument("event_id", type=int)
@click.option("--json", "as_json", is_flag=True, help="One JSON object.")
@pass_ctx
def show_cmd(ctx: Context, event_id: int, as_json: bool) -> None:
    """The event's clocks: state, deadlines, what was sent, who held it."""
    from response_sla.clock import held_time
    from response_sla.display import CLOCK_LABELS, due_label
    from response_sla.service import event_clocks
    from storage import models
    from yuqing.bootstrap import App

    app = App.open(ctx.settings)
    try:
        with app.sessions() as session:
            event = session.get(models.Event, event_id)
            if event is None:
                fail(f"no event {event_id}")
            clocks = event_clocks(session, event_id)
            title, severity = event.title, event.severity.value
            next_deadline = event.next_deadline_at
    finally:
        app.close()
    now = datetime.now(SHANGHAI)
    rows = []
    for s in clocks:
        c = s.clock
        rows.append(
            {
                "id": s.id,
                "kind": c.kind,
                "cycle": c.cycle,
                "state": c.state.value,
                "unit": c.unit_id,
                "starts_at": _iso(c.starts_at),
                "deadline_at": _iso(c.deadline_at),
                "due": due_label(c.deadline_at),
                "clock": c.clock,
                "original_deadline_at": _iso(c.original_deadline_at),
                "provisional": c.provisional,
                "due_at": _iso(c.due_at),
                "met_at": _iso(c.met_at),
                "warnings_sent": c.warnings_sent,
                "escalation_level": c.escalation_level,
                "reminders_sent": c.reminders_sent,
                "held_hours": {
                    u: round(d.total_seconds() / 3600, 1) for u, d in held_time(c, now).items()
                },
            }
        )
    if as_json:
        click.echo(
            json.dumps(
                {
                    "event": event_id,
                    "title": title,
                    "severity": severity,
                    "next_deadline_at": _iso(next_deadline),
                    "clocks": rows,
                },
                ensure_ascii=False,
            )
        )
        return
    click.echo(f"event {event_id} [{severity}] {title}; next deadline {_iso(next_deadline)}")
    for r in rows:
        extended = (
            ""
            if r["deadline_at"] == r["original_deadline_at"]
            else (f" (extended from {r['original_deadline_at']})")
        )
        state = DeadlineState(str(r["state"]))
        click.echo(
            f"  #{r['id']} {r['kind']} c{r['cycle']} {labelled(state.value, state.label, 20)} "
            f"unit={r['unit']} "
            f"deadline {r['deadline_at']} ({r['due']}){extended} "
            f"[{CLOCK_LABELS.get(str(r['clock']), str(r['clock']))}] level={r['escalation_level']} "
            f"warnings={r['warnings_sent']} reminders={r['reminders_sent']}"
        )
