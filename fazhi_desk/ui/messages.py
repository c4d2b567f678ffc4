"""Showing errors to the user: a UserError as its message, a bug as "内部错误" with the log's path."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget

from fazhi_desk.errors import UserError

LOG_HINT = "详细信息已写入日志文件:{log}。请把该文件发给技术支持。"


def log_path_text() -> str:
    import logging

    for h in logging.getLogger("fazhi_desk").handlers:
        fn = getattr(h, "baseFilename", None)
        if fn:
            return str(fn)
    return "(未能写入日志)"


def show_error(parent: QWidget | None, title: str, error: BaseException) -> None:
    """A modal message box for a failed operation; never a traceback."""
    if isinstance(error, UserError):
        box = QMessageBox(QMessageBox.Icon.Warning, title, error.message, QMessageBox.StandardButton.Ok, parent)
        if error.problems:
            box.setDetailedText("\n".join(str(p) for p in error.problems))
    else:
        box = QMessageBox(
            QMessageBox.Icon.Critical,
            title,
            "程序内部错误,操作未完成,已有数据未受影响。\n" + LOG_HINT.format(log=log_path_text()),
            QMessageBox.StandardButton.Ok,
            parent,
        )
        box.setDetailedText(f"{type(error).__name__}: {error}")
    box.exec()
