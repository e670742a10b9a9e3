"""The places room: officers' after-photos (proof of fix) and the perceptual hashes of citizens' photos.

Revision ID: 0006_places
Revises: 0005_places
"""
import sqlalchemy as sa
from alembic import op

revision = '0006_places'
down_revision = '0005_places'
branch_labels = None
depends_on = ('0003_conversation',)  # media_files

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        'case_after_photos',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('case_id', sa.Integer(), sa.ForeignKey('cases.id'), nullable=False),
        sa.Column('path', sa.String(length=300), nullable=False),
        sa.Column('content_type', sa.String(length=100), nullable=False),
        sa.Column('phash', sa.String(length=16), nullable=False),
        sa.Column('taken_at', TZ, nullable=True),
        sa.Column('uploaded_by', sa.String(length=254), nullable=False),
        sa.Column('uploaded_at', TZ, nullable=False),
        sa.Column('reused_case_id', sa.Integer(), sa.ForeignKey('cases.id'), nullable=True),
        sa.Column('taken_before_report', sa.Boolean(), nullable=False),
    )
    op.create_index('ix_case_after_photos_case_id', 'case_after_photos', ['case_id'])
    op.create_index('ix_case_after_photos_phash', 'case_after_photos', ['phash'])
    op.create_table(
        'photo_hashes',
        sa.Column('media_id', sa.Integer(), sa.ForeignKey('media_files.id'), primary_key=True),
        sa.Column('phash', sa.String(length=16), nullable=False),
    )
    op.create_index('ix_photo_hashes_phash', 'photo_hashes', ['phash'])


def downgrade() -> None:
    op.drop_table('photo_hashes')
    op.drop_table('case_after_photos')
