"""Events carry their 待核实 state: a candidate major grade and type for a duty officer to decide

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-14 09:00:00.000000
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('verification', sa.Enum('none', 'pending', 'confirmed', 'dismissed', name='verification', native_enum=False, create_constraint=False, length=32), server_default='none', nullable=False))
        batch_op.add_column(sa.Column('candidate_severity', sa.Enum('特别重大', '重大', '较大', '一般', '常规', name='severity', native_enum=False, create_constraint=False, length=32), nullable=True))
        batch_op.add_column(sa.Column('candidate_type', sa.String(length=32), nullable=True))
        batch_op.create_index('ix_events_verification', ['verification', 'state'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_index('ix_events_verification')
        batch_op.drop_column('candidate_type')
        batch_op.drop_column('candidate_severity')
        batch_op.drop_column('verification')
