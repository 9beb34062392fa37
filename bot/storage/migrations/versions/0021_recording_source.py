"""voice recordings: the Spanish text each was approved against

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa


revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Recordings approved before have none: they wait for approval again (nothing tells
    # which Spanish text they read).
    with op.batch_alter_table('voice_recordings') as table:
        table.add_column(sa.Column('source_hash', sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('voice_recordings') as table:
        table.drop_column('source_hash')
