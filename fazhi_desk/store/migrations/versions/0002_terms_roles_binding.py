"""document term, item township role, profile binding documents

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30

施行期限 (a plan's first and last year in force) on the document; 乡镇角色 on each
item revision ("" for revisions written before: read as 牵头 where the item
applies to townships, else 仅供了解); 适用文件 in the office profile ("": not
chosen yet, every document counts as before).
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.add_column(sa.Column('term_start', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('term_end', sa.Integer(), nullable=True))
    with op.batch_alter_table('item_revision', schema=None) as batch_op:
        batch_op.add_column(sa.Column('township_role', sa.String(length=10), nullable=False, server_default=''))
    with op.batch_alter_table('profile', schema=None) as batch_op:
        batch_op.add_column(sa.Column('binding_documents', sa.Text(), nullable=False, server_default=''))


def downgrade() -> None:
    with op.batch_alter_table('profile', schema=None) as batch_op:
        batch_op.drop_column('binding_documents')
    with op.batch_alter_table('item_revision', schema=None) as batch_op:
        batch_op.drop_column('township_role')
    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.drop_column('term_end')
        batch_op.drop_column('term_start')
