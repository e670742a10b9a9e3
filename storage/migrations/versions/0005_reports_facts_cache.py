"""The PMQA report's per-case facts (kept from the cases changed since) and the cache of built reports.

Revision ID: 0005_reports
Revises: 0004_reports
"""
import sqlalchemy as sa
from alembic import op

revision = '0005_reports'
down_revision = '0004_reports'
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        'report_case_facts',
        sa.Column('case_id', sa.Integer(), sa.ForeignKey('cases.id'), primary_key=True),
        sa.Column('created_at', TZ, nullable=False),
        sa.Column('fiscal_year', sa.Integer(), nullable=False),
        sa.Column('month', sa.Integer(), nullable=False),
        sa.Column('channel', sa.String(length=32), nullable=False),
        sa.Column('intent', sa.String(length=32), nullable=False),
        sa.Column('unit_code', sa.String(length=64), nullable=False),
        sa.Column('status', sa.String(length=32), nullable=False),
        sa.Column('citizen_group', sa.String(length=100), nullable=True),
        sa.Column('due_at', TZ, nullable=False),
        sa.Column('category', sa.String(length=64), nullable=True),
        sa.Column('issue', sa.String(length=300), nullable=True),
        sa.Column('response_days', sa.Integer(), nullable=True),
        sa.Column('first_within', sa.Boolean(), nullable=False),
        sa.Column('resolved', sa.Boolean(), nullable=False),
        sa.Column('resolution_days', sa.Integer(), nullable=True),
        sa.Column('within_standard', sa.Boolean(), nullable=False),
        sa.Column('repeat_of', sa.Integer(), nullable=True),
        sa.Column('flow_reached', sa.Integer(), nullable=False),
        *(sa.Column(f'flow_gap{n}', sa.Integer(), nullable=True) for n in range(1, 7)),
        sa.Column('case_updated_at', TZ, nullable=False),
    )
    op.create_index('ix_report_case_facts_created_at', 'report_case_facts', ['created_at'])
    op.create_index('ix_report_facts_year', 'report_case_facts', ['fiscal_year', 'intent'])
    op.create_index('ix_cases_updated_at', 'cases', ['updated_at'])  # the facts follow the cases changed since
    op.create_table(
        'report_cache',
        sa.Column('key', sa.String(length=120), primary_key=True),
        sa.Column('data_version', sa.String(length=200), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('stage', sa.String(length=200), nullable=False),
        sa.Column('progress', sa.Float(), nullable=False),
        sa.Column('body', sa.LargeBinary(), nullable=True),
        sa.Column('error', sa.Text(), nullable=True),
        sa.Column('started_at', TZ, nullable=False),
        sa.Column('updated_at', TZ, nullable=False),
    )


def downgrade() -> None:
    op.drop_table('report_cache')
    op.drop_index('ix_cases_updated_at', 'cases')
    op.drop_table('report_case_facts')
