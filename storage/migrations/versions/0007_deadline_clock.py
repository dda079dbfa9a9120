"""Each deadline says which clock it runs on: natural hours or the jurisdiction's office hours

Existing rows are filled in from the default SLA policy (``response_sla/default_policy.toml``):
a window of a kind whose ``clock`` / ``clock_by_grade`` puts its event's grade on office hours
(a routine 签收) is marked ``office``; every other row stays ``natural``. The file is read as
data, so the schema does not depend on the SLA package's code.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 05:00:00.000000
"""
from __future__ import annotations

import importlib.util
import tomllib
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import op

from domain.vocabulary import Severity

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

deadlines = sa.table(
    'deadlines',
    sa.column('id', sa.Integer()),
    sa.column('event_id', sa.Integer()),
    sa.column('kind', sa.String()),
    sa.column('clock', sa.String()),
)
events = sa.table('events', sa.column('id', sa.Integer()), sa.column('severity', sa.String()))


def _policy() -> dict[str, Any]:
    spec = importlib.util.find_spec('response_sla')
    if spec is None or not spec.submodule_search_locations:
        return {}
    path = Path(list(spec.submodule_search_locations)[0]) / 'default_policy.toml'
    if not path.is_file():
        return {}
    with path.open('rb') as f:
        return tomllib.load(f)


def office_grades(policy: dict[str, Any]) -> dict[str, list[str]]:
    """Per window kind given in hours, the grades whose window runs on office hours."""
    out: dict[str, list[str]] = {}
    for name, kind in policy.get('kinds', {}).items():
        if 'hours' not in kind:
            continue
        base = kind.get('clock', 'natural')
        by_grade = kind.get('clock_by_grade', {})
        grades = [g.value for g in Severity if by_grade.get(g.value, base) == 'office']
        if grades:
            out[name] = grades
    return out


def upgrade() -> None:
    with op.batch_alter_table('deadlines', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('clock', sa.String(length=16), server_default='natural', nullable=False)
        )
    for kind, grades in office_grades(_policy()).items():
        office_events = sa.select(events.c.id).where(events.c.severity.in_(grades))
        op.execute(
            deadlines.update()
            .where(deadlines.c.kind == kind, deadlines.c.event_id.in_(office_events))
            .values(clock='office')
        )


def downgrade() -> None:
    with op.batch_alter_table('deadlines', schema=None) as batch_op:
        batch_op.drop_column('clock')
