"""The citizen group a register entry adapted a service for (PMQA 3.3: services adapted per citizen group).

Revision ID: 0004_reports
Revises: 0003_reports
"""
import sqlalchemy as sa
from alembic import op

revision = '0004_reports'
down_revision = '0003_reports'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('improvements', sa.Column('citizen_group', sa.String(length=100), nullable=True))


def downgrade() -> None:
    op.drop_column('improvements', 'citizen_group')
