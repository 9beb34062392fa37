"""staff audit: changes to staff accounts (whose account, what changed; made from the command line: no author)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('staff_audit', schema=None) as batch_op:
        batch_op.add_column(sa.Column('target_user_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('detail', sa.String(length=200), nullable=True))
        batch_op.create_foreign_key('fk_staff_audit_target_user_id_users', 'users', ['target_user_id'], ['id'])
        batch_op.create_index(batch_op.f('ix_staff_audit_target_user_id'), ['target_user_id'], unique=False)
        batch_op.alter_column('user_id', existing_type=sa.Integer(), nullable=True)
        batch_op.alter_column('case_ref', existing_type=sa.String(length=32), nullable=True)


def downgrade() -> None:
    op.execute("DELETE FROM staff_audit WHERE case_ref IS NULL OR user_id IS NULL")
    with op.batch_alter_table('staff_audit', schema=None) as batch_op:
        batch_op.alter_column('case_ref', existing_type=sa.String(length=32), nullable=False)
        batch_op.alter_column('user_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_index(batch_op.f('ix_staff_audit_target_user_id'))
        batch_op.drop_constraint('fk_staff_audit_target_user_id_users', type_='foreignkey')
        batch_op.drop_column('detail')
        batch_op.drop_column('target_user_id')
