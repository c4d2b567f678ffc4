"""Start the store with the test-only migration t0002 added (run as a script by the migration fault tests).

Usage: python migration_driver.py DATA_DIR. Prints "<revision> <change_log rows>" once the store is open.
"""

import os
import sys
from pathlib import Path

from fazhi_desk.store import db

os.environ.setdefault("FAZHI_TEST_MIGRATION_BASE", db.HEAD_REVISION)
_shipped = Path(db.__file__).resolve().parent / "migrations" / "versions"
_extra = Path(__file__).resolve().parent / "migrations_for_tests"
_config = db._alembic_config


def _with_test_migration():  # noqa: ANN202
    cfg = _config()
    cfg.set_main_option("version_path_separator", "os")
    cfg.set_main_option("version_locations", os.pathsep.join([str(_shipped), str(_extra)]))
    return cfg


db._alembic_config = _with_test_migration
db.HEAD_REVISION = "t0002"

if __name__ == "__main__":
    from sqlalchemy import func, select

    from fazhi_desk.paths import DataDir
    from fazhi_desk.store.models import ChangeLog

    store = db.open_store(DataDir(Path(sys.argv[1])))
    try:
        with store.session() as s:
            n = s.scalar(select(func.count()).select_from(ChangeLog))
        with store.engine.connect() as c:
            rev = c.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
        print(rev, n, flush=True)
    finally:
        store.close()
