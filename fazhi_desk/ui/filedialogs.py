"""Where file dialogs start: the folder last used for the same purpose, else the user's 文档 folder.

A double-clicked Windows exe runs in the program folder; a dialog opened with
"" would start there. Each purpose (``IMPORT``, ``EVIDENCE`` …) remembers its
own folder in the application settings (``dirs/<purpose>``).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, QStandardPaths

IMPORT = "import"  # 导入检查目录
TEMPLATE = "template"  # 导出目录模板
REPORT = "report"  # 导出年度报告
EVIDENCE = "evidence"  # 添加佐证材料
EVIDENCE_SAVE = "evidence_save"  # 佐证材料另存为


def documents_dir() -> Path:
    loc = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    p = Path(loc) if loc else Path.home()
    return p if p.is_dir() else Path.home()


def start_dir(purpose: str) -> str:
    """The folder a dialog for ``purpose`` opens in (an existing folder, never the working directory)."""
    saved = QSettings().value(f"dirs/{purpose}", "")
    if saved and Path(str(saved)).is_dir():
        return str(saved)
    return str(documents_dir())


def start_path(purpose: str, file_name: str) -> str:
    """A suggested file name inside the purpose's start folder (for save dialogs)."""
    return str(Path(start_dir(purpose)) / file_name)


def remember(purpose: str, path: str | Path) -> None:
    """Remember the folder of ``path`` (or ``path`` itself when it is a folder) for ``purpose``."""
    if not path:
        return
    p = Path(path)
    folder = p if p.is_dir() else p.parent
    if str(folder) and folder.is_dir():
        QSettings().setValue(f"dirs/{purpose}", str(folder))
