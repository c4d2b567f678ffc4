"""设置 → 数据存放位置…: where this desk's store is (this PC or a PostgreSQL server), its 操作人, and how to move it.

Moving the record onto a server, connecting another desk and going back are the command line's
(``fazhi-desk store move-to|connect|disconnect``): they copy and check a whole workspace, which the
IT person does once. The dialog says where the store is now (never the password) and names those commands.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QMessageBox


def location_text(window: Any) -> str:
    from fazhi_desk.services.location import read_location

    data = getattr(window.store, "data", None) if window.store is not None else None
    if data is None:
        return "数据库尚未打开。"
    lines = read_location(data).lines(data)
    return "\n".join(lines)


HOW = ("要让几台电脑共用一份数据(PostgreSQL 服务器),请在命令行中运行:\n"
       "  fazhi-desk store move-to postgresql://用户@服务器/数据库 --evidence-dir 共享文件夹 --operator 姓名\n"
       "其他电脑:fazhi-desk store connect …(参数相同);改回本机数据:fazhi-desk store disconnect;"
       "设置操作人:fazhi-desk store operator 姓名。详见说明书“Several desks on one server”。")


def show_store_location(window: Any) -> None:
    from fazhi_desk.errors import UserError
    from fazhi_desk.tasks import show_error

    try:
        text = location_text(window)
    except UserError as e:
        show_error(window, "数据存放位置", e)
        return
    box = QMessageBox(QMessageBox.Icon.Information, "数据存放位置", text, QMessageBox.StandardButton.Ok, window)
    box.setInformativeText(HOW)
    box.exec()


def start_server_daily_backup(window: Any):  # noqa: ANN201 - Op | None
    """The day's backup of a server store, if no desk took it yet today (in the background; a note in the status bar)."""
    import logging

    from fazhi_desk.services.location import server_daily_backup
    from fazhi_desk.tasks import Op

    store = window.store
    if store is None or store.db_path is not None or store.data is None:
        return None

    def ok(result: Any) -> None:
        if result is not None and window.store is store:
            window.statusBar().showMessage(result.text(), 8000)

    def failed(error: BaseException) -> None:
        logging.getLogger(__name__).warning("the server store's daily backup failed: %s", error)
        if window.store is store:
            window.statusBar().showMessage(f"今天的自动备份没有完成:{error}", 15000)

    return Op(server_daily_backup, store.data, store).success(ok).failure(failed).run(window, "自动备份")
