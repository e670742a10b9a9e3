"""The places room: each case's place and merges of the same problem.

Revision ID: 0005_places
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = '0005_places'
down_revision = '0002'
branch_labels = ('places',)
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        'case_places',
        sa.Column('case_id', sa.Integer(), sa.ForeignKey('cases.id'), primary_key=True),
        sa.Column('lat', sa.Float(), nullable=False),
        sa.Column('lon', sa.Float(), nullable=False),
        sa.Column('source', sa.String(length=16), nullable=False),
        sa.Column('address', sa.Text(), nullable=True),
        sa.Column('category', sa.String(length=64), nullable=True),
        sa.Column('message_id', sa.Integer(), sa.ForeignKey('messages.id'), nullable=True),
        sa.Column('set_at', TZ, nullable=False),
    )
    op.create_index('ix_case_places_lat_lon', 'case_places', ['lat', 'lon'])
    op.create_table(
        'case_merges',
        sa.Column('case_id', sa.Integer(), sa.ForeignKey('cases.id'), primary_key=True),
        sa.Column('into_case_id', sa.Integer(), sa.ForeignKey('cases.id'), nullable=False),
        sa.Column('merged_at', TZ, nullable=False),
        sa.Column('actor', sa.String(length=254), nullable=False),
        sa.Column('relayed_event_id', sa.Integer(), nullable=False),
    )
    op.create_index('ix_case_merges_into_case_id', 'case_merges', ['into_case_id'])


def downgrade() -> None:
    op.drop_table('case_merges')
    op.drop_index('ix_case_places_lat_lon', 'case_places')
    op.drop_table('case_places')
