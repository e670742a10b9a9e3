"""The accounts room's failed sign-ins per account, shared by every web process.

Revision ID: 0004_accounts
Revises: 0003_accounts
"""
import sqlalchemy as sa
from alembic import op


revision = '0004_accounts'
down_revision = '0003_accounts'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'sign_in_failures',
        sa.Column('email_key', sa.String(length=320), primary_key=True),
        sa.Column('failures', sa.Integer(), nullable=False),
        sa.Column('last_failed_at', sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index('ix_sign_in_failures_last_failed_at', 'sign_in_failures', ['last_failed_at'])


def downgrade() -> None:
    op.drop_index('ix_sign_in_failures_last_failed_at', table_name='sign_in_failures')
    op.drop_table('sign_in_failures')
