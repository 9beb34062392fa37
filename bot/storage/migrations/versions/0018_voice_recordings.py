"""voice recordings: replies read aloud by partners, uploaded and reviewed on the staff pages

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None

def upgrade() -> None:
    op.create_table(
        'voice_recordings',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('reply_key', sa.String(length=100), nullable=False),
        sa.Column('language', sa.String(length=16), nullable=False),
        sa.Column('content_type', sa.String(length=32), nullable=False),
        sa.Column('audio', sa.LargeBinary(), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('uploaded_by', sa.Integer(), nullable=True),
        sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('reviewed_by', sa.Integer(), nullable=True),
        sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['uploaded_by'], ['users.id']),
        sa.ForeignKeyConstraint(['reviewed_by'], ['users.id'], name='fk_voice_recordings_reviewed_by_users'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_voice_recordings_reply', 'voice_recordings', ['reply_key', 'language', 'status'])

def downgrade() -> None:
    op.drop_index('ix_voice_recordings_reply', table_name='voice_recordings')
    op.drop_table('voice_recordings')
