"""staff audit kept after erasure, under a random case reference; handoff ids never reused

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""
import secrets

from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # SQLite gives a deleted row's id again unless the table is AUTOINCREMENT (rebuilt here);
    # PostgreSQL's sequences never do.
    sqlite = op.get_bind().dialect.name == 'sqlite'
    with op.batch_alter_table('handoffs', schema=None, recreate='always' if sqlite else 'auto',
                              table_kwargs={'sqlite_autoincrement': True}) as batch_op:
        batch_op.add_column(sa.Column('case_ref', sa.String(length=32), nullable=True))
    handoffs = sa.table('handoffs', sa.column('id', sa.Integer), sa.column('case_ref', sa.String))
    connection = op.get_bind()
    for (handoff_id,) in connection.execute(sa.select(handoffs.c.id)).all():
        connection.execute(handoffs.update().where(handoffs.c.id == handoff_id)
                           .values(case_ref=secrets.token_hex(8)))
    with op.batch_alter_table('handoffs', schema=None, table_kwargs={'sqlite_autoincrement': True}) as batch_op:
        batch_op.alter_column('case_ref', existing_type=sa.String(length=32), nullable=False)
    with op.batch_alter_table('staff_audit', schema=None) as batch_op:
        batch_op.add_column(sa.Column('case_ref', sa.String(length=32), nullable=True))
    op.execute("UPDATE staff_audit SET case_ref = (SELECT case_ref FROM handoffs WHERE handoffs.id = staff_audit.handoff_id)")
    with op.batch_alter_table('staff_audit', schema=None) as batch_op:
        batch_op.alter_column('case_ref', existing_type=sa.String(length=32), nullable=False)
        batch_op.alter_column('handoff_id', existing_type=sa.Integer(), nullable=True)
        batch_op.alter_column('sender_id', existing_type=sa.String(length=64), nullable=True)
        batch_op.create_index(batch_op.f('ix_staff_audit_case_ref'), ['case_ref'], unique=False)


def downgrade() -> None:
    op.execute("DELETE FROM staff_audit WHERE handoff_id IS NULL")
    with op.batch_alter_table('staff_audit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_audit_case_ref'))
        batch_op.alter_column('sender_id', existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column('handoff_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column('case_ref')
    with op.batch_alter_table('handoffs', schema=None) as batch_op:
        batch_op.drop_column('case_ref')
