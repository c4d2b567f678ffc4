"""Backup and restore of a whole workspace (database, evidence, profile): one .fzbak file, no Qt.

* :mod:`~fazhi_desk.backup.archive` writes a backup from a live workspace and reads one back with every check;
* :mod:`~fazhi_desk.backup.restore` puts one in place of the current workspace, atomically;
* :mod:`~fazhi_desk.backup.auto` takes the automatic backups, prunes them, and lists every backup of a
  folder as one list (``.fzbak`` files and the store's pre-migration database copies alike);
* :mod:`~fazhi_desk.backup.handoff` lets a command-line ``backup create`` be taken by the open window.

The CLI (``fazhi-desk backup …``) and the window (文件 → 备份与恢复…) both call these.
"""

from fazhi_desk.lazy import lazy_exports

# re-exported when first asked for: importing the package imports none of its modules (see fazhi_desk.lazy)
__getattr__, __dir__ = lazy_exports(__name__, {
    "fazhi_desk.backup.archive": ("BackupDamaged", "BackupResult", "BackupTooNew", "Manifest", "NotEnoughSpace", "VerifyResult", "create_backup", "peek_manifest", "verify_backup",),
    "fazhi_desk.backup.restore": ("RestoreResult", "current_summary", "describe_change", "peek_backup", "restore_backup",),
})


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
    "peek_backup",
    "peek_manifest",
    "restore_backup",
    "verify_backup",
]
