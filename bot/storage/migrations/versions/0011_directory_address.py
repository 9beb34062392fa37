"""directory: an organisation's address in a column of its own (it opened `services` as "Dirección: …;")

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None
PREFIX = 'Dirección: '  # how `services` opened with an address before this revision
ORGANISATIONS = sa.table('organisations', sa.column('id', sa.Integer), sa.column('address', sa.String),
                         sa.column('services', sa.Text))


def upgrade() -> None:
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('address', sa.String(length=300), nullable=True))
    connection = op.get_bind()
    rows = connection.execute(sa.select(ORGANISATIONS.c.id, ORGANISATIONS.c.services)
                              .where(ORGANISATIONS.c.services.like(PREFIX + '%'))).all()
    for organisation_id, services in rows:
        address, _, rest = services[len(PREFIX):].partition(';')
        connection.execute(ORGANISATIONS.update().where(ORGANISATIONS.c.id == organisation_id)
                           .values(address=address.strip()[:300], services=rest.strip() or None))


def downgrade() -> None:
    connection = op.get_bind()
    rows = connection.execute(sa.select(ORGANISATIONS.c.id, ORGANISATIONS.c.address, ORGANISATIONS.c.services)
                              .where(ORGANISATIONS.c.address.isnot(None))).all()
    for organisation_id, address, services in rows:
        connection.execute(ORGANISATIONS.update().where(ORGANISATIONS.c.id == organisation_id)
                           .values(services='; '.join(filter(None, (PREFIX + address, services)))))
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.drop_column('address')
