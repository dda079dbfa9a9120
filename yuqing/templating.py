"""The two Jinja environments every renderer uses: one for HTML, one for plain text.

The dashboard, the emails and the digest render through these, built once per process over one
loader, with the same filters (``yuqing.display``) — so a filter or an escaping rule cannot
differ between them. Templates are named by the package folder they live in:
``web/event.html``, ``notify/assignment.txt``, ``digest/digest.html``.

HTML escapes every value, whatever the template's name: crawled text is hostile. Plain text
(the emails' text parts, chat messages, the digest's text) keeps values as they are, since
escaping would mangle them; an ``.html`` template loaded there is still escaped, so HTML can
never be rendered unescaped by picking the wrong environment.

Filters that show a time need the reader's zone: render with ``tz`` (a ``ZoneInfo``) in the
context.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any, Final
from zoneinfo import ZoneInfo

from jinja2 import (
    Environment,
    FileSystemLoader,
    PrefixLoader,
    StrictUndefined,
    pass_context,
    select_autoescape,
)
from jinja2.runtime import Context
from markupsafe import Markup

from domain.safe_text import shown
from yuqing import display

HERE = Path(__file__).resolve().parent
# prefix → the folder of the package whose templates it names
TEMPLATE_DIRS: Final[dict[str, Path]] = {
    "web": HERE / "web" / "templates",
    "notify": HERE / "notify" / "templates",
    "digest": HERE / "digest" / "templates",
}
HTML_EXTENSIONS: Final[tuple[str, ...]] = ("html", "htm", "xml")


def _tz(ctx: Context) -> ZoneInfo:
    tz = ctx.get("tz")
    if not isinstance(tz, ZoneInfo):
        raise TypeError(f"{ctx.name}: render with tz=ZoneInfo(...) to show times")
    return tz


@pass_context
def _dt(ctx: Context, value: datetime | None, pattern: str = "%Y-%m-%d %H:%M") -> str:
    return display.fmt_local(value, _tz(ctx), pattern)


@pass_context
def _due(ctx: Context, value: datetime | None, year: bool = False, weekday: bool = False) -> str:
    return display.deadline(value, _tz(ctx), year=year, weekday=weekday)


@pass_context
def _log_detail(ctx: Context, detail: dict[str, object] | None, deadline: bool = False) -> str:
    return display.log_detail(detail, _tz(ctx), deadline)


FILTERS: Final[dict[str, Any]] = {
    "dt": _dt,
    "due": _due,  # a deadline: 12月29日 24:00, never the next day's 00:00
    "iso": display.iso_utc,
    "todt": display.parse_iso,
    "log_detail": _log_detail,
    "http_url": display.http_url,
    "show": display.show,
    "action_label": display.action_label,
    "reason": display.reason_text,
    "pct": display.pct,
    "late": display.late,
    "hours": display.hours,
}
GLOBALS: Final[dict[str, Any]] = {
    "severity_css": display.SEVERITY_CSS,
    "remaining": display.remaining,
}


def _shown(value: Any) -> Any:
    # every value a template prints, whatever its age: rows stored before text was normalised
    # at the door may still hold bidirectional overrides or control characters
    if isinstance(value, Markup):
        return Markup(shown(str(value)))
    if isinstance(value, str):
        return shown(value)
    return value


def _environment(autoescape: Any) -> Environment:
    env = Environment(
        loader=PrefixLoader({k: FileSystemLoader(v) for k, v in TEMPLATE_DIRS.items()}),
        autoescape=autoescape,
        finalize=_shown,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,  # a text email ends with its last line's newline
    )
    env.filters.update(FILTERS)
    env.globals.update(GLOBALS)
    return env


@cache
def html_environment() -> Environment:
    return _environment(True)


@cache
def text_environment() -> Environment:
    return _environment(
        select_autoescape(enabled_extensions=HTML_EXTENSIONS, default_for_string=False)
    )
