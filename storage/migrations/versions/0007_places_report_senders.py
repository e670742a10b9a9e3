"""The places room: web reports per client address within the hour, shared by every web process (flood limit).

Revision ID: 0007_places
Revises: 0006_places
"""
import sqlalchemy as sa
from alembic import op

revision = '0007_places'
down_revision = '0006_places'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'report_senders',
        sa.Column('address_key', sa.String(length=64), primary_key=True),
        sa.Column('sent_at', sa.JSON(), nullable=False),
        sa.Column('last_at', sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index('ix_report_senders_last_at', 'report_senders', ['last_at'])


def downgrade() -> None:
    op.drop_index('ix_report_senders_last_at', table_name='report_senders')
    op.drop_table('report_senders')
