"""annual report text, statistics, sign-off fields of the profile

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('profile', schema=None) as batch_op:
        batch_op.add_column(sa.Column('leader', sa.String(length=200), server_default='', nullable=False))
        batch_op.add_column(sa.Column('deputy', sa.String(length=200), server_default='', nullable=False))
        batch_op.add_column(sa.Column('preparer', sa.String(length=200), server_default='', nullable=False))
    op.create_table('annual_report',
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('submit_date', sa.Date(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('year', name=op.f('pk_annual_report'))
    )
    op.create_table('annual_section',
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=20), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('draft', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('year', 'key', name=op.f('pk_annual_section'))
    )
    op.create_table('indicator',
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('doc_code', sa.String(length=16), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('unit', sa.String(length=40), nullable=False),
    sa.Column('category', sa.String(length=100), nullable=False),
    sa.Column('items', sa.Text(), nullable=False),
    sa.Column('linked_item', sa.String(length=64), nullable=False),
    sa.Column('sort_key', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_indicator'))
    )
    op.create_table('statistic_value',
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('value', sa.Float(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('year', 'code', name=op.f('pk_statistic_value'))
    )


def downgrade() -> None:
    op.drop_table('statistic_value')
    op.drop_table('indicator')
    op.drop_table('annual_section')
    op.drop_table('annual_report')
    with op.batch_alter_table('profile', schema=None) as batch_op:
        batch_op.drop_column('preparer')
        batch_op.drop_column('deputy')
        batch_op.drop_column('leader')
