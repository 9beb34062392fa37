"""staff alerts: staff e-mail addresses; which observatory's staff were last alerted of a waiting handoff and when it was escalated

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01
"""
from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None
# SQLite rebuilds the table to add a foreign key: it stays AUTOINCREMENT (ids never given again).
KEEP_IDS_UNIQUE = {'sqlite_autoincrement': True}


def upgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email', sa.String(length=254), nullable=True))
    with op.batch_alter_table('handoffs', schema=None, table_kwargs=KEEP_IDS_UNIQUE) as batch_op:
        batch_op.add_column(sa.Column('alerted_observatory_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_handoffs_alerted_observatory_id_organisations', 'organisations',
                                    ['alerted_observatory_id'], ['id'])
        batch_op.add_column(sa.Column('escalated_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('handoffs', schema=None, table_kwargs=KEEP_IDS_UNIQUE) as batch_op:
        batch_op.drop_column('escalated_at')
        batch_op.drop_constraint('fk_handoffs_alerted_observatory_id_organisations', type_='foreignkey')
        batch_op.drop_column('alerted_observatory_id')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('email')
