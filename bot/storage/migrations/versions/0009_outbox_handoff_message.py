"""outbox: the staff reply a row delivers, for its mark in the inbox

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01
"""
from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('handoff_message_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_outbox_handoff_message_id'), ['handoff_message_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_handoff_message_id'))
        batch_op.drop_column('handoff_message_id')
