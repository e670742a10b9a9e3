"""The conversation room: citizens' messages answered before their sentence vectors were computed (filled later by
the worker's vector job).

Revision ID: 0004_conversation
Revises: 0003_conversation
"""
import sqlalchemy as sa
from alembic import op

revision = '0004_conversation'
down_revision = '0003_conversation'
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        'message_vectors_due',
        sa.Column('message_id', sa.Integer(), sa.ForeignKey('messages.id'), primary_key=True),
        sa.Column('due_at', TZ, nullable=False),
    )
    op.create_index('ix_message_vectors_due_due_at', 'message_vectors_due', ['due_at'])


def downgrade() -> None:
    op.drop_index('ix_message_vectors_due_due_at', table_name='message_vectors_due')
    op.drop_table('message_vectors_due')
