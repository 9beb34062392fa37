"""channel tables: contacts, processed messages, received media

Revision ID: 0001
Revises: 
Create Date: 2026-11-22
"""
from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('contacts',
    sa.Column('sender_id', sa.String(length=64), nullable=False),
    sa.Column('sealed_address', sa.Text(), nullable=False),
    sa.Column('our_address', sa.String(length=64), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('opted_out', sa.Boolean(), nullable=False),
    sa.Column('last_message_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('sender_id')
    )
    op.create_table('processed_messages',
    sa.Column('message_sid', sa.String(length=64), nullable=False),
    sa.Column('sender_id', sa.String(length=64), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('message_sid')
    )
    with op.batch_alter_table('processed_messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_processed_messages_sender_id'), ['sender_id'], unique=False)

    op.create_table('received_media',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sender_id', sa.String(length=64), nullable=False),
    sa.Column('message_sid', sa.String(length=64), nullable=False),
    sa.Column('content_type', sa.String(length=128), nullable=False),
    sa.Column('sealed_url', sa.Text(), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('received_media', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_received_media_sender_id'), ['sender_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('received_media', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_received_media_sender_id'))

    op.drop_table('received_media')
    with op.batch_alter_table('processed_messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_processed_messages_sender_id'))

    op.drop_table('processed_messages')
    op.drop_table('contacts')
