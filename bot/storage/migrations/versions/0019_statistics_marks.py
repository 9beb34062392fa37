"""statistics: counts pending until folded, what is published, and the day's keyed marks

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa


revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'stat_pending',
        sa.Column('id', sa.String(length=32), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('state', sa.String(length=2), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('value', sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sqlite_with_rowid=False,  # kept in the order of the random ids, not of insertion
    )
    op.create_table(
        'stat_published',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('until', sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_table(
        'stat_day_keys',
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('key', sa.LargeBinary(length=32), nullable=False),
        sa.PrimaryKeyConstraint('day'),
    )
    op.create_table(
        'stat_marks',
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('mark', sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint('day', 'mark'),
        sqlite_with_rowid=False,
    )


def downgrade() -> None:
    for table in ('stat_marks', 'stat_day_keys', 'stat_published', 'stat_pending'):
        op.drop_table(table)
