"""The SLA policy: which deadlines exist, how long they run, and what happens around them.

Read from TOML (``default_policy.toml`` documents every key); ``load_policy`` checks the whole
file and reports every mistake with its file and key.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from importlib import resources
from pathlib import Path
from typing import Any

from domain.vocabulary import is_major
from response_sla.errors import Problem, SlaConfigError
from response_sla.office import CLOCKS, NATURAL, OFFICE
from storage.enums import Severity

MILESTONES = ("acknowledge", "publish", "press", "respond", "resolve")
ROLES = ("unit", "leader", "duty", "propaganda", "government_office")
ANCHORS = ("first_public", "assignment")
SCOPES = ("event", "assignment")
CONDITIONS = ("always", "website_error")
INHERITED = (
    "warnings",
    "escalation",
    "reminder_every_hours",
    "max_reminders",
    "extension_max_working_days",
    "return_limit_hours",
)
ROLES_HELD = ("lead", "co", "coordinate")  # assignment roles (牵头, 配合, 协调)
CHARGED = ("unit", "office")
KIND_KEYS = {
    "label",
    "roles",
    "charged",
    "clock",
    "clock_by_grade",
    "hours",
    "working_days",
    "working_days_by_handling",
    "anchor",
    "scope",
    "severities",
    "condition",
    "met_by",
    "reopenable",
    *INHERITED,
}


@dataclass(frozen=True)
class Escalation:
    level: int
    after: timedelta  # past the deadline
    notify: tuple[str, ...]


@dataclass(frozen=True)
class KindPolicy:
    kind: str
    label: str
    hours: float | None
    working_days: int | None
    working_days_by_handling: Mapping[str, int]
    anchor: str
    scope: str
    severities: frozenset[Severity] | None  # None: every grade
    condition: str
    met_by: frozenset[str]
    reopenable: bool
    warnings: tuple[float, ...]
    escalation: tuple[Escalation, ...]
    reminder_every: timedelta | None
    max_reminders: int
    extension_max_working_days: int
    return_limit: timedelta | None
    clock: str = NATURAL  # hour windows: natural (round the clock) or office hours
    # assignment windows: the roles that get one (None: every role)
    roles: frozenset[str] | None = None
    # who answers for a breach: the unit holding the window, or the office (the statutory
    # window of the event, counted from the first post, before any unit may have been told)
    charged: str = "unit"
    clock_by_grade: Mapping[Severity, str] = field(default_factory=dict)

    def clock_for(self, severity: Severity | None) -> str:
        """``natural`` or ``office`` for an hour window of ``severity``; ``working_days`` for a
        window counted in working days."""
        if self.hours is None:
            return "working_days"
        if severity is not None and severity in self.clock_by_grade:
            return self.clock_by_grade[severity]
        return self.clock

    def applies_to_role(self, role: str) -> bool:
        return self.roles is None or role in self.roles

    def applies(self, severity: Severity, *, website_error: bool) -> bool:
        if self.severities is not None and severity not in self.severities:
            return False
        return self.condition == "always" or website_error

    def days_for(self, handling: str | None) -> int | None:
        if handling is not None and handling in self.working_days_by_handling:
            return self.working_days_by_handling[handling]
        return self.working_days

    def escalation_at(self, level: int) -> Escalation | None:
        for e in self.escalation:
            if e.level == level:
                return e
        return None


@dataclass(frozen=True)
class Policy:
    kinds: Mapping[str, KindPolicy]
    source: str

    def kind(self, name: str) -> KindPolicy:
        try:
            return self.kinds[name]
        except KeyError:
            raise KeyError(f"kind {name!r} is not in the policy {self.source}") from None

    def met_by(self, milestone: str) -> list[str]:
        return [k.kind for k in self.kinds.values() if milestone in k.met_by]


class _Reader:
    """Collects problems while reading one kind's table, so all are reported together."""

    def __init__(self, where: str, prefix: str, problems: list[Problem]) -> None:
        self.where, self.prefix, self.problems = where, prefix, problems

    def bad(self, key: str, message: str) -> None:
        self.problems.append(Problem(self.where, f"{self.prefix}.{key}", message))

    def number(self, data: Mapping[str, Any], key: str, *, integer: bool, minimum: float) -> Any:
        value = data.get(key)
        ok_type = isinstance(value, int) if integer else isinstance(value, int | float)
        if (
            isinstance(value, bool)
            or not ok_type
            or not isinstance(value, int | float)
            or value < minimum
        ):
            kind = "a whole number" if integer else "a number"
            self.bad(key, f"expected {kind} >= {minimum:g}, got {value!r}")
            return None
        return value

    def choice(self, data: Mapping[str, Any], key: str, choices: tuple[str, ...]) -> str | None:
        value = data.get(key)
        if value not in choices:
            self.bad(key, f"expected one of {list(choices)}, got {value!r}")
            return None
        return str(value)

    def strings(self, data: Mapping[str, Any], key: str, choices: tuple[str, ...]) -> list[str]:
        value = data.get(key)
        if not isinstance(value, list) or not value:
            self.bad(key, f"expected a non-empty list drawn from {list(choices)}")
            return []
        bad = [v for v in value if v not in choices]
        if bad:
            self.bad(key, f"unknown value(s) {bad}; expected some of {list(choices)}")
        return [str(v) for v in value if v in choices]


def _escalation(r: _Reader, value: Any) -> tuple[Escalation, ...]:
    if not isinstance(value, list) or not value:
        r.bad("escalation", "expected a non-empty list of {level, after_hours, notify}")
        return ()
    out: list[Escalation] = []
    for i, item in enumerate(value):
        sub = _Reader(r.where, f"{r.prefix}.escalation[{i}]", r.problems)
        if not isinstance(item, dict):
            sub.bad("-", "expected a table {level, after_hours, notify}")
            continue
        extra = set(item) - {"level", "after_hours", "notify"}
        if extra:
            sub.bad(sorted(extra)[0], "unknown key")
        level = sub.number(item, "level", integer=True, minimum=1)
        after = sub.number(item, "after_hours", integer=False, minimum=0)
        notify = sub.strings(item, "notify", ROLES)
        if level is not None and after is not None and notify:
            out.append(Escalation(level, timedelta(hours=after), tuple(notify)))
    levels = [e.level for e in out]
    if levels and levels != list(range(1, len(levels) + 1)):
        r.bad("escalation", f"levels must be 1, 2, 3… in order, got {levels}")
    afters = [e.after for e in out]
    if afters != sorted(afters):
        r.bad("escalation", "after_hours must not decrease from one level to the next")
    return tuple(out)


def _kind(
    name: str, raw: Mapping[str, Any], where: str, problems: list[Problem]
) -> KindPolicy | None:
    r = _Reader(where, f"kinds.{name}", problems)
    before = len(problems)
    for key in sorted(set(raw) - KIND_KEYS):
        r.bad(key, "unknown key")
    label = raw.get("label")
    if not isinstance(label, str) or not label:
        r.bad("label", "required: a name shown to people")
    hours = working_days = None
    if ("hours" in raw) == ("working_days" in raw):
        r.bad("hours", "give exactly one of hours or working_days")
    elif "hours" in raw:
        hours = r.number(raw, "hours", integer=False, minimum=0.01)
    else:
        working_days = r.number(raw, "working_days", integer=True, minimum=1)
    by_handling: dict[str, int] = {}
    table = raw.get("working_days_by_handling", {})
    if not isinstance(table, dict) or (
        table and working_days is None and "working_days" not in raw
    ):
        r.bad("working_days_by_handling", "a table of handling type = days, with working_days")
    else:
        for handling, days in table.items():
            if isinstance(days, bool) or not isinstance(days, int) or days < 1:
                r.bad(f"working_days_by_handling.{handling}", f"expected days >= 1, got {days!r}")
            else:
                by_handling[str(handling)] = days
    anchor = r.choice(raw, "anchor", ANCHORS)
    scope = r.choice(raw, "scope", SCOPES)
    condition = r.choice({"condition": raw.get("condition", "always")}, "condition", CONDITIONS)
    severities: frozenset[Severity] | None = None
    if "severities" in raw:
        values = r.strings(raw, "severities", tuple(s.value for s in Severity))
        severities = frozenset(Severity(v) for v in values)
    met_by = r.strings(raw, "met_by", MILESTONES)
    reopenable = raw.get("reopenable", False)
    if not isinstance(reopenable, bool):
        r.bad("reopenable", "expected true or false")
    warnings = raw.get("warnings")
    if not isinstance(warnings, list) or any(
        isinstance(w, bool) or not isinstance(w, int | float) or not 0 < w < 1 for w in warnings
    ):
        r.bad("warnings", f"expected a list of fractions between 0 and 1, got {warnings!r}")
        warnings = []
    elif warnings != sorted(set(warnings)):
        r.bad("warnings", "fractions must increase")
    escalation = _escalation(r, raw.get("escalation"))
    every = r.number(raw, "reminder_every_hours", integer=False, minimum=0)
    max_reminders = r.number(raw, "max_reminders", integer=True, minimum=0)
    ext = r.number(raw, "extension_max_working_days", integer=True, minimum=0)
    ret = r.number(raw, "return_limit_hours", integer=False, minimum=0)
    if hours is not None and ext:
        r.bad("extension_max_working_days", "legal hour windows cannot be extended; use 0")
    clock = r.choice({"clock": raw.get("clock", NATURAL)}, "clock", CLOCKS) or NATURAL
    by_grade: dict[Severity, str] = {}
    grades = raw.get("clock_by_grade", {})
    if not isinstance(grades, dict):
        r.bad("clock_by_grade", "a table of grade = natural | office")
        grades = {}
    for grade, value in grades.items():
        if grade not in {sv.value for sv in Severity}:
            r.bad(f"clock_by_grade.{grade}", "unknown grade")
        elif value not in CLOCKS:
            r.bad(f"clock_by_grade.{grade}", f"expected one of {list(CLOCKS)}, got {value!r}")
        else:
            by_grade[Severity(grade)] = str(value)
    roles: frozenset[str] | None = None
    if "roles" in raw:
        roles = frozenset(r.strings(raw, "roles", ROLES_HELD))
        if raw.get("scope") != "assignment":
            r.bad("roles", "only windows of scope = assignment are per role")
    charged = r.choice({"charged": raw.get("charged", "unit")}, "charged", CHARGED) or "unit"
    office_grades = [sv for sv in Severity if by_grade.get(sv, clock) == OFFICE]
    if office_grades and hours is None:
        r.bad("clock", "office hours apply to windows given in hours, not working days")
    elif office_grades and anchor == "first_public":
        r.bad("clock", "the statutory windows counted from the first post run round the clock")
    elif any(is_major(sv.value) for sv in office_grades) and (
        severities is None or any(is_major(sv.value) for sv in severities)
    ):
        r.bad("clock", "windows of 特别重大 / 重大 run round the clock: set clock_by_grade")
    if len(problems) > before:
        return None
    return KindPolicy(
        kind=name,
        label=str(label),
        hours=float(hours) if hours is not None else None,
        working_days=working_days,
        working_days_by_handling=by_handling,
        anchor=str(anchor),
        scope=str(scope),
        severities=severities,
        condition=str(condition),
        met_by=frozenset(met_by),
        reopenable=bool(reopenable),
        warnings=tuple(float(w) for w in warnings),
        escalation=escalation,
        reminder_every=timedelta(hours=every) if every else None,
        max_reminders=int(max_reminders),
        extension_max_working_days=int(ext),
        return_limit=timedelta(hours=ret) if ret else None,
        clock=clock,
        clock_by_grade=by_grade,
        roles=roles,
        charged=charged,
    )


def parse_policy(data: Mapping[str, Any], where: str) -> Policy:
    problems: list[Problem] = []
    for key in sorted(set(data) - {"defaults", "kinds"}):
        problems.append(Problem(where, key, "unknown key; expected [defaults] and [kinds.*]"))
    defaults = data.get("defaults", {})
    if not isinstance(defaults, dict):
        problems.append(Problem(where, "defaults", "expected a table"))
        defaults = {}
    for key in sorted(set(defaults) - set(INHERITED)):
        problems.append(
            Problem(where, f"defaults.{key}", f"unknown key; expected {list(INHERITED)}")
        )
    kinds_raw = data.get("kinds")
    if not isinstance(kinds_raw, dict) or not kinds_raw:
        problems.append(Problem(where, "kinds", "required: at least one [kinds.NAME] table"))
        raise SlaConfigError(problems)
    kinds: dict[str, KindPolicy] = {}
    for name, raw in kinds_raw.items():
        if not isinstance(raw, dict):
            problems.append(Problem(where, f"kinds.{name}", "expected a table"))
            continue
        if len(name) > 32:
            problems.append(
                Problem(where, f"kinds.{name}", "a kind name has at most 32 characters")
            )
        merged = {k: v for k, v in defaults.items() if k in INHERITED} | raw
        for key in INHERITED:
            if key not in merged:
                problems.append(
                    Problem(where, f"kinds.{name}.{key}", "missing (set it here or in [defaults])")
                )
        if any(p.key.startswith(f"kinds.{name}.") for p in problems):
            continue
        kind = _kind(name, merged, where, problems)
        if kind is not None:
            kinds[name] = kind
    if problems:
        raise SlaConfigError(problems)
    return Policy(kinds, where)


def load_policy(path: Path | str | None = None) -> Policy:
    """The policy file at ``path``, or the default shipped with response_sla."""
    if path is None or str(path) == "":
        text = resources.files("response_sla").joinpath("default_policy.toml").read_text("utf-8")
        where = "response_sla/default_policy.toml"
    else:
        where = str(path)
        try:
            text = Path(path).read_text("utf-8")
        except FileNotFoundError:
            raise SlaConfigError([Problem(where, "-", "file not found")]) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SlaConfigError([Problem(where, "-", f"not valid TOML: {exc}")]) from None
    return parse_policy(data, where)
