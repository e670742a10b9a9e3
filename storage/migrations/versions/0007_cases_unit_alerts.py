"""The case domain's urgent alerts: one per urgent case, shown to its unit until acknowledged.

Revision ID: 0007_cases
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = '0007_cases'
down_revision = '0002'
branch_labels = ('cases',)
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        'unit_alerts',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('case_id', sa.Integer(), sa.ForeignKey('cases.id'), nullable=False),
        sa.Column('unit_code', sa.String(length=64), nullable=False),
        sa.Column('reason', sa.Text(), nullable=True),
        sa.Column('created_at', TZ, nullable=False),
        sa.Column('acknowledged_at', TZ, nullable=True),
        sa.Column('acknowledged_by', sa.String(length=254), nullable=True),
    )
    op.create_index('ix_unit_alerts_case_id', 'unit_alerts', ['case_id'])
    op.create_index('ix_unit_alerts_unit_code', 'unit_alerts', ['unit_code'])


def downgrade() -> None:
    op.drop_index('ix_unit_alerts_unit_code', table_name='unit_alerts')
    op.drop_index('ix_unit_alerts_case_id', table_name='unit_alerts')
    op.drop_table('unit_alerts')
