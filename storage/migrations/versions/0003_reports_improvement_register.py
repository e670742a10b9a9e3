"""The reports room's improvement register (PMQA 3.2: what was changed because of what the agency heard).

Revision ID: 0003_reports
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = '0003_reports'
down_revision = '0002'
branch_labels = ('reports',)
depends_on = None


def upgrade() -> None:
    op.create_table(
        'improvements',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('unit_code', sa.String(length=64), sa.ForeignKey('units.code'), nullable=False),
        sa.Column('issue', sa.Text(), nullable=False),
        sa.Column('link_kind', sa.String(length=16), nullable=False),
        sa.Column('link_ref', sa.Text(), nullable=False),
        sa.Column('old_process', sa.Text(), nullable=False),
        sa.Column('old_steps', sa.Integer(), nullable=True),
        sa.Column('old_days', sa.Float(), nullable=True),
        sa.Column('new_process', sa.Text(), nullable=False),
        sa.Column('new_steps', sa.Integer(), nullable=True),
        sa.Column('new_days', sa.Float(), nullable=True),
        sa.Column('evidence', sa.Text(), nullable=False),
        sa.Column('created_by', sa.Integer(), sa.ForeignKey('users.id'), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index('ix_improvements_day', 'improvements', ['day'])


def downgrade() -> None:
    op.drop_index('ix_improvements_day', table_name='improvements')
    op.drop_table('improvements')
