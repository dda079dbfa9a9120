"""Server-side dashboard sessions, the signed links spent by closing or returning a case, and
posts' masked search text

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-21 09:00:00.000000
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa

from storage.types import UTCDateTime


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'login_sessions',
        sa.Column('id', sa.String(length=64), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('last_seen_at', UTCDateTime(), nullable=False),
        sa.Column('revoked_at', UTCDateTime(), nullable=True),
        sa.Column('revoked_reason', sa.String(length=32), nullable=True),
        sa.Column('ip', sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_login_sessions_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_login_sessions')),
    )
    with op.batch_alter_table('login_sessions', schema=None) as batch_op:
        batch_op.create_index('ix_login_sessions_user_id_revoked_at', ['user_id', 'revoked_at'], unique=False)
    op.create_table(
        'link_uses',
        sa.Column('token_id', sa.String(length=64), nullable=False),
        sa.Column('assignment_id', sa.Integer(), nullable=False),
        sa.Column('action', sa.String(length=16), nullable=False),
        sa.Column('used_at', UTCDateTime(), nullable=False),
        sa.Column('ip', sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(['assignment_id'], ['assignments.id'], name=op.f('fk_link_uses_assignment_id_assignments')),
        sa.PrimaryKeyConstraint('token_id', name=op.f('pk_link_uses')),
    )
    with op.batch_alter_table('posts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('search_masked', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('posts', schema=None) as batch_op:
        batch_op.drop_column('search_masked')
    op.drop_table('link_uses')
    with op.batch_alter_table('login_sessions', schema=None) as batch_op:
        batch_op.drop_index('ix_login_sessions_user_id_revoked_at')
    op.drop_table('login_sessions')
