"""计量方式 (逐次登记) of an item revision

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07

``item_revision.measure``: "逐次登记" where the catalogue says the item's 实际值 is the total of its
activity log (活动记录), "" otherwise (every revision stored before this one). A plain ADD COLUMN
with a server default, the table's last column: no batch rebuild, so no _alembic_tmp_ table can be
left behind and existing rows read "".
"""
from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('item_revision', sa.Column('measure', sa.Text(), server_default='', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('item_revision', schema=None) as batch_op:
        batch_op.drop_column('measure')
