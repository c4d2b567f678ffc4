"""报送 (a year's return sent to the county, frozen), the answers of an office that starts late, carried fields

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07

* ``year_submission``: one row per return marked 已报送 (kind 报送) or sent again after an edit
  (kind 更正), with its 导出编号, the previous return's, the reason and the year's frozen figures.
* ``prior_work``: an office's one answer (以前年度已完成 / 仍需完成) for a one-time item due before
  its 开始使用年度.
* ``carried_field``: a field carry-forward copied from an earlier year (沿用自2025年) until edited.

Plain CREATE TABLE / CREATE INDEX only: no batch rebuild, so no _alembic_tmp_ table can be left behind.
"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('year_submission',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('export_id', sa.Text(), nullable=False),
    sa.Column('kind', sa.Text(), nullable=False),
    sa.Column('previous_export_id', sa.Text(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('figures', sa.Text(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('submitted_by', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_year_submission'))
    )
    op.create_index('ix_year_submission_year', 'year_submission', ['year'], unique=False)
    op.create_table('prior_work',
    sa.Column('item_id', sa.String(length=64), nullable=False),
    sa.Column('choice', sa.Text(), nullable=False),
    sa.Column('due_year', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_by', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['item.item_id'], name=op.f('fk_prior_work_item_id_item')),
    sa.PrimaryKeyConstraint('item_id', name=op.f('pk_prior_work'))
    )
    op.create_table('carried_field',
    sa.Column('item_id', sa.String(length=64), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('field', sa.Text(), nullable=False),
    sa.Column('from_year', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['item.item_id'], name=op.f('fk_carried_field_item_id_item')),
    sa.PrimaryKeyConstraint('item_id', 'year', 'field', name=op.f('pk_carried_field'))
    )


def downgrade() -> None:
    op.drop_table('carried_field')
    op.drop_table('prior_work')
    op.drop_index('ix_year_submission_year', table_name='year_submission')
    op.drop_table('year_submission')
