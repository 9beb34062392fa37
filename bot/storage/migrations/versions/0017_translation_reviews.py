"""translation reviews: reviewer accounts (language and INALI variant), reviewed translations and their changes

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa


revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('review_language', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('review_variant', sa.String(length=120), nullable=True))
    op.create_table(
        'translations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('language', sa.String(length=16), nullable=False),
        sa.Column('key', sa.String(length=200), nullable=False),
        sa.Column('draft', sa.Text(), nullable=True),
        sa.Column('drafted_by', sa.Integer(), nullable=True),
        sa.Column('drafted_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('reviewed', sa.Text(), nullable=True),
        sa.Column('source_hash', sa.String(length=64), nullable=True),
        sa.Column('variant', sa.String(length=120), nullable=True),
        sa.Column('reviewed_by', sa.Integer(), nullable=True),
        sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['drafted_by'], ['users.id']),
        sa.ForeignKeyConstraint(['reviewed_by'], ['users.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('language', 'key', name='uq_translations_entry'),
    )
    op.create_table(
        'translation_changes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('language', sa.String(length=16), nullable=False),
        sa.Column('key', sa.String(length=200), nullable=False),
        sa.Column('action', sa.String(length=16), nullable=False),
        sa.Column('text', sa.Text(), nullable=True),
        sa.Column('variant', sa.String(length=120), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id']),
        sa.PrimaryKeyConstraint('id'),
    )


def downgrade() -> None:
    op.drop_table('translation_changes')
    op.drop_table('translations')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('review_variant')
        batch_op.drop_column('review_language')
