"""The conversation room: satisfaction surveys, FAQ entries and answers, fetched media.

Revision ID: 0003_conversation
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = '0003_conversation'
down_revision = '0002'
branch_labels = ('conversation',)
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        'surveys',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('case_id', sa.Integer(), sa.ForeignKey('cases.id'), nullable=False, unique=True),
        sa.Column('channel', sa.String(length=32), nullable=False),
        sa.Column('asked_at', TZ, nullable=False),
        sa.Column('score', sa.Integer(), nullable=True),
        sa.Column('reason', sa.String(length=32), nullable=True),
        sa.Column('free_text', sa.Text(), nullable=True),
        sa.Column('answered_at', TZ, nullable=True),
    )
    op.create_table(
        'faq_entries',
        sa.Column('id', sa.String(length=64), primary_key=True),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('unit_code', sa.String(length=64), nullable=True),
        sa.Column('questions', sa.JSON(), nullable=False),
        sa.Column('answer', sa.Text(), nullable=False),
        sa.Column('updated_at', TZ, nullable=False),
    )
    op.create_table(
        'faq_answers',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('message_id', sa.Integer(), sa.ForeignKey('messages.id'), nullable=False),
        sa.Column('contact_id', sa.Integer(), sa.ForeignKey('contacts.id'), nullable=False, index=True),
        sa.Column('entry_id', sa.String(length=64), nullable=False),
        sa.Column('score', sa.Float(), nullable=False),
        sa.Column('answered_at', TZ, nullable=False),
        sa.Column('outcome', sa.String(length=16), nullable=True),
        sa.Column('case_id', sa.Integer(), sa.ForeignKey('cases.id'), nullable=True),
    )
    op.create_table(
        'media_files',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('message_id', sa.Integer(), sa.ForeignKey('messages.id'), nullable=False, index=True),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('source', sa.Text(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('next_attempt_at', TZ, nullable=False),
        sa.Column('path', sa.String(length=300), nullable=True),
        sa.Column('content_type', sa.String(length=100), nullable=True),
        sa.Column('size', sa.Integer(), nullable=True),
        sa.Column('last_error', sa.Text(), nullable=True),
        sa.Column('created_at', TZ, nullable=False),
        sa.UniqueConstraint('message_id', 'position'),
    )


def downgrade() -> None:
    for table in ('media_files', 'faq_answers', 'faq_entries', 'surveys'):
        op.drop_table(table)
