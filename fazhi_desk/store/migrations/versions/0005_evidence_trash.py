"""evidence trash: removed evidence links kept 30 days so they can be restored

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('evidence_trash',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('mime', sa.String(length=200), nullable=False),
    sa.Column('item_id', sa.String(length=64), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('original_name', sa.Text(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('doc_date', sa.Date(), nullable=True),
    sa.Column('file_mtime', sa.DateTime(), nullable=True),
    sa.Column('added_at', sa.DateTime(), nullable=False),
    sa.Column('added_by', sa.String(length=200), nullable=False),
    sa.Column('removed_at', sa.DateTime(), nullable=False),
    sa.Column('removed_by', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evidence_trash'))
    )
    # Plain CREATE INDEX: no batch mode, so no _alembic_tmp_ table can be left behind.
    op.create_index(op.f('ix_evidence_trash_sha256'), 'evidence_trash', ['sha256'], unique=False)
    op.create_index(op.f('ix_evidence_trash_removed_at'), 'evidence_trash', ['removed_at'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_evidence_trash_removed_at'), table_name='evidence_trash')
    op.drop_index(op.f('ix_evidence_trash_sha256'), table_name='evidence_trash')
    op.drop_table('evidence_trash')
