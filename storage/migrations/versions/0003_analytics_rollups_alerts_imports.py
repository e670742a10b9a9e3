"""The analytics room: daily rollups, spike alerts, imported-row fingerprints and the rollup watermark.

Revision ID: 0003_analytics
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = '0003_analytics'
down_revision = '0002'
branch_labels = ('analytics',)
depends_on = None


def upgrade() -> None:
    op.create_table(
        'analytics_daily',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('channel', sa.String(length=32), nullable=False),
        sa.Column('intent', sa.String(length=32), nullable=False),
        sa.Column('unit_code', sa.String(length=64), nullable=False),
        sa.Column('sentiment', sa.String(length=8), nullable=False),
        sa.Column('citizen_group', sa.String(length=100), nullable=False),
        sa.Column('status_bucket', sa.String(length=8), nullable=False),
        *[sa.Column(name, sa.Integer(), nullable=False) for name in (
            'messages', 'cases', 'responded', 'response_days', 'responded_on_time', 'resolved', 'resolution_days',
            'resolved_on_time', 'rated', 'rating_sum')],
    )
    op.create_index('ix_analytics_daily_day', 'analytics_daily', ['day'])
    op.create_table(
        'analytics_daily_issues',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('issue_key', sa.String(length=300), nullable=False),
        sa.Column('unit_code', sa.String(length=64), nullable=False),
        sa.Column('channel', sa.String(length=32), nullable=False),
        sa.Column('count', sa.Integer(), nullable=False),
        sa.Column('case_ids', sa.JSON(), nullable=False),
    )
    op.create_index('ix_analytics_issues_day', 'analytics_daily_issues', ['day', 'issue_key'])
    op.create_index('ix_analytics_issues_key', 'analytics_daily_issues', ['issue_key', 'day'])
    op.create_table(
        'analytics_spike_alerts',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('series_key', sa.String(length=400), nullable=False),
        sa.Column('label', sa.String(length=300), nullable=False),
        sa.Column('unit_code', sa.String(length=64), nullable=True),
        sa.Column('started_at', sa.Date(), nullable=False),
        sa.Column('last_day', sa.Date(), nullable=False),
        sa.Column('detected_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('count', sa.Integer(), nullable=False),
        sa.Column('expected', sa.Float(), nullable=False),
        sa.Column('score', sa.Float(), nullable=False),
        sa.Column('p_value', sa.Float(), nullable=False),
        sa.Column('case_ids', sa.JSON(), nullable=False),
        sa.UniqueConstraint('series_key', 'started_at', name='uq_analytics_spike_series_start'),
    )
    op.create_index('ix_analytics_spike_detected', 'analytics_spike_alerts', ['detected_at'])
    op.create_index('ix_analytics_spike_alerts_unit_code', 'analytics_spike_alerts', ['unit_code'])
    op.create_table(
        'analytics_imported_rows',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('fingerprint', sa.String(length=80), nullable=False, unique=True),
        sa.Column('source', sa.String(length=200), nullable=False),
        sa.Column('line', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), sa.ForeignKey('cases.id'), nullable=True),
        sa.Column('satisfaction', sa.Integer(), nullable=True),
        sa.Column('imported_at', sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index('ix_analytics_imported_rows_case_id', 'analytics_imported_rows', ['case_id'])
    op.create_table(
        'analytics_watermarks',
        sa.Column('name', sa.String(length=64), primary_key=True),
        sa.Column('message_id', sa.Integer(), nullable=False),
        sa.Column('case_updated_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table('analytics_watermarks')
    op.drop_index('ix_analytics_imported_rows_case_id', table_name='analytics_imported_rows')
    op.drop_table('analytics_imported_rows')
    op.drop_index('ix_analytics_spike_alerts_unit_code', table_name='analytics_spike_alerts')
    op.drop_index('ix_analytics_spike_detected', table_name='analytics_spike_alerts')
    op.drop_table('analytics_spike_alerts')
    op.drop_index('ix_analytics_issues_key', table_name='analytics_daily_issues')
    op.drop_index('ix_analytics_issues_day', table_name='analytics_daily_issues')
    op.drop_table('analytics_daily_issues')
    op.drop_index('ix_analytics_daily_day', table_name='analytics_daily')
    op.drop_table('analytics_daily')
