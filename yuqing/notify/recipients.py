"""Who gets a notification: outbox rows name roles, not addresses, so that a change in the
directory (a new clerk, a new 分管领导) applies to everything still waiting to be sent.

Tokens in ``Outbox.recipients`` / ``Outbox.cc`` (``storage.outbox.Recipient`` writes them):

- ``unit:<id>``          the unit's mailboxes (configuration, else the ``units`` table)
- ``leader:<id>``        the unit's 分管领导
- ``duty``               the 宣传部 / 网信办 duty contacts
- ``propaganda``         the 宣传部 unit
- ``government_office``  the 政府办公室 unit
- ``leadership``         the digest's readers
- ``robot:<id>``         a chat robot (chat rows only; see ``chat.robot_id``)
- anything with ``@``    a literal address (rows written before writers named roles)
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy.orm import Session

from domain.settings import Settings
from storage import models
from storage.enums import OutboxKind
from storage.outbox import Recipient
from yuqing.notify.message import Mailbox

log = logging.getLogger(__name__)

# Kinds about one unit's case: they go to that unit (the duty office when none holds it).
UNIT_KINDS = frozenset(
    {
        OutboxKind.ASSIGNMENT,
        OutboxKind.WARNING,
        OutboxKind.BREACH,
        OutboxKind.REMINDER,
        OutboxKind.RETURN_DECISION,
        OutboxKind.EXTENSION_DECISION,
        OutboxKind.REASSIGNMENT,
    }
)


def default_recipients(kind: str, unit_id: str | None) -> list[str]:
    """For rows written without recipients (the dashboard writes ids only)."""
    if kind in UNIT_KINDS:
        return [Recipient.unit(unit_id)] if unit_id else [Recipient.DUTY]
    if kind == OutboxKind.DIGEST:
        return [Recipient.LEADERSHIP, Recipient.PROPAGANDA]
    return [Recipient.DUTY]


def default_cc(kind: str, unit_id: str | None, payload: dict[str, Any]) -> list[str]:
    """A breach row that does not say whom the policy notifies copies the unit's 分管领导 and
    the 宣传部; rows from the SLA engine carry the policy's list (``notify``) and keep it."""
    if kind in (OutboxKind.BREACH, OutboxKind.REMINDER) and "notify" not in payload:
        return ([Recipient.leader(unit_id)] if unit_id else []) + [Recipient.PROPAGANDA]
    return []


def _unit_mailboxes(settings: Settings, session: Session, unit_id: str) -> list[Mailbox]:
    try:
        unit = settings.jurisdiction.unit(unit_id)
    except KeyError:
        row = session.get(models.Unit, unit_id)
        if row is None:
            return []
        return [Mailbox(row.name, str(e)) for e in row.emails]
    return [Mailbox(unit.name, e) for e in unit.emails]


def resolve_token(settings: Settings, session: Session, token: str) -> list[Mailbox]:
    j = settings.jurisdiction
    if "@" in token and ":" not in token:
        return [Mailbox("", token)]
    if token == Recipient.DUTY:
        return [Mailbox(c.name, c.email) for c in j.duty_contacts]
    if token == Recipient.LEADERSHIP:
        return [Mailbox(c.name, c.email) for c in j.leadership]
    if token == Recipient.PROPAGANDA:
        return _unit_mailboxes(settings, session, j.propaganda_unit)
    if token == Recipient.GOVERNMENT_OFFICE:
        return _unit_mailboxes(settings, session, j.government_office)
    role, _, ident = token.partition(":")
    if role == "unit" and ident:
        return _unit_mailboxes(settings, session, ident)
    if role == "leader" and ident:
        try:
            leader = j.unit(ident).leader
        except KeyError:
            leader = None
        return [Mailbox(leader.name, leader.email)] if leader else []
    log.warning("unknown recipient %r ignored", token)
    return []


def resolve(settings: Settings, session: Session, tokens: Iterable[str]) -> list[Mailbox]:
    """Mailboxes for the tokens, each address once, in order."""
    out: list[Mailbox] = []
    seen: set[str] = set()
    for token in tokens:
        for box in resolve_token(settings, session, str(token)):
            key = box.address.lower()
            if key not in seen:
                seen.add(key)
                out.append(box)
    return out


def to_and_cc(
    settings: Settings,
    session: Session,
    kind: str,
    unit_id: str | None,
    recipients: Sequence[str],
    cc: Sequence[str],
    payload: dict[str, Any],
) -> tuple[list[Mailbox], list[Mailbox]]:
    to = resolve(settings, session, recipients or default_recipients(kind, unit_id))
    copied = resolve(settings, session, cc or default_cc(kind, unit_id, payload))
    in_to = {b.address.lower() for b in to}
    return to, [b for b in copied if b.address.lower() not in in_to]
