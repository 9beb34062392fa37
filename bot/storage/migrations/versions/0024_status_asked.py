"""outbox: when Twilio was last asked how a held danger reply fared (its report was late)

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-04
"""
from alembic import op
import sqlalchemy as sa


revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('outbox') as table:
        table.add_column(sa.Column('status_asked_at', sa.DateTime(timezone=True), nullable=True))
        table.create_index('ix_outbox_urgent', ['urgent'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('outbox') as table:
        table.drop_index('ix_outbox_urgent')
        table.drop_column('status_asked_at')
