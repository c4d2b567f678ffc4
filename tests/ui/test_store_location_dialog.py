"""设置 → 数据存放位置…: the real dialog and the real window, moving a desk onto a real PostgreSQL server and back.

The dialog is driven as a clerk would: the menu entry, the buttons, the fields typed, the confirmation
answered. The window must show the server's data after the move without a restart, and its own data again
after 改回本机数据; a failure (a wrong password, a server database that is not ours, an evidence folder that
cannot be made) is the core's Chinese message and changes nothing.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from shiboken6 import isValid
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QFileDialog, QLabel, QMessageBox

from fazhi_desk.cli import run as cli
from fazhi_desk.paths import DataDir
from fazhi_desk.services import set_operator
from fazhi_desk.services.checklist import set_fields
from fazhi_desk.services.location import config_path, read_location
from fazhi_desk.services.workspace import open_workspace
from fazhi_desk.store.db import Store
from fazhi_desk.ui.store_location import ServerDialog, StoreLocationDialog, server_url
from tests.conftest import bundled_data_dir, settle, wait_idle
from tests.pg_fixtures import PASSWORD, USER, pg_server  # noqa: F401 - the fixture
from tests.ui.helpers import open_window
from tests.ui.test_ui_thread import StoreGuard

ITEM = "SZ2015-01-01"
YEAR = 2025
TODAY = dt.date(2026, 3, 2)


@pytest.fixture(autouse=True)
def _no_operator_after():
    yield
    set_operator(None)


class Boxes:
    """Answers each message box as it comes up: the next button named in ``answers``, else its only or
    cancel button; remembers what every box said."""

    def __init__(self, *answers: str) -> None:
        self.answers = list(answers)
        self.seen: list[str] = []
        self.timer = QTimer()
        self.timer.setInterval(20)
        self.timer.timeout.connect(self.tick)
        self.timer.start()

    def tick(self) -> None:
        w = QApplication.activeModalWidget()
        if not isinstance(w, QMessageBox) or not w.isVisible():
            return
        self.seen.append(f"{w.windowTitle()}|{w.text()}\n{w.informativeText()}")
        names = {b.text().replace("&", ""): b for b in w.buttons()}
        if self.answers and self.answers[0] in names:
            names[self.answers.pop(0)].click()
            return
        buttons = w.buttons()
        reject = [b for b in buttons if w.buttonRole(b) == QMessageBox.ButtonRole.RejectRole]
        (reject or buttons)[0].click()

    def stop(self) -> None:
        self.timer.stop()


def _desk(tmp_path, templates, name="desk") -> tuple[DataDir, Store]:  # noqa: ANN001
    data = bundled_data_dir(templates, tmp_path / name)
    return data, open_workspace(data)


def _open_dialog(win) -> StoreLocationDialog:  # noqa: ANN001
    entry = next(a for m in win.menuBar().actions() for a in m.menu().actions() if a.text().startswith("数据存放位置"))
    entry.trigger()
    return next(w for w in QApplication.topLevelWidgets() if isinstance(w, StoreLocationDialog) and w.isVisible())


def _shown(dlg: StoreLocationDialog) -> str:
    return "\n".join(lab.text() for lab in dlg.where_box.findChildren(QLabel))


def _fill(form: ServerDialog, server, db: str, evidence, operator="王敏", password=PASSWORD,  # noqa: ANN001
          monkeypatch=None) -> None:  # noqa: ANN001
    form.host.setText("127.0.0.1")
    form.port.setValue(server.port)
    form.database.setText(db)
    form.user.setText(USER)
    form.password.setText(password)
    if monkeypatch is not None:  # through 浏览…, as the clerk picks the shared folder
        evidence.mkdir(parents=True, exist_ok=True)
        monkeypatch.setattr(QFileDialog, "getExistingDirectory", staticmethod(lambda *a, **k: str(evidence)))
        form.browse.click()
        assert form.evidence.text() == str(evidence)
    else:
        form.evidence.setText(str(evidence))
    form.operator.setText(operator)


def _unwritable_folder():  # noqa: ANN202
    from pathlib import Path

    p = Path("/sys/kernel")
    try:
        (p / "~probe").write_bytes(b"")
    except OSError:
        return p if p.is_dir() else None
    (p / "~probe").unlink()
    return None


def _close(qtbot, win) -> None:  # noqa: ANN001
    store = win.store
    for w in QApplication.topLevelWidgets():
        if w is not win and w.isVisible():
            w.close()
    win.close()
    wait_idle(qtbot)
    settle()
    if store is not None:
        store.close()


# ----------------------------------------------------------------------------- without a server


def test_the_dialog_shows_the_local_store_and_sets_the_operator(qtbot, tmp_path, templates):
    data, store = _desk(tmp_path, templates)
    win = open_window(qtbot, store, tmp_path, year=YEAR, today=TODAY)
    try:
        dlg = _open_dialog(win)
        shown = _shown(dlg)
        assert "本机" in shown and str(data.db) in shown and str(data.evidence) in shown
        assert dlg.btn_move.isEnabled() and dlg.btn_connect.isEnabled() and not dlg.btn_local.isEnabled()
        dlg.operator.setText("  赵丽 ")
        dlg.btn_operator.click()
        wait_idle(qtbot)
        assert read_location(data).operator == "赵丽" and "赵丽" in dlg.note.text()
        # the next change made in the window is logged under that name
        win.apply_edit(ITEM, YEAR, {"owner": "赵丽"})
        wait_idle(qtbot)
        from sqlalchemy import select

        from fazhi_desk.store.models import ChangeLog

        def last_user(s):  # noqa: ANN001
            return s.scalars(select(ChangeLog.user).order_by(ChangeLog.id.desc())).first()

        from fazhi_desk.tasks import Op

        got = []
        Op(last_user).in_session(store).success(got.append).run(win, "t")
        wait_idle(qtbot)
        assert got == ["赵丽"]
        # 迁到服务器…: nothing runs until the required fields are filled; the note names what is missing
        form = dlg.open_server_dialog("move")
        assert form.isVisible() and form.port.value() == 5432 and form.operator.text() == "赵丽"
        assert form.password.echoMode() == form.password.EchoMode.Password
        assert form.start() is None
        assert "服务器地址" in form.note.text() and "数据库名" in form.note.text() and "佐证材料共享文件夹" in form.note.text()
        assert "操作人" not in form.note.text()
        assert not config_path(data).read_text(encoding="utf-8").count("postgresql")
        form.reject()
        dlg.reject()
    finally:
        _close(qtbot, win)


def test_the_server_url_is_built_with_every_part_quoted():
    from sqlalchemy.engine import make_url

    url = server_url("192.168.1.10", 5433, "qianyou", "fa@zhi", "p@ss:w/rd%#?&=中 文")
    u = make_url(url)
    assert (u.get_backend_name(), u.host, u.port, u.database, u.username, u.password) == (
        "postgresql", "192.168.1.10", 5433, "qianyou", "fa@zhi", "p@ss:w/rd%#?&=中 文")
    assert make_url(server_url("db.local", 5432, "fz", "fazhi")).password is None  # no password: none in the URL


# ----------------------------------------------------------------------------- on the private server


@pytest.mark.postgres
def test_move_to_the_server_from_the_dialog_then_back_to_the_local_data(qtbot, tmp_path, templates, pg_server,  # noqa: F811
                                                                        monkeypatch, capsys):
    data, store = _desk(tmp_path, templates)
    set_fields(store, ITEM, YEAR, {"owner": "本机的责任人"})
    db = pg_server.create_database()
    shared = tmp_path / "shared-evidence"
    win = open_window(qtbot, store, tmp_path, year=YEAR, today=TODAY)
    boxes = Boxes("迁移", "改回本机数据")
    try:
        with StoreGuard() as guard:
            dlg = _open_dialog(win)
            dlg.btn_move.click()
            form = dlg.child
            assert isinstance(form, ServerDialog) and form.isVisible()
            _fill(form, pg_server, db, shared, monkeypatch=monkeypatch)
            form.ok.click()
            qtbot.waitUntil(lambda: win.store is not None and win.store.db_path is None, timeout=120000)
            qtbot.waitUntil(lambda: not dlg.ops and dlg.btn_local.isEnabled(), timeout=60000)
            wait_idle(qtbot, 60000)
            assert not store.is_open  # the window let go of the local store and closed it
            assert not isValid(form) or not form.isVisible()  # the form closed once the move succeeded
            assert "已把本机数据迁到" in dlg.note.text() and "逐表核对行数一致" in dlg.note.text()
            shown = _shown(dlg)
            assert "PostgreSQL" in shown and "127.0.0.1" in shown and db in shown and str(shared) in shown
            assert PASSWORD not in shown
            # the window shows the server's data: what was there, and a change made now lands on the server
            assert win.model.row_for(ITEM).owner == "本机的责任人"
            win.apply_edit(ITEM, YEAR, {"owner": "迁移后的修改"})
            wait_idle(qtbot)
        guard.check()  # the store was switched without the UI thread touching either store
        assert guard.off_ui_thread > 0
        assert pg_server.psql(f"SELECT owner FROM assessment WHERE item_id = '{ITEM}' AND year = {YEAR}",
                              db=db) == "迁移后的修改"
        assert pg_server.psql(f"SELECT \"user\" FROM change_log WHERE item_id = '{ITEM}' ORDER BY id DESC LIMIT 1",
                              db=db) == "王敏"
        assert [s.split("|")[0] for s in boxes.seen] == ["迁到服务器"]  # the confirmation, no error box
        assert "迁到服务器“127.0.0.1" in boxes.seen[0] and str(shared) in boxes.seen[0]
        cfg = config_path(data).read_text(encoding="utf-8")
        assert json.loads(cfg)["kind"] == "postgresql" and PASSWORD not in cfg
        capsys.readouterr()
        assert cli(["--data-dir", str(data.root), "store", "show"]) == 0
        out = capsys.readouterr().out
        assert "PostgreSQL" in out and db in out and str(shared) in out and "王敏" in out and PASSWORD not in out

        # 改回本机数据: confirmed, and the window shows this PC's own data again
        with StoreGuard() as guard:
            assert dlg.btn_local.isEnabled() and not dlg.btn_move.isEnabled()
            dlg.btn_local.click()
            qtbot.waitUntil(lambda: win.store is not None and win.store.db_path == data.db, timeout=60000)
            qtbot.waitUntil(lambda: not dlg.ops and dlg.btn_move.isEnabled(), timeout=60000)
            wait_idle(qtbot, 60000)
            assert win.model.row_for(ITEM).owner == "本机的责任人"  # the local data, as it was before the move
            assert "改回本机数据" in dlg.note.text() and "本机" in _shown(dlg)
        guard.check()
        assert not read_location(data).on_server and read_location(data).operator == "王敏"
        assert any("改回使用本机的数据" in s for s in boxes.seen)
        # the server keeps its data
        assert pg_server.psql(f"SELECT owner FROM assessment WHERE item_id = '{ITEM}' AND year = {YEAR}",
                              db=db) == "迁移后的修改"
        dlg.reject()
    finally:
        boxes.stop()
        _close(qtbot, win)


@pytest.mark.postgres
def test_a_failed_move_shows_the_chinese_message_and_changes_nothing(qtbot, tmp_path, templates, pg_server):  # noqa: F811
    data, store = _desk(tmp_path, templates)
    config_path(data).write_text(json.dumps({"kind": "sqlite", "operator": "王敏"}), encoding="utf-8")
    before = config_path(data).read_bytes()
    db = pg_server.create_database()
    foreign = pg_server.create_database()
    pg_server.psql("CREATE TABLE payroll (id int)", db=foreign)
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    win = open_window(qtbot, store, tmp_path, year=YEAR, today=TODAY)
    boxes = Boxes()
    try:
        dlg = _open_dialog(win)
        form = dlg.open_server_dialog("move")
        cases = [  # what is typed, what the message must say
            (dict(db=db, evidence=tmp_path / "shared", password="wrong-pw"), "密码不对"),
            (dict(db=foreign, evidence=tmp_path / "shared"), "不是法治政府建设检查台的数据库"),
            (dict(db=db, evidence=blocker / "evidence"), "佐证材料文件夹"),
        ]
        if _unwritable_folder() is not None:  # a folder that is there but cannot be written (even by root)
            cases.append((dict(db=db, evidence=_unwritable_folder()), "不可写"))
        for typed, expected in cases:
            boxes.answers = ["迁移"]
            boxes.seen.clear()
            _fill(form, pg_server, typed["db"], typed["evidence"], password=typed.get("password", PASSWORD))
            form.ok.click()
            qtbot.waitUntil(lambda: len(boxes.seen) >= 2, timeout=60000)
            wait_idle(qtbot, 30000)
            qtbot.wait(50)
            errors = boxes.seen[1:]
            assert len(errors) == 1 and errors[0].startswith("迁到服务器|") and expected in errors[0], boxes.seen
            assert "Traceback" not in errors[0] and "内部错误" not in errors[0] and "wrong-pw" not in errors[0]
            # nothing changed: the desk's location file, the window's store, the server's database
            assert config_path(data).read_bytes() == before
            assert win.store is store and store.is_open and win.model.row_for(ITEM) is not None
            assert form.isVisible() and form.database.text() == typed["db"] and form.ok.isEnabled()  # kept to retry
            assert pg_server.psql("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'", db=db) == "0"
        assert not (tmp_path / "shared").exists() or not any((tmp_path / "shared").iterdir())
        assert "本机" in _shown(dlg)
        form.reject()
        dlg.reject()
    finally:
        boxes.stop()
        _close(qtbot, win)


@pytest.mark.postgres
def test_another_desk_connects_from_the_dialog_and_sees_the_servers_data(qtbot, tmp_path, templates, pg_server,  # noqa: F811
                                                                        capsys):
    first_data = bundled_data_dir(templates, tmp_path / "first")
    db = pg_server.create_database()
    shared = tmp_path / "shared"
    assert cli(["--data-dir", str(first_data.root), "store", "move-to", pg_server.url(db), "--evidence-dir",
                str(shared), "--operator", "王敏", "--yes"]) == 0
    assert cli(["--data-dir", str(first_data.root), "status", ITEM, "--year", str(YEAR), "--owner", "服务器上的责任人"]) == 0
    set_operator(None)
    data, store = _desk(tmp_path, templates, "second")
    win = open_window(qtbot, store, tmp_path, year=YEAR, today=TODAY)
    boxes = Boxes("连接")
    try:
        assert win.model.row_for(ITEM).owner == ""
        dlg = _open_dialog(win)
        dlg.btn_connect.click()
        form = dlg.child
        _fill(form, pg_server, db, shared, operator="李强")
        form.ok.click()
        qtbot.waitUntil(lambda: win.store is not None and win.store.db_path is None, timeout=60000)
        qtbot.waitUntil(lambda: not dlg.ops and dlg.btn_local.isEnabled(), timeout=60000)
        wait_idle(qtbot, 60000)
        assert win.model.row_for(ITEM).owner == "服务器上的责任人"
        assert "已改用服务器上的数据" in dlg.note.text() and db in _shown(dlg)
        assert [s.split("|")[0] for s in boxes.seen] == ["连接服务器"]
        loc = read_location(data)
        assert loc.on_server and loc.operator == "李强" and loc.evidence_dir == str(shared)
        dlg.reject()
    finally:
        boxes.stop()
        _close(qtbot, win)
