"""Backup and restore of a whole workspace (database, evidence, profile): one .fzbak file, no Qt.

* :mod:`~fazhi_desk.backup.archive` writes a backup from a live workspace and reads one back with every check;
* :mod:`~fazhi_desk.backup.restore` puts one in place of the current workspace, atomically;
* :mod:`~fazhi_desk.backup.auto` takes the automatic backups and prunes them.

The CLI (``fazhi-desk backup …``) and the window (文件 → 备份与恢复…) both call these.
"""

from fazhi_desk.backup.archive import (
    BackupDamaged,
    BackupResult,
    BackupTooNew,
    Manifest,
    NotEnoughSpace,
    VerifyResult,
    create_backup,
    peek_manifest,
    verify_backup,
)
from fazhi_desk.backup.restore import RestoreResult, current_summary, describe_change, restore_backup

__all__ = [
    "BackupDamaged",
    "BackupResult",
    "BackupTooNew",
    "Manifest",
    "NotEnoughSpace",
    "RestoreResult",
    "VerifyResult",
    "create_backup",
    "current_summary",
    "describe_change",
    "peek_manifest",
    "restore_backup",
    "verify_backup",
]
