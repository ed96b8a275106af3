"""incremental re-scans: page validators and content hash; shared external link verdicts

Additive only (the previous release keeps running on it).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa
import xunjian.storage.types


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('pages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('etag', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('last_modified', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('content_hash', sa.String(length=64), nullable=True))
    op.create_table('link_verdicts',
    sa.Column('target', sa.String(length=2000), nullable=False),
    sa.Column('outcome', sa.String(length=20), nullable=False),
    sa.Column('status', sa.Integer(), nullable=True),
    sa.Column('reason', sa.String(length=500), nullable=True),
    sa.Column('final_url', sa.String(length=2000), nullable=True),
    sa.Column('checked_at', xunjian.storage.types.TZDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('target')
    )
    with op.batch_alter_table('link_verdicts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_link_verdicts_checked_at'), ['checked_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('link_verdicts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_link_verdicts_checked_at'))
    op.drop_table('link_verdicts')
    with op.batch_alter_table('pages', schema=None) as batch_op:
        batch_op.drop_column('content_hash')
        batch_op.drop_column('last_modified')
        batch_op.drop_column('etag')
