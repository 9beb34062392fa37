"""national desk and routing: the observatory designated as the national desk; when a handoff began waiting where it is and its custody span; staff phone numbers for alerts

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None
KEEP_IDS_UNIQUE = {'sqlite_autoincrement': True}  # as in 0010: ids are never given again


def upgrade() -> None:
    op.create_table(
        'national_desk',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('observatory_id', sa.Integer(), nullable=False),
        sa.Column('set_by', sa.Integer(), nullable=True),
        sa.Column('set_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['observatory_id'], ['organisations.id']),
        sa.ForeignKeyConstraint(['set_by'], ['users.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('handoffs', schema=None, table_kwargs=KEEP_IDS_UNIQUE) as batch_op:
        batch_op.add_column(sa.Column('waiting_since', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('custody', sa.Integer(), nullable=False, server_default='0'))
    op.execute("UPDATE handoffs SET waiting_since = created_at")
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('alert_phone', sa.String(length=20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('alert_phone')
    with op.batch_alter_table('handoffs', schema=None, table_kwargs=KEEP_IDS_UNIQUE) as batch_op:
        batch_op.drop_column('custody')
        batch_op.drop_column('waiting_since')
    op.drop_table('national_desk')
