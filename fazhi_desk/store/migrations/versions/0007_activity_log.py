"""activity log (活动台账): one row per session of counted work, and the evidence links of a session

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07
"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('activity',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.String(length=64), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('place', sa.Text(), nullable=False),
    sa.Column('people', sa.Text(), nullable=False),
    sa.Column('quantity', sa.Float(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['item_id'], ['item.item_id'], name=op.f('fk_activity_item_id_item')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_activity'))
    )
    # Plain CREATE INDEX: no batch mode, so no _alembic_tmp_ table can be left behind.
    op.create_index('ix_activity_item_year', 'activity', ['item_id', 'year'], unique=False)
    op.create_table('activity_evidence',
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('link_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['activity_id'], ['activity.id'], name=op.f('fk_activity_evidence_activity_id_activity'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['link_id'], ['evidence_link.id'],
                            name=op.f('fk_activity_evidence_link_id_evidence_link'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('activity_id', 'link_id', name=op.f('pk_activity_evidence'))
    )


def downgrade() -> None:
    op.drop_table('activity_evidence')
    op.drop_index('ix_activity_item_year', table_name='activity')
    op.drop_table('activity')
