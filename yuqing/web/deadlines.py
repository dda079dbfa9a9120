"""Deadlines as people read them: the policy's label and length for each kind, original and
extended end, provisional flag, state, and the evidence or reason that closed it.

The kinds and their labels come from the SLA policy (``response_sla``); nothing here decides a
deadline.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from response_sla.clock import OPEN_STATES
from response_sla.policy import KindPolicy, Policy
from storage import models
from storage.enums import DeadlineState, Severity

PROVISIONAL_WARNING = "节假日安排未发布，按法定节日推算"


def window_text(kind: KindPolicy, handling: str | None = None, *, exact: bool = False) -> str:
    """How long the window runs: "5 小时", "15 个工作日", or, for no event in particular
    (``exact`` false, no handling type), the range over handling types."""
    if kind.hours is not None:
        return f"{kind.hours:g} 小时"
    if exact or handling is not None or not kind.working_days_by_handling:
        return f"{kind.days_for(handling)} 个工作日"
    days = sorted({*kind.working_days_by_handling.values(), kind.working_days or 0} - {0})
    span = f"{days[0]}–{days[-1]}" if len(days) > 1 else f"{days[0]}"
    return f"{span} 个工作日"


def kind_label(
    policy: Policy, kind: str, handling: str | None = None, *, exact: bool = False
) -> str:
    """E.g. "发布权威信息 5 小时"; a kind the policy no longer has shows its stored name."""
    k = policy.kinds.get(kind)
    if k is None:
        return kind
    return f"{k.label} {window_text(k, handling, exact=exact)}"


def statutory_kinds(policy: Policy) -> frozenset[str]:
    """The windows of a 特别重大 / 重大 event that the law sets (发布权威信息 5 h, 新闻发布会
    24 h): event-wide, counted from the first public appearance, for majors only."""
    majors = {Severity.EXTRAORDINARY, Severity.MAJOR}
    return frozenset(
        name
        for name, k in policy.kinds.items()
        if k.scope == "event"
        and k.anchor == "first_public"
        and k.severities is not None
        and k.severities <= majors
    )


def kind_labels(policy: Policy) -> dict[str, str]:
    """Every kind's label without a handling type, for lists and the timeline."""
    return {name: kind_label(policy, name) for name in policy.kinds}


@dataclass(frozen=True)
class DeadlineView:
    id: int
    kind: str
    label: str
    cycle: int
    unit_id: str | None
    assignment_id: int | None
    state: DeadlineState
    starts_at: datetime
    original_deadline_at: datetime
    deadline_at: datetime
    provisional: bool
    met_at: datetime | None
    closure: Mapping[str, Any] | None
    cancelled: Mapping[str, Any] | None
    extensions: Sequence[Mapping[str, Any]]
    extendable: bool  # the policy allows 延期 for this kind

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def extended(self) -> bool:
        return self.deadline_at != self.original_deadline_at


def view(d: models.Deadline, policy: Policy, handling: str | None = None) -> DeadlineView:
    """One deadline of an event whose handling type is ``handling`` (it sets 办结's length)."""
    k = policy.kinds.get(d.kind)
    ev: Mapping[str, Any] = d.evidence or {}
    return DeadlineView(
        id=d.id,
        kind=d.kind,
        label=kind_label(policy, d.kind, handling, exact=True),
        cycle=d.cycle,
        unit_id=d.unit_id,
        assignment_id=d.assignment_id,
        state=d.state,
        starts_at=d.starts_at,
        original_deadline_at=d.original_deadline_at,
        deadline_at=d.deadline_at,
        provisional=d.provisional,
        met_at=d.met_at,
        closure=ev.get("closure"),
        cancelled=ev.get("cancelled"),
        extensions=list(ev.get("extensions", [])),
        extendable=k is not None and k.extension_max_working_days > 0,
    )


def views(
    rows: Iterable[models.Deadline], policy: Policy, handling: str | None = None
) -> list[DeadlineView]:
    return [view(d, policy, handling) for d in rows]


def any_provisional(shown: Iterable[DeadlineView]) -> bool:
    return any(d.provisional for d in shown if d.state is not DeadlineState.CANCELLED)


@dataclass(frozen=True)
class Nearest:
    """The open deadline that sets an event's place in the queue."""

    kind: str
    deadline_at: datetime
    original_deadline_at: datetime
    provisional: bool
    state: DeadlineState
