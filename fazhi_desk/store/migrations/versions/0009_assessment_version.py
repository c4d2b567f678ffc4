"""A version number on each assessment row, so two desks saving the same item cannot overwrite each other

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07

``assessment.version`` is SQLAlchemy's ``version_id_col``: every UPDATE says ``WHERE version = <the one
read>`` and raises instead of silently overwriting a row another desk changed in between. Existing rows
start at 1. A plain ADD COLUMN (no batch rebuild) on SQLite and PostgreSQL alike.
"""
from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('assessment', sa.Column('version', sa.Integer(), server_default='1', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('assessment') as batch_op:
        batch_op.drop_column('version')
