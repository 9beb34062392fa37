"""whatsapp contents: the Content API resources made for replies' options, and the options of each outbox row

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa


revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'whatsapp_contents',
        sa.Column('friendly_name', sa.String(length=64), nullable=False),
        sa.Column('content_sid', sa.String(length=64), nullable=True),
        sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('friendly_name'),
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sealed_options', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_column('sealed_options')
    op.drop_table('whatsapp_contents')
