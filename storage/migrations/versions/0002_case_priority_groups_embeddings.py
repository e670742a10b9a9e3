"""Columns the feature rooms share: case priority and unit suggestions, citizen groups, message embeddings.

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('cases') as batch:
        batch.add_column(sa.Column('priority', sa.String(length=16), nullable=False, server_default='normal'))
        batch.add_column(sa.Column('priority_reason', sa.String(length=200), nullable=True))
        batch.add_column(sa.Column('unit_candidates', sa.JSON(), nullable=True))
        batch.add_column(sa.Column('citizen_group', sa.String(length=100), nullable=True))
        batch.create_index('ix_cases_priority', ['priority'])
    with op.batch_alter_table('contacts') as batch:
        batch.add_column(sa.Column('citizen_group', sa.String(length=100), nullable=True))
        batch.add_column(sa.Column('phone', sa.String(length=64), nullable=True))
        batch.add_column(sa.Column('privacy_notice_at', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('messages') as batch:
        batch.add_column(sa.Column('embedding', sa.LargeBinary(), nullable=True))
        batch.add_column(sa.Column('priority', sa.String(length=16), nullable=True))
        batch.add_column(sa.Column('priority_reason', sa.String(length=200), nullable=True))
        batch.add_column(sa.Column('unit_candidates', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('messages') as batch:
        for name in ('unit_candidates', 'priority_reason', 'priority', 'embedding'):
            batch.drop_column(name)
    with op.batch_alter_table('contacts') as batch:
        for name in ('privacy_notice_at', 'phone', 'citizen_group'):
            batch.drop_column(name)
    with op.batch_alter_table('cases') as batch:
        batch.drop_index('ix_cases_priority')
        for name in ('citizen_group', 'unit_candidates', 'priority_reason', 'priority'):
            batch.drop_column(name)
