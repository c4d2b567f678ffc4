"""备份与恢复: the dialog (back up now, verify, restore, the backups kept, the second folder), the first-start
choice 新建 / 从备份恢复, 撤销此次导入, the daily backup after the first paint and the status bar warning.

Every slow step runs through :class:`fazhi_desk.tasks.Op` with progress and
cancel. A restore detaches and closes the window's store (waiting for running
writes), restores, and hands the window a freshly opened store
(``set_store``), so the window shows the restored data without a restart; on
failure it reopens the untouched old data.

On a desk whose store is on a PostgreSQL server the same dialog works through the
same core functions as the command line: 立即备份 writes the server's snapshot and
the shared evidence folder into a ``.fzbak``; 从备份恢复 previews the backup
against the server's data (:func:`~fazhi_desk.services.location.server_summary`),
says it replaces the data of every desk, then runs
:func:`~fazhi_desk.services.location.restore_to_server` with the window's store
detached, and hands the store back (reopened on the restored data).
"""

from __future__ import annotations

import logging
from html import escape
from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import Qt, QTimer, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from fazhi_desk import APP_TITLE
from fazhi_desk.backup.archive import SUFFIX, size_text
from fazhi_desk.paths import DataDir
from fazhi_desk.tasks import Op, show_error

log = logging.getLogger(__name__)

MOVE_HELP = (
    "<b>换电脑\uff08把数据搬到新电脑\uff09只需三步\uff1a</b><ol>"
    "<li>在旧电脑上打开本程序\uff0c选择“文件 → 备份与恢复… → 立即备份…”\uff0c把备份文件\uff08.fzbak\uff09保存到 U 盘。</li>"
    "<li>在新电脑上安装本程序并打开\uff0c在首次启动的窗口中点“从备份恢复…”\uff08或以后在“文件 → 备份与恢复…”中点“从备份恢复…”\uff09。</li>"
    "<li>选中 U 盘上的备份文件。程序会先校验备份\uff0c再显示其中的单位、年度和数量\uff0c确认后恢复\uff0c窗口随即显示恢复的数据。</li>"
    "</ol>"
)
FILE_FILTER = f"法治政府建设检查台备份(*{SUFFIX} *.sqlite3);;所有文件(*)"
SERVER_FILE_FILTER = f"法治政府建设检查台备份(*{SUFFIX});;所有文件(*)"  # a database copy is not restored into a server


def server_store(store: Any) -> Any:
    """``store`` when it is a store on a server (no database file of its own), else None."""
    return store if store is not None and getattr(store, "db_path", True) is None else None


def _office_now(data: DataDir, store: Any = None) -> str:
    """The office's name as the store holds it now (a server store: its profile; a single PC: its database)."""
    if server_store(store) is not None:
        from fazhi_desk.services.profile import get_profile

        return get_profile(store).office_name
    from fazhi_desk.backup.restore import current_summary

    return current_summary(data, store).office


def run_op(parent: QWidget | None, title: str, text: str, fn: Callable[..., Any], *args: Any,
           on_success: Callable[[Any], None], on_end: Callable[[str], None] | None = None, **kwargs: Any) -> Op:
    """One background call with a progress dialog (取消), ending in ``on_end("succeeded"|"failed"|"cancelled")``.

    Not a store write: a backup reads its own snapshot, and a restore runs with the store closed.
    """
    outcome = {"v": "failed"}

    def ok(result: Any) -> None:
        outcome["v"] = "succeeded"
        on_success(result)

    def cancelled() -> None:
        outcome["v"] = "cancelled"
        QMessageBox.information(parent, title, "已取消\uff0c没有写入任何文件\uff0c数据未改动。")

    op = (Op(fn, *args, **kwargs).with_progress(text, delay_ms=200).success(ok).cancelled(cancelled))
    if on_end is not None:
        op.finally_(lambda: on_end(outcome["v"]))
    return op.run(parent, title)


# ---------------------------------------------------------------- the operations (usable without the dialog)


def backup_now(parent: QWidget | None, data: DataDir, on_done: Callable[[], None] | None = None,
               store: Any = None) -> Op | None:
    """立即备份…: read the office's name (off the UI thread), ask where, then write the backup with progress
    and cancel. On a server store (``store``) the backup holds the server's data and the shared evidence folder."""

    def ask(office: str) -> None:
        from fazhi_desk.backup.archive import check_backup_name, create_backup, default_backup_name
        from fazhi_desk.errors import UserError

        import datetime as dt

        name = default_backup_name(office, dt.datetime.now())
        start = str(_last_dir(data) / name)
        while True:
            path, _f = QFileDialog.getSaveFileName(parent, "备份到", start, FILE_FILTER)
            if not path:
                return
            try:
                check_backup_name(path)
                break
            except UserError as e:  # a folder typed after the name, a hidden name: say so and ask again
                QMessageBox.warning(parent, "备份文件名有误", str(e))
                start = str(_last_dir(data) / name)
        if not path.lower().endswith(SUFFIX):
            path += SUFFIX
        _remember_dir(data, Path(path).parent)

        def done(result: Any) -> None:
            QMessageBox.information(parent, "备份完成", result.text())
            if on_done:
                on_done()

        run_op(parent, "立即备份", "正在备份……", create_backup, data, path, on_success=done, store=store)

    return Op(_office_now, data, store).success(ask).run(parent, "立即备份")


def verify_interactive(parent: QWidget | None, data: DataDir, path: str | None = None) -> Op | None:
    """校验备份文件…: every member's hash, the database's integrity, the counts; changes nothing."""
    from fazhi_desk.backup.archive import verify_backup

    if path is None:
        path, _f = QFileDialog.getOpenFileName(parent, "选择要校验的备份文件", str(_last_dir(data)), FILE_FILTER)
        if not path:
            return None
    return run_op(parent, "校验备份", "正在校验备份……", verify_backup, path,
                  on_success=lambda r: QMessageBox.information(parent, "校验备份", r.text()))


def restore_interactive(parent: QWidget | None, window: Any, data: DataDir, path: str | None = None,
                        on_done: Callable[[bool], None] | None = None) -> Op | None:
    """从备份恢复…: show the backup against the current data, confirm, then restore and reopen the window.

    None when no file was chosen or it cannot be used; otherwise ``on_done`` is called in the end (False when
    the user declines). The current data is read off the UI thread. A window on a server store restores into
    the server (:func:`_restore_into_server`).
    """
    from fazhi_desk.backup.restore import current_summary, describe_change, peek_backup, restore_backup
    from fazhi_desk.errors import UserError

    server = server_store(getattr(window, "store", None))
    if path is None:
        path, _f = QFileDialog.getOpenFileName(parent, "选择要恢复的备份文件", str(_last_dir(data)),
                                               SERVER_FILE_FILTER if server is not None else FILE_FILTER)
        if not path:
            return None
    try:
        if server is not None:
            from fazhi_desk.services.location import server_restore_refusal

            why = server_restore_refusal(path)
            if why:
                raise UserError(why)
        manifest = peek_backup(path)
    except UserError as e:
        show_error(parent, "从备份恢复", e)
        return None
    if server is not None:
        return _restore_into_server(parent, window, data, server, path, manifest, on_done)

    def confirm(current: Any) -> None:
        box = QMessageBox(QMessageBox.Icon.Question, "从备份恢复",
                          "确定用这个备份替换当前数据吗\uff1f", QMessageBox.StandardButton.NoButton, parent)
        box.setInformativeText(describe_change(manifest, current))
        ok = box.addButton("恢复", QMessageBox.ButtonRole.AcceptRole)
        box.addButton("取消", QMessageBox.ButtonRole.RejectRole)
        box.setObjectName("confirm_restore")
        box.exec()
        if box.clickedButton() is not ok:
            if on_done:
                on_done(False)
            return
        run_restore(parent, window, data, restore_backup, path, on_done=on_done)

    def failed(error: BaseException) -> None:
        show_error(parent, "从备份恢复", error)
        if on_done:
            on_done(False)

    store = getattr(window, "store", None)
    return Op(current_summary, data, store).success(confirm).failure(failed).run(parent, "从备份恢复")


def _restore_into_server(parent: QWidget | None, window: Any, data: DataDir, store: Any, path: str, manifest: Any,
                         on_done: Callable[[bool], None] | None) -> Op:
    """从备份恢复 on a server desk: the server's data now (read off the UI thread) beside the backup, a confirmation
    that says every desk's data is replaced, then :func:`~fazhi_desk.services.location.restore_to_server`."""
    from fazhi_desk.services.location import SERVER_RESTORE_QUESTION, describe_server_restore, server_summary

    def confirm(current: Any) -> None:
        box = QMessageBox(QMessageBox.Icon.Warning, "从备份恢复", SERVER_RESTORE_QUESTION,
                          QMessageBox.StandardButton.NoButton, parent)
        box.setInformativeText(describe_server_restore(manifest, current, store))
        ok = box.addButton("恢复", QMessageBox.ButtonRole.AcceptRole)
        box.addButton("取消", QMessageBox.ButtonRole.RejectRole)
        box.setObjectName("confirm_restore")
        box.exec()
        if box.clickedButton() is not ok:
            if on_done:
                on_done(False)
            return
        run_server_restore(parent, window, data, store, path, on_done=on_done)

    def failed(error: BaseException) -> None:
        show_error(parent, "从备份恢复", error)
        if on_done:
            on_done(False)

    def cancelled() -> None:
        if on_done:
            on_done(False)

    return (Op(server_summary, data, store).with_progress("正在读取服务器上的当前数据……")
            .success(confirm).failure(failed).cancelled(cancelled).run(parent, "从备份恢复"))


def run_server_restore(parent: QWidget | None, window: Any, data: DataDir, store: Any, path: str,
                       on_done: Callable[[bool], None] | None = None) -> Op:
    """Restore ``path`` into the server store the window uses: the window lets go of the store (waiting for its
    writes), the restore closes and reopens it around replacing the tables, and the window gets it back and
    reads the restored data; a failure hands back the store on the server's untouched data."""
    from fazhi_desk.services.location import restore_to_server, server_restored_text

    title = "从备份恢复"
    profile = getattr(window, "profile", None)
    if window is not None and getattr(window, "store", None) is store:
        window.detach_store()  # saves the open note and waits for running writes; the store stays open

    def reopen(outcome: str) -> None:
        if window is not None and _alive(window):
            if store.is_open:  # restored, or untouched (then its profile is still the one shown: not read again)
                window.set_store(store, None if outcome == "succeeded" else profile)
                window.start()
            else:  # the server went away while the store was reopened: open this desk's store anew
                store.close()
                reopen_window(window, data)
        if on_done:
            on_done(outcome == "succeeded")

    def done(rows: Any) -> None:
        QMessageBox.information(parent, title, server_restored_text(rows, data))

    return run_op(parent, title, "正在恢复服务器上的数据……", restore_to_server, data, store, path,
                  on_success=done, on_end=reopen)


def run_restore(parent: QWidget | None, window: Any, data: DataDir, fn: Callable[..., Any], *args: Any,
                on_done: Callable[[bool], None] | None = None, title: str = "从备份恢复") -> Op:
    """Close the window's store, run ``fn(ctx, data, *args)`` (a restore), then reopen the window on the data."""
    if window is not None and getattr(window, "store", None) is not None:
        store = window.detach_store()  # saves the open note and waits for running writes
        if store is not None:
            store.close()  # releases the lock: the restore takes it

    def reopen(outcome: str) -> None:
        if window is not None:
            reopen_window(window, data)
        if on_done:
            on_done(outcome == "succeeded")

    def done(result: Any) -> None:
        QMessageBox.information(parent, title, result.text())

    return run_op(parent, title, "正在恢复……", fn, data, *args, on_success=done, on_end=reopen)


def reopen_window(window: Any, data: DataDir) -> None:
    """Open the store again (restored or, after a failure, untouched) and hand it to the window."""
    from fazhi_desk.services.workspace import open_workspace

    try:
        store = open_workspace(data)
    except Exception as e:  # noqa: BLE001 - shown, and the window stays without data
        log.exception("reopening the store after a restore failed")
        show_error(window, "无法打开数据", e)
        return
    window.set_store(store)
    window.start()


def undo_import_interactive(parent: QWidget | None, window: Any, data: DataDir,
                            on_done: Callable[[bool], None] | None = None) -> Op | None:
    """撤销此次导入: read what is lost (off the UI thread), confirm, then restore the before-import database."""
    from fazhi_desk.backup.undo_import import undo_latest_import, undo_preview

    def confirm(preview: Any) -> None:
        box = QMessageBox(QMessageBox.Icon.Warning, "撤销此次导入", "确定撤销最近一次导入吗\uff1f",
                          QMessageBox.StandardButton.NoButton, parent)
        box.setInformativeText(preview.text())
        ok = box.addButton("撤销此次导入", QMessageBox.ButtonRole.DestructiveRole)
        box.addButton("取消", QMessageBox.ButtonRole.RejectRole)
        box.setObjectName("confirm_undo_import")
        box.exec()
        if box.clickedButton() is not ok:
            if on_done:
                on_done(False)
            return
        run_restore(parent, window, data, undo_latest_import, preview, on_done=on_done, title="撤销此次导入")

    def failed(error: BaseException) -> None:
        show_error(parent, "撤销此次导入", error)
        if on_done:
            on_done(False)

    return Op(undo_preview, data, getattr(window, "store", None)).success(confirm).failure(failed).run(
        parent, "撤销此次导入")


def _last_dir(data: DataDir) -> Path:
    from PySide6.QtCore import QSettings

    v = QSettings().value("backup/last_dir", "")
    p = Path(str(v)) if v else Path.home()
    return p if p.is_dir() else Path.home()


def _remember_dir(_data: DataDir, d: Path) -> None:
    from PySide6.QtCore import QSettings

    QSettings().setValue("backup/last_dir", str(d))


# ---------------------------------------------------------------- the dialog

SERVER_LIST_TITLE = ("这台电脑保存的备份\uff08服务器上的数据每天由当天第一台启动的电脑自动备份一次\uff0c保存在那台电脑的"
                     "数据目录\uff1b从备份恢复前的备份保存在这里\uff09")
SERVER_STATUS = "数据存放在 {where}\uff08各台电脑共用\uff09。立即备份会备份服务器上的数据和共享的佐证材料文件夹。"
DATABASE_COPY_ON_SERVER = ("这是升级本机数据库前自动保存的数据库副本\uff08本机的旧数据\uff0c不含佐证材料\uff09\uff0c不能恢复到服务器上。"
                           "要用它\uff0c请先用“fazhi-desk store disconnect”改回本机数据。")


def _on_server(data: DataDir, window: Any) -> bool:
    """Whether this desk's store is on a server (the window's store says so; without a window, the desk's setting)."""
    store = getattr(window, "store", None)
    if store is not None:
        return server_store(store) is not None
    from fazhi_desk.errors import UserError
    from fazhi_desk.services.location import read_location

    try:
        return read_location(data).on_server
    except UserError:
        return False


def _server_where(window: Any, data: DataDir) -> str:
    """The server as the store describes it (host:port/database, never a password)."""
    store = server_store(getattr(window, "store", None))
    if store is not None:
        return store.describe().text()
    from fazhi_desk.services.location import read_location

    try:
        return " ".join(read_location(data).lines(data)[1:3])
    except Exception:  # noqa: BLE001 - only a label
        return "服务器"


class BackupDialog(QDialog):
    """文件 → 备份与恢复… (a single PC's data, or the server's on a desk whose store is on a server)"""

    HEADERS = ["时间", "类型", "状态", "单位", "年度", "大小", "文件"]

    def __init__(self, data: DataDir, window: Any = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.data = data
        self.window_ = window
        self.on_server = _on_server(data, window)
        self._kinds: dict[str, str] = {}  # a listed backup's path -> "fzbak" or "database" (a pre-migration copy)
        self.setWindowTitle("备份与恢复")
        self.resize(860, 560)
        lay = QVBoxLayout(self)

        self.status = QLabel()
        self.status.setObjectName("backup_status")
        self.status.setWordWrap(True)
        lay.addWidget(self.status)

        row = QHBoxLayout()
        self.btn_backup = QPushButton("立即备份…")
        self.btn_backup.setDefault(True)
        self.btn_verify = QPushButton("校验备份文件…")
        self.btn_restore = QPushButton("从备份恢复…")
        for b in (self.btn_backup, self.btn_verify, self.btn_restore):
            row.addWidget(b)
        row.addStretch(1)
        lay.addLayout(row)

        box = QGroupBox(SERVER_LIST_TITLE if self.on_server else
                        "自动备份\uff08每天首次启动、导入检查目录前、恢复前\uff0c保存在数据目录的 backups 文件夹\uff09")
        bl = QVBoxLayout(box)
        self.table = QTableWidget(0, len(self.HEADERS))
        self.table.setObjectName("backups")
        self.table.setHorizontalHeaderLabels(self.HEADERS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(6, QHeaderView.ResizeMode.Stretch)
        bl.addWidget(self.table)
        r2 = QHBoxLayout()
        self.btn_restore_selected = QPushButton("恢复所选备份…")
        self.btn_open_folder = QPushButton("打开备份文件夹")
        self.btn_accept_missing = QPushButton("确认缺失的文件已无法找回…")
        self.btn_accept_missing.setToolTip("最近的备份缺少一些佐证材料文件时\uff0c程序会一直保留仍含有这些文件的旧备份\uff1b"
                                           "确认这些文件无法找回后\uff0c旧备份才会按正常规则轮换。")
        r2.addWidget(self.btn_restore_selected)
        r2.addWidget(self.btn_open_folder)
        r2.addWidget(self.btn_accept_missing)
        r2.addStretch(1)
        bl.addLayout(r2)
        r3 = QHBoxLayout()
        self.second_label = QLabel()
        self.second_label.setWordWrap(True)
        self.btn_second = QPushButton("设置副本文件夹…")
        self.btn_second_clear = QPushButton("不再复制")
        r3.addWidget(self.second_label, 1)
        r3.addWidget(self.btn_second)
        r3.addWidget(self.btn_second_clear)
        bl.addLayout(r3)
        lay.addWidget(box, 1)

        help_label = QLabel(MOVE_HELP)
        help_label.setObjectName("move_help")
        help_label.setWordWrap(True)
        help_label.setTextFormat(Qt.TextFormat.RichText)
        lay.addWidget(help_label)

        bb = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        bb.button(QDialogButtonBox.StandardButton.Close).setText("关闭")
        bb.rejected.connect(self.reject)
        lay.addWidget(bb)

        if self.on_server:
            self.btn_backup.setToolTip("把服务器上的数据和共享的佐证材料文件夹备份到一个 .fzbak 文件"
                                       "\uff08与单机的备份相同\uff0c可在任何一台电脑上校验和恢复\uff09。")
            self.btn_restore.setToolTip("用 .fzbak 备份替换服务器上的数据\uff1a各台电脑共用这份数据\uff0c恢复前会先备份服务器上的当前数据。")
        self.btn_backup.clicked.connect(
            lambda: backup_now(self, self.data, self.refresh, getattr(self.window_, "store", None)))
        self.btn_verify.clicked.connect(lambda: verify_interactive(self, self.data))
        self.btn_restore.clicked.connect(lambda: self._restore(None))
        self.btn_restore_selected.clicked.connect(self._restore_selected)
        self.btn_open_folder.clicked.connect(
            lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.data.backups))))
        self.btn_accept_missing.clicked.connect(self._accept_missing)
        self.btn_second.clicked.connect(self._choose_second)
        self.btn_second_clear.clicked.connect(self._clear_second)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.refresh()

    def refresh(self) -> None:
        from fazhi_desk.backup.auto import backup_status, list_backups

        st = backup_status(self.data)
        warn = st.warning()
        last = f"{st.last:%Y-%m-%d %H:%M}" if st.last else "从未备份"
        where = ""
        if self.on_server:
            where = escape(SERVER_STATUS.format(where=_server_where(self.window_, self.data))) + "<br>"
            last = f"{last}\uff08这台电脑保存的备份\uff09"
        self.status.setText(where + f"最近一次备份\uff1a{last}。" + (f"<br><span style='color:#b00020'>{escape(warn)}</span>"
                                                                  if warn else ""))
        if st.second_folder is None:
            self.second_label.setText("副本文件夹\uff1a未设置。建议选一个 U 盘或另一块磁盘上的文件夹\uff0c每次自动备份都会复制一份过去。")
        else:
            ok = "" if st.second_folder_ok else "\uff08当前不可用\uff1aU 盘未插入\uff1f\uff09"
            self.second_label.setText(f"副本文件夹\uff1a{st.second_folder}{ok}")
        self.btn_second_clear.setEnabled(st.second_folder is not None)
        self.btn_accept_missing.setVisible(bool(st.missing))
        rows = list_backups(self.data)
        self._kinds = {str(e.path): e.kind for e in rows}
        self.table.setRowCount(len(rows))
        for r, e in enumerate(rows):
            try:
                size = size_text(e.path.stat().st_size)
            except OSError:
                size = "?"
            m = e.manifest
            if m is None:
                cells = ["?", "无法读取\uff08已损坏\uff1f\uff09", e.state_text(), "", "", size, e.path.name]
            else:
                ys = m.counts.years
                years = f"{ys[0]}—{ys[-1]}" if len(ys) > 1 else (str(ys[0]) if ys else "")
                cells = [f"{m.created_at:%Y-%m-%d %H:%M}", e.reason_text(), e.state_text(), m.office_name, years,
                         size, e.path.name]
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, str(e.path))
                if c == 2 and text != "完整" and text != "仅数据库":
                    item.setForeground(Qt.GlobalColor.darkRed)
                if m is not None and m.missing_labels and c == 2:
                    item.setToolTip("缺少\uff1a" + "、".join(m.missing_labels))
                self.table.setItem(r, c, item)
        self.table.resizeColumnsToContents()
        self._update_buttons()

    def _update_buttons(self) -> None:
        items = self.table.selectedItems()
        why = ""
        if items and self.on_server and self._kinds.get(items[0].data(Qt.ItemDataRole.UserRole)) == "database":
            why = DATABASE_COPY_ON_SERVER  # the desk's old local data: not restored into the server
        self.btn_restore_selected.setEnabled(bool(items) and not why)
        self.btn_restore_selected.setToolTip(why or ("用所选备份替换服务器上的数据\uff08各台电脑共用\uff09。" if self.on_server else ""))

    def _restore_selected(self) -> None:
        items = self.table.selectedItems()
        if items:
            self._restore(items[0].data(Qt.ItemDataRole.UserRole))

    def _restore(self, path: str | None) -> None:
        restore_interactive(self, self.window_, self.data, path, on_done=lambda _ok: self.refresh())

    def _accept_missing(self) -> None:
        from fazhi_desk.backup.auto import accept_missing, backup_status, missing_now

        shas = missing_now(self.data)
        if not shas:
            self.refresh()
            return
        names = "、".join(backup_status(self.data).missing)
        answer = QMessageBox.question(
            self, "确认缺失的文件",
            f"最近的备份缺少 {len(shas)} 个佐证材料文件\uff1a{names}。\n\n"
            "仍含有这些文件的旧备份会一直保留\uff0c可以从中找回。确定这些文件已无法找回、不再需要保留这些旧备份吗\uff1f")
        if answer != QMessageBox.StandardButton.Yes:
            return
        accept_missing(self.data, shas)
        self.refresh()

    def _choose_second(self) -> None:
        from fazhi_desk.backup.auto import second_folder, set_second_folder

        start = second_folder(self.data) or Path.home()
        d = QFileDialog.getExistingDirectory(self, "选择副本文件夹\uff08U 盘或另一块磁盘\uff09", str(start))
        if not d:
            return
        try:
            set_second_folder(self.data, d)
        except Exception as e:  # noqa: BLE001
            show_error(self, "设置副本文件夹", e)
            return
        self.refresh()

    def _clear_second(self) -> None:
        from fazhi_desk.backup.auto import set_second_folder

        set_second_folder(self.data, None)
        self.refresh()


# ---------------------------------------------------------------- first start


class FirstStartDialog(QDialog):
    """首次使用 on a PC with no data: 新建 (start fresh) or 从备份恢复 (moving from another PC)."""

    NEW, RESTORE = 1, 2

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"欢迎使用{APP_TITLE}")
        lay = QVBoxLayout(self)
        intro = QLabel("这台电脑上还没有数据。<br>第一次使用请点“新建”\uff1b从另一台电脑搬过来\uff0c请点“从备份恢复…”。")
        intro.setTextFormat(Qt.TextFormat.RichText)
        intro.setWordWrap(True)
        lay.addWidget(intro)
        help_label = QLabel(MOVE_HELP)
        help_label.setWordWrap(True)
        help_label.setTextFormat(Qt.TextFormat.RichText)
        lay.addWidget(help_label)
        row = QHBoxLayout()
        row.addStretch(1)
        self.btn_new = QPushButton("新建")
        self.btn_new.setDefault(True)
        self.btn_restore = QPushButton("从备份恢复…")
        row.addWidget(self.btn_restore)
        row.addWidget(self.btn_new)
        lay.addLayout(row)
        self.btn_new.clicked.connect(lambda: self.done(self.NEW))
        self.btn_restore.clicked.connect(lambda: self.done(self.RESTORE))
        self.resize(560, self.sizeHint().height())


def first_start(window: Any) -> None:
    """The first-start flow: 新建 asks for the profile; 从备份恢复 restores and reopens the window."""
    data = window.store.data
    dlg = FirstStartDialog(window)
    choice = dlg.exec()
    if choice == FirstStartDialog.RESTORE:
        def after(ok: bool) -> None:
            if not ok:
                first_start(window)

        if restore_interactive(window, window, data, on_done=after) is not None:
            return
        first_start(window)  # chose no file: ask again
        return
    window.edit_profile(first_start=True)


# ---------------------------------------------------------------- daily backup and the status bar


def _alive(window: Any) -> bool:
    from shiboken6 import isValid

    return isValid(window)


def show_backup_status(window: Any) -> Op | None:
    """A permanent warning in the status bar when something about the backups needs the user: the last one is
    old or incomplete (naming the missing files and the newest complete backup), one is dated in the future,
    the second folder is missing. The backups' manifests are read off the UI thread."""
    from fazhi_desk.backup.auto import backup_status

    if not _alive(window) or window.store is None:  # the window went away while a backup ran
        return None
    label = getattr(window, "_backup_warning", None)
    if label is None:
        label = QLabel()
        label.setObjectName("backup_warning")
        label.setStyleSheet("color:#b00020")
        label.setWordWrap(False)
        window.statusBar().addPermanentWidget(label)
        label.setVisible(False)
        window._backup_warning = label

    def shown(status: Any) -> None:
        if not _alive(window):
            return
        text = status.warning()
        label.setText(text)
        label.setToolTip(text)
        label.setVisible(bool(text))

    def failed(error: BaseException) -> None:
        log.warning("reading the backups' state failed: %s", error)

    return Op(backup_status, window.store.data).success(shown).failure(failed).run(window, "备份状态")


DAILY_CHECK_MS = 30 * 60 * 1000  # a window left open for days backs up on each new day


def after_first_paint(window: Any, delay_ms: int = 1500) -> None:
    """Once the window is shown: the day's first backup in the background, then the status bar warning;
    a timer that takes the next day's backup while the window stays open; and the hand-off that lets a
    command-line ``backup create`` be taken by this window (it keeps the database to itself).

    A store on a server is backed up by the first desk that starts each day (nor is the local database it no
    longer uses backed up)."""
    if window.store is not None and window.store.db_path is None:
        QTimer.singleShot(delay_ms, window, lambda: start_server_daily_backup(window))
        return
    QTimer.singleShot(delay_ms, window, lambda: start_daily_backup(window))  # not once the window is gone
    if getattr(window, "_daily_backup_timer", None) is None:
        timer = QTimer(window)
        timer.setObjectName("daily_backup_timer")
        timer.setInterval(DAILY_CHECK_MS)
        timer.timeout.connect(lambda: start_daily_backup(window))
        timer.start()
        window._daily_backup_timer = timer
    _start_handoff(window)


def _start_handoff(window: Any) -> None:
    from fazhi_desk.backup.handoff import HandoffServer

    if getattr(window, "_backup_handoff", None) is not None or window.store is None:
        return
    data = window.store.data

    def current_store() -> Any:
        return window.store if _alive(window) else None

    try:
        server = HandoffServer(data, current_store).start()
    except OSError as e:  # no loopback, a read-only data folder: the command line then backs up by itself
        log.warning("backup hand-off not available: %s", e)
        return
    window._backup_handoff = server
    window.destroyed.connect(server.close)
    app = QApplication.instance()
    if app is not None:
        app.aboutToQuit.connect(server.close)


def start_daily_backup(window: Any) -> Op | None:
    from fazhi_desk.backup.auto import daily_backup_due, run_daily_backup

    if window.store is None:  # closing, or the store is being replaced: the next start will do it
        return None
    running = getattr(window, "_daily_backup_op", None)
    if running is not None and not running.done.is_set():
        return None
    data = window.store.data
    if not daily_backup_due(data):
        show_backup_status(window)
        return None

    def ok(result: Any) -> None:
        if not _alive(window):
            return
        show_backup_status(window)
        if result is not None:
            window.statusBar().showMessage(result.text(), 8000)

    def failed(error: BaseException) -> None:
        log.warning("daily backup failed: %s", error)
        if not _alive(window):
            return
        show_backup_status(window)
        window.statusBar().showMessage(f"今天的自动备份没有完成\uff1a{error}", 15000)

    op = Op(run_daily_backup, data, store=window.store).success(ok).failure(failed)
    app = QApplication.instance()
    if app is not None:
        app.aboutToQuit.connect(lambda: (op.cancel(), op.done.wait(30)))
    window._daily_backup_op = op
    return op.run(window, "自动备份")


def start_server_daily_backup(window: Any):  # noqa: ANN201 - Op | None
    """The day's backup of a server store, if no desk took it yet today (in the background; a note in the status bar)."""
    from fazhi_desk.services.location import server_daily_backup

    store = window.store
    if store is None or store.db_path is not None or store.data is None:
        return None

    def ok(result: Any) -> None:
        if result is not None and window.store is store:
            window.statusBar().showMessage(result.text(), 8000)

    def failed(error: BaseException) -> None:
        log.warning("the server store's daily backup failed: %s", error)
        if window.store is store:
            window.statusBar().showMessage(f"今天的自动备份没有完成\uff1a{error}", 15000)

    return Op(server_daily_backup, store.data, store).success(ok).failure(failed).run(window, "自动备份")


def open_dialog(window: Any) -> BackupDialog | None:
    """文件 → 备份与恢复…, on this desk's data directory (a single PC's store or a server store alike)."""
    data = window.store.data
    if data is None:  # a store opened without a data directory (never the window's in use): nowhere to keep backups
        from fazhi_desk.errors import UserError

        show_error(window, "备份与恢复", UserError("这个数据库没有对应的数据目录\uff0c无法在窗口中备份或恢复。"
                                                  "请用“fazhi-desk --data-dir 数据目录 backup …”。"))
        return None
    dlg = BackupDialog(data, window, window)
    if server_store(window.store) is None:  # a server desk's status bar does not warn: one desk a day backs it up
        dlg.finished.connect(lambda _r: show_backup_status(window))
    dlg.open()
    return dlg


def newest_backup(data: DataDir) -> Path | None:
    """The newest backup of either kind (a .fzbak or the database copy taken before a migration)."""
    from fazhi_desk.backup.auto import newest_backup as newest

    e = newest(data)
    return e.path if e is not None else None


__all__ = ["BackupDialog", "FirstStartDialog", "after_first_paint", "backup_now", "first_start", "open_dialog",
           "restore_interactive", "undo_import_interactive", "verify_interactive"]
