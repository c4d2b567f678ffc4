"""A migration that exists only in the tests: batch operations on two big tables, so it can be killed half-way.

Its base is the program's newest migration (the driver passes it in the environment);
FAZHI_TEST_MIGRATION_FAIL makes it fail after its first batch operation; the pause point
``migrate.t0002_half_way`` (fazhi_desk.testpoints) lets a test kill it there.
"""

import os

import sqlalchemy as sa
from alembic import op

from fazhi_desk.testpoints import pause

revision = "t0002"
down_revision = os.environ.get("FAZHI_TEST_MIGRATION_BASE", "0001")
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("change_log") as b:
        b.add_column(sa.Column("test_only", sa.Integer(), nullable=True))
    if os.environ.get("FAZHI_TEST_MIGRATION_FAIL"):
        raise RuntimeError("test migration failing on purpose")
    pause("migrate.t0002_half_way")  # one table rebuilt, the other not yet
    with op.batch_alter_table("item_revision") as b:
        b.add_column(sa.Column("test_only", sa.Text(), nullable=True))
    op.execute("UPDATE change_log SET test_only = length(new_value)")


def downgrade() -> None:
    with op.batch_alter_table("item_revision") as b:
        b.drop_column("test_only")
    with op.batch_alter_table("change_log") as b:
        b.drop_column("test_only")
