"""A migration that exists only in the tests: batch operations on two big tables, so it can be killed half-way.

Its base is the program's newest migration (the driver passes it in the environment);
FAZHI_TEST_MIGRATION_FAIL makes it fail after its first batch operation.
"""

import os

import sqlalchemy as sa
from alembic import op

revision = "t0002"
down_revision = os.environ.get("FAZHI_TEST_MIGRATION_BASE", "0001")
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("change_log") as b:
        b.add_column(sa.Column("test_only", sa.Integer(), nullable=True))
    if os.environ.get("FAZHI_TEST_MIGRATION_FAIL"):
        raise RuntimeError("test migration failing on purpose")
    with op.batch_alter_table("item_revision") as b:
        b.add_column(sa.Column("test_only", sa.Text(), nullable=True))
    op.execute("UPDATE change_log SET test_only = length(new_value)")


def downgrade() -> None:
    with op.batch_alter_table("item_revision") as b:
        b.drop_column("test_only")
    with op.batch_alter_table("change_log") as b:
        b.drop_column("test_only")
