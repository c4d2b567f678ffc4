"""设置 → 数据存放位置…: where this desk's store is, its 操作人, and moving the store onto a PostgreSQL server and back.

:class:`StoreLocationDialog` shows where the store is now (本机, or the server's address, database and
the shared evidence folder; never the password) and lets the clerk set this desk's 操作人. It offers:

* 迁到服务器… (:class:`ServerDialog`): the server's address, port, database, user name, password, the
  shared evidence folder and the 操作人. The URL is built here (nobody types one; special characters
  in the user name and password are quoted). After a confirmation that says what will happen,
  :func:`fazhi_desk.services.location.move_to` runs on the writer thread with progress, the snapshot
  taken through the window's open store;
* 连接服务器…: the same fields, :func:`~fazhi_desk.services.location.connect`;
* 改回本机数据…: :func:`~fazhi_desk.services.location.disconnect` after a confirmation.

After a change the window lets go of its store and the new one is opened on the writer thread
(:func:`switch_store`): the window shows the other data without a restart. A failure is the core's
Chinese message (:func:`~fazhi_desk.tasks.show_error`); the form keeps what was typed and nothing changes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from fazhi_desk.paths import DataDir
from fazhi_desk.tasks import Op, runner, show_error
from fazhi_desk.ui import filedialogs


TITLE = "数据存放位置"
MOVE, CONNECT = "move", "connect"
DEFAULT_PORT = 5432
EVIDENCE_PURPOSE = "store_evidence"  # filedialogs: where 浏览… starts (the shared folder chosen last)
OPEN_TITLE = "打开数据"
NOTE_OK = "color: #1b5e20;"
NOTE_BAD = "color: #b71c1c;"


def server_url(host: str, port: int, database: str, user: str, password: str = "") -> str:
    """The ``postgresql://`` URL of these fields, every part quoted as a URL needs (``@ : / %`` in a password)."""
    from sqlalchemy.engine import URL

    return URL.create("postgresql", username=user, password=password or None, host=host, port=port,
                      database=database).render_as_string(hide_password=False)


def _note(layout: QVBoxLayout) -> QLabel:
    """The line under a dialog's fields that says what went wrong, or what was done (hidden while empty)."""
    note = QLabel()
    note.setObjectName("note")
    note.setWordWrap(True)
    note.setStyleSheet(NOTE_BAD)
    note.hide()
    layout.addWidget(note)
    return note


def _say(note: QLabel, text: str, ok: bool) -> None:
    note.setStyleSheet(NOTE_OK if ok else NOTE_BAD)
    note.setText(text)
    note.setVisible(bool(text))


# ---------------------------------------------------------------- switching the window's store


def _open_new_location(old: Any, data: DataDir) -> Any:  # noqa: ANN401 - (Store, OfficeProfile)
    """Writer thread: close the store the window let go of, open the one ``store-location.json`` names now."""
    from fazhi_desk.services.workspace import open_workspace_and_profile

    if old is not None:
        old.close()
    return open_workspace_and_profile(data)


def switch_store(window: Any, data: DataDir, on_done: Callable[[bool], Any] | None = None) -> Op:
    """Let the window go of its store and attach the one this desk's location names now (no restart).

    The old store is closed and the new one opened on the writer thread (the UI thread never touches a
    store); once it is open the window reads its year again in the background.
    """
    window.store_data = data  # the dialog finds the data directory even while no store is attached
    old = window.detach_store() if window.store is not None else None  # saves the open note, waits for writes
    if old is not None:
        runner().wait_for_reads()  # the old store's reads still under way end before it closes

    def opened(result: Any) -> None:
        store, profile = result
        window.set_store(store, profile)
        window.start()
        if on_done is not None:
            on_done(True)

    def failed(error: BaseException) -> None:
        show_error(window, OPEN_TITLE, error)
        window.statusBar().showMessage("数据未能打开。请检查后在“设置 → 数据存放位置…”中重试\uff0c或改回本机数据。")
        if on_done is not None:
            on_done(False)

    return Op(_open_new_location, old, data).write(None).success(opened).failure(failed).run(window, OPEN_TITLE)


# ---------------------------------------------------------------- the server's fields


class ServerDialog(QDialog):
    """迁到服务器… / 连接服务器…: the server's fields; 迁移/连接 confirms, then runs the change with progress.

    The dialog stays open while the change runs; a failure shows the core's message and keeps every field,
    so a mistyped password is corrected and tried again. ``finished_ok`` is called with the result.
    """

    def __init__(self, mode: str, data: DataDir, window: Any, parent: QWidget | None = None,
                 finished_ok: Callable[[Any], Any] | None = None) -> None:
        super().__init__(parent)
        from fazhi_desk.services.location import OPERATOR_MAX, read_location

        self.mode, self.data, self.window_, self.finished_ok = mode, data, window, finished_ok
        self.op: Op | None = None
        moving = mode == MOVE
        self.setObjectName("move_dialog" if moving else "connect_dialog")
        self.setWindowTitle("迁到服务器" if moving else "连接服务器")
        lay = QVBoxLayout(self)
        intro = QLabel(
            "把这台电脑上的全部数据\uff08检查清单、变更记录、佐证材料和回收站\uff09复制到单位的 PostgreSQL 服务器和共享文件夹\uff0c"
            "逐项核对无误后\uff0c这台电脑改用服务器上的数据。本机原数据文件保留不动。服务器上的数据库必须是空的。"
            if moving else
            "让这台电脑改用服务器上的数据\uff08另一台电脑已经迁到服务器上的那一份\uff09。"
            "本机的数据文件保留不动\uff0c不会合并到服务器上。")
        intro.setWordWrap(True)
        lay.addWidget(intro)
        ask = QLabel("以下信息请向单位的信息化管理员索取。")
        ask.setWordWrap(True)
        lay.addWidget(ask)

        form = QFormLayout()
        self.host = QLineEdit()
        self.host.setPlaceholderText("例如 192.168.1.10")
        self.port = QSpinBox()
        self.port.setRange(1, 65535)
        self.port.setValue(DEFAULT_PORT)
        self.port.setGroupSeparatorShown(False)
        self.database = QLineEdit()
        self.database.setPlaceholderText("例如 qianyou")
        self.user = QLineEdit()
        self.user.setPlaceholderText("例如 fazhi")
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("服务器数据库的密码\uff08不会显示\uff0c也不会写入日志\uff09")
        self.evidence = QLineEdit()
        self.evidence.setPlaceholderText("各台电脑都能写入的共享文件夹\uff0c例如 \\\\server\\fazhi\\qianyou")
        self.browse = QPushButton("浏览…")
        self.browse.clicked.connect(self._browse)
        ev_row = QHBoxLayout()
        ev_row.setContentsMargins(0, 0, 0, 0)
        ev_row.addWidget(self.evidence, 1)
        ev_row.addWidget(self.browse)
        self.operator = QLineEdit()
        self.operator.setMaxLength(OPERATOR_MAX)
        self.operator.setPlaceholderText("这台电脑使用人的姓名\uff0c例如 王敏")
        form.addRow("服务器地址\uff08必填\uff09\uff1a", self.host)
        form.addRow("端口\uff1a", self.port)
        form.addRow("数据库名\uff08必填\uff09\uff1a", self.database)
        form.addRow("用户名\uff08必填\uff09\uff1a", self.user)
        form.addRow("密码\uff1a", self.password)
        form.addRow("佐证材料共享文件夹\uff08必填\uff09\uff1a", ev_row)
        form.addRow("操作人\uff08必填\uff09\uff1a", self.operator)
        lay.addLayout(form)

        self.note = _note(lay)

        self.buttons = QDialogButtonBox()
        self.ok = self.buttons.addButton("迁移…" if moving else "连接…", QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel = self.buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        self.ok.clicked.connect(self.start)
        self.cancel.clicked.connect(self.reject)
        self.ok.setDefault(True)
        lay.addWidget(self.buttons)

        loc = read_location(data)
        self.operator.setText(loc.operator)
        if loc.on_server:  # the server the desk uses now: only what differs needs typing
            from sqlalchemy.engine import make_url

            u = make_url(loc.url)
            self.host.setText(u.host or "")
            self.port.setValue(u.port or DEFAULT_PORT)
            self.database.setText(u.database or "")
            self.user.setText(u.username or "")
            self.evidence.setText(loc.evidence_dir)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("法") * 40)

    # --- what was typed ---------------------------------------------------------------------------
    def missing(self) -> list[tuple[str, QLineEdit]]:
        fields = (("服务器地址", self.host), ("数据库名", self.database), ("用户名", self.user),
                  ("佐证材料共享文件夹", self.evidence), ("操作人", self.operator))
        return [(name, w) for name, w in fields if not w.text().strip()]

    def url(self) -> str:
        return server_url(self.host.text().strip(), self.port.value(), self.database.text().strip(),
                          self.user.text().strip(), self.password.text())

    def place(self) -> str:
        """The server as the user knows it: address:port/database (no user, no password)."""
        return f"{self.host.text().strip()}:{self.port.value()}/{self.database.text().strip()}"

    def say(self, text: str, ok: bool = False) -> None:
        _say(self.note, text, ok)

    def _browse(self) -> None:
        start = self.evidence.text().strip()
        folder = QFileDialog.getExistingDirectory(self, "选择佐证材料共享文件夹",
                                                  start if start and Path(start).is_dir()
                                                  else filedialogs.start_dir(EVIDENCE_PURPOSE))
        if folder:
            filedialogs.remember(EVIDENCE_PURPOSE, folder)
            self.evidence.setText(str(Path(folder)))

    # --- the change ---------------------------------------------------------------------------------
    def confirm(self) -> bool:
        ev, who = self.evidence.text().strip(), " ".join(self.operator.text().split())
        if self.mode == MOVE:
            text = f"确定把这台电脑的数据迁到服务器“{self.place()}”吗\uff1f"
            info = ("程序将\uff1a\n"
                    "1. 检查服务器上的数据库是空的\uff08不是空的就停止\uff0c什么也不改\uff09\uff1b\n"
                    f"2. 把全部数据写入该数据库\uff0c把佐证材料复制到“{ev}”\uff1b\n"
                    "3. 逐表核对行数、逐个核对佐证材料\uff0c全部一致后\uff0c这台电脑改用服务器上的数据\uff0c"
                    f"操作人为“{who}”。\n"
                    "本机原数据文件保留不动。数据较多时需要几分钟\uff0c请不要关闭程序。")
            yes = "迁移"
        else:
            text = f"确定让这台电脑改用服务器“{self.place()}”上的数据吗\uff1f"
            info = (f"这台电脑今后读写服务器上的数据\uff0c佐证材料存放在“{ev}”\uff0c操作人为“{who}”。"
                    "本机的数据文件保留不动\uff0c不会合并到服务器上。")
            yes = "连接"
        box = QMessageBox(QMessageBox.Icon.Question, self.windowTitle(), text, QMessageBox.StandardButton.NoButton, self)
        box.setObjectName(f"confirm_{self.mode}")
        box.setInformativeText(info)
        ok = box.addButton(yes, QMessageBox.ButtonRole.AcceptRole)
        box.addButton("取消", QMessageBox.ButtonRole.RejectRole)
        box.exec()
        return box.clickedButton() is ok

    def start(self) -> Op | None:
        """迁移…/连接…: check the fields, confirm, then run the change (off the UI thread)."""
        if self.op is not None and self.op in runner().running():
            return None
        missing = self.missing()
        if missing:
            self.say("请填写\uff1a" + "、".join(name for name, _w in missing) + "。")
            missing[0][1].setFocus()
            return None
        self.say("")
        if not self.confirm():
            return None
        from fazhi_desk.services import location

        url, ev, who = self.url(), self.evidence.text().strip(), self.operator.text()
        if self.mode == MOVE:
            store = getattr(self.window_, "store", None)
            op = (Op(location.move_to, self.data, url, ev, who, store=store)
                  .write(store).with_progress("正在迁移……"))
        else:
            op = Op(location.connect, self.data, url, ev, who).with_progress("正在连接服务器……")
        op.success(self._done).cancelled(lambda: self.say("已取消。这台电脑仍使用原来的数据\uff0c没有改动。"))
        op.finally_(lambda: self._busy(False))
        self._busy(True)
        self.op = op.run(self, self.windowTitle())
        op.signals.progress.connect(self._progress)
        return op

    def _progress(self, _done: int, _total: int, text: str) -> None:
        if text.startswith("正在把数据写入服务器") and self.op is not None and self.op.dialog is not None:
            for b in self.op.dialog.findChildren(QPushButton):  # the rows are going in: no stopping half-way
                b.setEnabled(False)

    def _busy(self, busy: bool) -> None:
        for w in (self.ok, self.cancel, self.browse):
            w.setEnabled(not busy)

    def _done(self, result: Any) -> None:
        self.password.clear()
        self.accept()
        if self.finished_ok is not None:
            self.finished_ok(result)


# ---------------------------------------------------------------- the dialog


class StoreLocationDialog(QDialog):
    """设置 → 数据存放位置…"""

    def __init__(self, data: DataDir, window: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from fazhi_desk.services.location import OPERATOR_MAX

        self.data, self.window_ = data, window
        self.child: ServerDialog | None = None
        self.ops: list[Op] = []
        self.setObjectName("store_location_dialog")
        self.setWindowTitle(TITLE)
        lay = QVBoxLayout(self)

        self.where_box = QGroupBox("这台电脑的数据现在存放在")
        self.where_form = QFormLayout(self.where_box)
        lay.addWidget(self.where_box)

        who_box = QGroupBox("操作人")
        who_lay = QVBoxLayout(who_box)
        hint = QLabel("变更记录会写明每项修改是哪位操作人做的。几台电脑共用数据时\uff0c请每台电脑填写各自使用人的姓名。")
        hint.setWordWrap(True)
        who_lay.addWidget(hint)
        row = QHBoxLayout()
        row.addWidget(QLabel("操作人\uff1a"))
        self.operator = QLineEdit()
        self.operator.setMaxLength(OPERATOR_MAX)
        self.operator.returnPressed.connect(self.save_operator)
        row.addWidget(self.operator, 1)
        self.btn_operator = QPushButton("保存操作人")
        self.btn_operator.clicked.connect(self.save_operator)
        self.btn_operator.setAutoDefault(False)
        row.addWidget(self.btn_operator)
        who_lay.addLayout(row)
        lay.addWidget(who_box)

        share = QGroupBox("几台电脑共用一份数据")
        share_lay = QVBoxLayout(share)
        self.share_hint = QLabel()
        self.share_hint.setWordWrap(True)
        share_lay.addWidget(self.share_hint)
        buttons = QHBoxLayout()
        self.btn_move = QPushButton("迁到服务器…")
        self.btn_move.setToolTip("把这台电脑的数据复制到单位的 PostgreSQL 服务器\uff0c核对后改用服务器上的数据")
        self.btn_connect = QPushButton("连接服务器…")
        self.btn_connect.setToolTip("使用另一台电脑已经迁到服务器上的数据")
        self.btn_local = QPushButton("改回本机数据…")
        self.btn_local.setToolTip("不再使用服务器上的数据\uff0c改回这台电脑自己的数据文件")
        for b in (self.btn_move, self.btn_connect, self.btn_local):
            b.setAutoDefault(False)
            buttons.addWidget(b)
        buttons.addStretch(1)
        share_lay.addLayout(buttons)
        lay.addWidget(share)
        self.btn_move.clicked.connect(lambda: self.open_server_dialog(MOVE))
        self.btn_connect.clicked.connect(lambda: self.open_server_dialog(CONNECT))
        self.btn_local.clicked.connect(self.go_local)

        self.note = _note(lay)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.button(QDialogButtonBox.StandardButton.Close).setText("关闭")
        close.rejected.connect(self.reject)
        lay.addWidget(close)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("法") * 42)
        self.refresh()

    # --- what is shown --------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Read ``store-location.json`` again (a small file, never the store) and show it."""
        from fazhi_desk.errors import UserError
        from fazhi_desk.services import login_name
        from fazhi_desk.services.location import read_location

        while self.where_form.rowCount():
            self.where_form.removeRow(0)
        try:
            loc = read_location(self.data)
        except UserError as e:
            self.where_form.addRow(QLabel(str(e)))
            self.on_server = False
            return
        self.on_server = loc.on_server
        for head, value in loc.fields(self.data):
            if head == "操作人":
                continue  # set below, in its own box
            label = QLabel(value)
            label.setWordWrap(True)
            label.setTextInteractionFlags(label.textInteractionFlags() | _selectable())
            self.where_form.addRow(f"{head}:", label)
        self.operator.setText(loc.operator)
        self.operator.setPlaceholderText(f"未设置\uff08变更记录使用登录名 {login_name()}\uff09")
        self.share_hint.setText(
            "这台电脑使用服务器上的数据\uff0c与其他电脑共用。改回本机数据后\uff0c这台电脑使用自己原来的数据文件。"
            if loc.on_server else
            "单位有几个人一起记录时\uff0c可把数据放到单位的 PostgreSQL 服务器上\uff1a先在现在保存数据的这台电脑上"
            "“迁到服务器”\uff0c再在其他电脑上“连接服务器”。只有一台电脑使用时不需要服务器。")
        self.btn_move.setEnabled(not loc.on_server)
        self.btn_local.setEnabled(loc.on_server)
        self.btn_connect.setEnabled(True)

    def say(self, text: str, ok: bool = True) -> None:
        _say(self.note, text, ok)

    def _busy(self, busy: bool) -> None:
        for b in (self.btn_move, self.btn_connect, self.btn_local, self.btn_operator):
            b.setEnabled(not busy)
        if not busy:
            self.refresh()

    def _run(self, op: Op, where: str) -> Op:
        self.ops.append(op)
        op.finally_(lambda: self.ops.remove(op) if op in self.ops else None)
        return op.run(self, where)

    # --- 操作人 ---------------------------------------------------------------------------------------------
    def save_operator(self) -> Op | None:
        from fazhi_desk.services.location import set_operator_name

        name = " ".join(self.operator.text().split())
        if not name:
            self.say("请填写操作人\uff08姓名\uff09。", ok=False)
            self.operator.setFocus()
            return None

        def saved(loc: Any) -> None:
            self.say(f"已保存。这台电脑今后的修改\uff0c变更记录中的操作人为“{loc.operator}”。")

        return self._run(Op(set_operator_name, self.data, name).success(saved), "保存操作人")

    # --- the changes ------------------------------------------------------------------------------------
    def open_server_dialog(self, mode: str) -> ServerDialog:
        self.say("")
        dlg = ServerDialog(mode, self.data, self.window_, self, finished_ok=lambda r: self._changed(mode, r))
        dlg.setAttribute(_delete_on_close())
        self.child = dlg
        dlg.open()
        return dlg

    def _changed(self, mode: str, result: Any) -> None:
        """The desk's location changed: say so, and let the window open the store it names now."""
        if mode == MOVE:
            text = result.text()
        else:
            text = f"这台电脑已改用服务器上的数据\uff08{self.child.place() if self.child else ''}\uff09。"
        self.say(text + " 正在打开……")
        self.refresh()
        self._busy(True)

        def opened(ok: bool) -> None:
            self._busy(False)
            if ok:
                self.say(text)
                self.window_.statusBar().showMessage(text, 15000)
            else:
                self.say(text + " 但数据未能打开\uff0c请检查后重试。", ok=False)

        switch_store(self.window_, self.data, opened)

    def go_local(self) -> Op | None:
        """改回本机数据…: confirm, then back to this PC's own data file."""
        from fazhi_desk.services.location import disconnect

        self.say("")
        box = QMessageBox(QMessageBox.Icon.Warning, "改回本机数据", "确定让这台电脑改回使用本机的数据吗\uff1f",
                          QMessageBox.StandardButton.NoButton, self)
        box.setObjectName("confirm_disconnect")
        box.setInformativeText(
            f"这台电脑今后使用本机数据文件“{self.data.db}”\uff0c也就是迁到服务器之前的数据\uff1b"
            "之后在服务器上所做的修改不在其中。\n"
            "服务器上的数据和佐证材料保留不变\uff0c其他电脑照常使用。这台电脑保存的服务器密码会被删除。\n"
            "如需把服务器上的最新数据带回本机\uff0c请先备份\uff0c改回本机后再从备份恢复。")
        ok = box.addButton("改回本机数据", QMessageBox.ButtonRole.AcceptRole)
        box.addButton("取消", QMessageBox.ButtonRole.RejectRole)
        box.exec()
        if box.clickedButton() is not ok:
            return None
        text = "这台电脑已改回本机数据。服务器上的数据保留不变。"

        def done(_loc: Any) -> None:
            self.say(text + " 正在打开……")
            self._busy(True)

            def opened(good: bool) -> None:
                self._busy(False)
                self.say(text if good else text + " 但本机数据未能打开。", ok=good)
                if good:
                    self.window_.statusBar().showMessage(text, 15000)

            switch_store(self.window_, self.data, opened)

        return self._run(Op(disconnect, self.data).success(done), "改回本机数据")


def _selectable():  # noqa: ANN202
    from PySide6.QtCore import Qt

    return Qt.TextInteractionFlag.TextSelectableByMouse


def _delete_on_close():  # noqa: ANN202
    from PySide6.QtCore import Qt

    return Qt.WidgetAttribute.WA_DeleteOnClose


def data_of(window: Any) -> DataDir | None:
    """The data directory of the window's desk (its store's, or the one a store switch remembered)."""
    store = getattr(window, "store", None)
    data = getattr(store, "data", None) if store is not None else None
    return data or getattr(window, "store_data", None)


def show_store_location(window: Any) -> StoreLocationDialog | None:
    """设置 → 数据存放位置…: the dialog, window-modal (it returns at once)."""
    data = data_of(window)
    if data is None:
        store = getattr(window, "store", None)
        if store is None:
            QMessageBox.information(window, TITLE, "数据仍在载入\uff0c请稍候再试。")
        else:  # a store opened without a data directory (a tool's): where it is, nothing to change here
            QMessageBox.information(window, TITLE, f"数据存放在{store.describe().text()}。")
        return None
    dlg = StoreLocationDialog(data, window, window)
    dlg.setAttribute(_delete_on_close())
    dlg.open()
    return dlg
