"""early statuses: status callbacks that arrive before their message's Twilio id is stored

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-04
"""
from alembic import op
import sqlalchemy as sa


revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'early_statuses',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('twilio_sid', sa.String(length=64), nullable=False),
        sa.Column('delivery_status', sa.String(length=16), nullable=False),
        sa.Column('error_code', sa.Integer(), nullable=True),
        sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(op.f('ix_early_statuses_twilio_sid'), 'early_statuses', ['twilio_sid'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_early_statuses_twilio_sid'), table_name='early_statuses')
    op.drop_table('early_statuses')
