"""delivery status: each outbox row's Twilio message id, the last status Twilio reported with its error code, and whether a danger reply WhatsApp did not deliver was sent again by SMS

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('twilio_sid', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('delivery_status', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('error_code', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('sms_fallback', sa.String(length=16), nullable=True))
        batch_op.create_index(batch_op.f('ix_outbox_twilio_sid'), ['twilio_sid'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_twilio_sid'))
        batch_op.drop_column('sms_fallback')
        batch_op.drop_column('error_code')
        batch_op.drop_column('delivery_status')
        batch_op.drop_column('twilio_sid')
