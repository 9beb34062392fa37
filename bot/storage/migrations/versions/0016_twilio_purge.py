"""twilio purge: the queue of Twilio messages to delete (their ids sealed), the inbound message each reply answers, which messages and replies were queued for deletion, and the sealed copy of received media

Revision ID: 0016
Revises: 0014
Create Date: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa


revision = '0016'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'twilio_deletions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('sealed_sid', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('leased_until', sa.DateTime(timezone=True), nullable=True),
        sa.Column('last_error', sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_twilio_deletions_due', 'twilio_deletions', ['next_attempt_at'], unique=False)
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reply_to', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('purge_queued_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_outbox_reply_to'), ['reply_to'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_purge_queued_at'), ['purge_queued_at'], unique=False)
    with op.batch_alter_table('processed_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('purge_queued_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_processed_messages_purge_queued_at'), ['purge_queued_at'], unique=False)
    with op.batch_alter_table('received_media', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sealed_content', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('copied_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('copy_after', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('received_media', schema=None) as batch_op:
        batch_op.drop_column('copy_after')
        batch_op.drop_column('copied_at')
        batch_op.drop_column('sealed_content')
    with op.batch_alter_table('processed_messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_processed_messages_purge_queued_at'))
        batch_op.drop_column('purge_queued_at')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_purge_queued_at'))
        batch_op.drop_index(batch_op.f('ix_outbox_reply_to'))
        batch_op.drop_column('purge_queued_at')
        batch_op.drop_column('reply_to')
    op.drop_index('ix_twilio_deletions_due', table_name='twilio_deletions')
    op.drop_table('twilio_deletions')
