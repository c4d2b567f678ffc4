"""item score (分值)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30

分值 of an item in a county's 考核 table, on each item revision (NULL: the document has no scores).
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('item_revision', schema=None) as batch_op:
        batch_op.add_column(sa.Column('score', sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('item_revision', schema=None) as batch_op:
        batch_op.drop_column('score')
