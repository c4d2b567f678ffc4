"""The main window's menus and what each entry does.

Every entry that touches the store runs through :mod:`fazhi_desk.tasks` (reads
on worker threads, writes on the one writer; they take turns on the store's one
connection, and the UI thread never waits for it); the window refreshes itself
from what a write changed, so no entry reloads views by hand. Feature modules are imported
when their entry is first used: they pull in the store, openpyxl or QtCharts,
which the first paint does without.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMessageBox

from fazhi_desk import __version__
from fazhi_desk.changes import Changes
from fazhi_desk.tasks import Op

if TYPE_CHECKING:
    from fazhi_desk.ui.main_window import MainWindow

WAIT_TITLE = "请稍候"
NEED_STORE = "数据仍在载入\uff0c请稍候再试。"


def _menu(win: MainWindow, title: str):  # noqa: ANN202
    """The window's menu ``title``: the empty one its first paint showed (``win.menus``), or a new one."""
    made = getattr(win, "menus", {})
    return made[title] if title in made else win.menuBar().addMenu(title)


def build_menus(win: MainWindow) -> None:
    """Every entry has an Alt letter (菜单(&F) then the entry's letter); shortcuts are shown beside them."""
    m_file = _menu(win, "文件(&F)")
    win.act_import = m_file.addAction("导入检查目录(&I)…", lambda: import_catalogue(win))
    win.act_draft = m_file.addAction("从文件起草检查目录(&D)…", lambda: draft_catalogue(win))
    win.act_export_template = m_file.addAction("导出目录模板(&T)…", lambda: export_template(win))
    m_file.addSeparator()
    win.act_report = m_file.addAction("导出年度报告(&R)…", lambda: export_report(win))
    win.act_rollup = m_file.addAction("汇总各单位报告(&U)…", lambda: rollup_reports(win))
    m_file.addSeparator()
    win.act_verify = m_file.addAction("校验佐证材料(&V)", lambda: verify_evidence(win))
    win.act_gc = m_file.addAction("清理不再使用的佐证文件(&C)", lambda: collect_evidence(win))
    win.act_trash = m_file.addAction("佐证材料回收站(&B)…", lambda: show_trash(win))
    m_file.addSeparator()
    win.act_backup = m_file.addAction("备份与恢复(&K)…", lambda: show_backup(win))
    m_file.addSeparator()
    win.act_quit = m_file.addAction("退出(&X)", win.close)

    m_edit = _menu(win, "编辑(&E)")
    win.act_undo = win.undo_stack.createUndoAction(win, "撤销(&U)")
    win.act_redo = win.undo_stack.createRedoAction(win, "重做(&R)")
    m_edit.addAction(win.act_undo)
    m_edit.addAction(win.act_redo)
    m_edit.addSeparator()
    find = QAction("查找(&F)", win)
    find.triggered.connect(win.focus_search)
    win.addAction(find)
    m_edit.addAction(find)
    win.act_find = find
    m_edit.addAction("本事项变更记录(&L)…", lambda: show_item_log(win))
    m_edit.addAction("全部变更记录(&A)…", lambda: show_all_log(win))

    m_item = _menu(win, "事项(&I)")
    win.act_next_open = m_item.addAction("下一个未完成事项(&N)", lambda: win.step_unfinished(+1))
    win.act_prev_open = m_item.addAction("上一个未完成事项(&P)", lambda: win.step_unfinished(-1))
    m_item.addSeparator()
    win.act_open_item = m_item.addAction("修改状态(&S)", lambda: win.open_item())
    win.act_set_status = []
    for n, (text, status) in enumerate((("设为未开始(&1)", "未开始"), ("设为进行中(&2)", "进行中"),
                                        ("设为已完成(&3)", "已完成")), start=1):
        act = m_item.addAction(text, lambda st=status: win.set_status_of_current(st))
        win.act_set_status.append(act)
    for act in (win.act_next_open, win.act_prev_open, win.act_open_item, *win.act_set_status):
        win.addAction(act)  # the keys work wherever the focus is in the window

    m_view = _menu(win, "查看(&V)")
    win.act_zoom_in = m_view.addAction("放大(&I)", lambda: win.change_text_size(+1))
    win.act_zoom_out = m_view.addAction("缩小(&O)", lambda: win.change_text_size(-1))
    win.act_zoom_reset = m_view.addAction("默认字号(&D)", lambda: win.change_text_size(None))
    for act in (win.act_zoom_in, win.act_zoom_out, win.act_zoom_reset):
        win.addAction(act)

    m_year = _menu(win, "年度(&Y)")
    m_year.addAction("上一年度(&P)", lambda: win.checklist.step_year(-1))
    m_year.addAction("下一年度(&N)", lambda: win.checklist.step_year(+1))
    m_year.addAction("沿用上一年度的责任人和说明(&C)…", lambda: offer_carry_forward(win, force=True))

    m_set = _menu(win, "设置(&S)")
    m_set.addAction("单位信息(&O)…", lambda: edit_profile(win))
    m_set.addAction("目录版本历史(&H)…", lambda: version_history(win))
    m_set.addAction("开始使用前到期的事项(&P)…", lambda: prior_items(win))
    m_set.addAction("数据存放位置(&L)…", lambda: _store_location(win))

    m_help = _menu(win, "帮助(&H)")
    win.act_guide = m_help.addAction("使用说明(&G)", lambda: show_guide(win))
    win.addAction(win.act_guide)
    m_help.addAction("关于(&A)", lambda: show_about(win))


def add_shortcuts(win: MainWindow) -> None:
    """Key sequences for the menu entries; set after the first paint (making them loads Qt's key enums)."""
    win.act_report.setShortcut(QKeySequence("Ctrl+E"))
    win.act_quit.setShortcut(QKeySequence.StandardKey.Quit)
    win.act_undo.setShortcuts([QKeySequence("Ctrl+Z")])
    win.act_redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
    win.act_find.setShortcut(QKeySequence.StandardKey.Find)
    win.act_next_open.setShortcut(QKeySequence("F8"))
    win.act_prev_open.setShortcut(QKeySequence("Shift+F8"))
    win.act_open_item.setShortcut(QKeySequence("F2"))
    for n, act in enumerate(win.act_set_status, start=1):
        act.setShortcut(QKeySequence(f"Ctrl+{n}"))
    # Ctrl+= is what a Chinese keyboard gives for "Ctrl and the +/= key"; Ctrl++ comes from the keypad
    win.act_zoom_in.setShortcuts([QKeySequence("Ctrl+="), QKeySequence("Ctrl++")])
    win.act_zoom_out.setShortcut(QKeySequence("Ctrl+-"))
    win.act_zoom_reset.setShortcut(QKeySequence("Ctrl+0"))
    win.act_guide.setShortcut(QKeySequence(QKeySequence.StandardKey.HelpContents))


def show_guide(win: MainWindow) -> None:
    """帮助 → 使用说明 (F1): the guide, at the section of what the window shows."""
    from fazhi_desk.ui.help import Section, show_help

    section = Section.DASHBOARD if win.tabs.currentIndex() == 1 else (
        Section.EVIDENCE if win.right_tabs.currentIndex() == 1 else Section.ROUTINE)
    show_help(win, section)


def _has_store(win: MainWindow) -> bool:
    if win.store is None:
        QMessageBox.information(win, WAIT_TITLE, NEED_STORE)
        return False
    return True


# ---------------------------------------------------------------- 文件


def import_catalogue(win: MainWindow) -> None:
    from fazhi_desk.ui.import_dialog import import_catalogue_interactive

    if _has_store(win):
        import_catalogue_interactive(win, win.store)


def draft_catalogue(win: MainWindow) -> None:
    """从文件起草检查目录…: a plan or a county's table drafted, reviewed in a grid, then imported."""
    from PySide6.QtCore import Qt  # the Qt namespace costs ~20 ms: not at import, before the first paint

    from fazhi_desk.ui.draft_dialog import DraftDialog

    if _has_store(win):
        dlg = DraftDialog(win.store, win)
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dlg.open()
        win.draft_dialog = dlg


def export_template(win: MainWindow) -> None:
    from fazhi_desk.ui.import_dialog import export_template_interactive

    if _has_store(win):
        export_template_interactive(win, win.store)


def export_report(win: MainWindow) -> None:
    from fazhi_desk.ui.report_dialog import export_report_interactive

    if not _has_store(win):
        return
    win._flush()  # the export reads after this write (reads wait for earlier writes)
    if win.profile is not None:  # the window holds the profile: the dialog reads nothing here
        export_report_interactive(win, win.store, win.year(), profile=win.profile)
        return
    store, year = win.store, win.year()
    (Op(_profile_of, store)
     .success(lambda p: export_report_interactive(win, store, year, profile=p) if win.store is store else None)
     .run(win, "导出年度报告"))


def _profile_of(store):  # noqa: ANN001, ANN202
    from fazhi_desk.services.profile import get_profile

    return get_profile(store)


def rollup_reports(win: MainWindow) -> None:
    """文件 → 汇总各单位报告…: for the county; reads workbooks only, the store is not needed."""
    from fazhi_desk.ui.rollup_dialog import RollupDialog

    RollupDialog(win).exec()


def verify_evidence(win: MainWindow) -> None:
    from fazhi_desk.ui.evidence_panel import run_verify

    if _has_store(win):
        run_verify(win, win.store)


def _gc(store):  # noqa: ANN001, ANN202
    from fazhi_desk.services.evidence import gc

    return gc(store)


def collect_evidence(win: MainWindow) -> Op | None:
    if not _has_store(win):
        return None
    return (Op(_gc, win.store).write(win.store)
            .success(lambda rep: QMessageBox.information(win, "清理佐证文件", rep.text()))
            .run(win, "清理佐证文件失败"))


def show_trash(win: MainWindow) -> None:
    from fazhi_desk.ui.trash_dialog import TrashDialog

    if _has_store(win):
        TrashDialog(win.store, win).exec()


def show_backup(win: MainWindow) -> None:
    from fazhi_desk.ui.backup_dialog import open_dialog

    if _has_store(win):
        open_dialog(win)


# ---------------------------------------------------------------- 编辑: change log


def _log_entries(session, item_id: str | None) -> list[tuple[str, ...]]:  # noqa: ANN001
    from fazhi_desk.services.checklist import LOG_FIELD_NAMES, change_log

    return [(f"{c.at:%Y-%m-%d %H:%M:%S}", c.user, c.item_id or "", str(c.year or ""),
             LOG_FIELD_NAMES.get(c.field, c.field), c.old_value, c.new_value)
            for c in change_log(session, item_id)]


def _show_log(win: MainWindow, item_id: str | None, title: str) -> None:
    from fazhi_desk.ui.dialogs import ChangeLogDialog

    if _has_store(win):
        (Op(_log_entries, item_id).in_session(win.store)
         .success(lambda entries: ChangeLogDialog(entries, title, win).exec())
         .run(win, "变更记录"))


def show_item_log(win: MainWindow) -> None:
    item_id = win.current_item_id()
    if not item_id:
        QMessageBox.information(win, "变更记录", "请先在清单中选择一个事项。")
        return
    _show_log(win, item_id, f"变更记录 — {item_id}")


def show_all_log(win: MainWindow) -> None:
    _show_log(win, None, "全部变更记录\uff08最近 500 条\uff09")


# ---------------------------------------------------------------- 年度: carry forward


def _candidates(session, year: int) -> tuple[int, int]:  # noqa: ANN001
    from fazhi_desk.services.checklist import carry_forward_candidates

    return carry_forward_candidates(session, year)


def _carry_forward(store, from_year: int, to_year: int, owners: bool, notes: bool,  # noqa: ANN001
                   not_applicable: bool = False) -> int:
    from fazhi_desk.services.checklist import carry_forward

    return carry_forward(store, from_year, to_year, owners=owners, notes=notes, not_applicable=not_applicable)


def offer_carry_forward(win: MainWindow, force: bool = False) -> None:
    """On a new year (or from the menu): offer to copy last year's 责任人 and notes."""
    store = win.store
    if store is None:
        return
    year = win.year()
    key = f"carry/{year}"
    if not force and win.settings.value(key):
        return

    def decide(counts: tuple[int, int]) -> None:
        from fazhi_desk.ui.dialogs import CarryForwardDialog

        this_year, prev = counts
        if win.store is not store or win.year() != year:
            return  # the user moved on
        if not prev or (this_year and not force):
            if force:
                QMessageBox.information(win, "沿用上一年度", f"{year - 1} 年没有可沿用的责任人或说明。")
            return
        win.settings.setValue(key, "asked")
        dlg = CarryForwardDialog(year - 1, year, win)
        if dlg.exec() != CarryForwardDialog.DialogCode.Accepted:
            return
        (Op(_carry_forward, store, year - 1, year, dlg.owners.isChecked(), dlg.notes.isChecked(),
            dlg.not_applicable.isChecked())
         .write(store, Changes.year(year))
         .success(lambda n: win.statusBar().showMessage(f"已沿用 {year - 1} 年的内容\uff1a{n} 项", 5000))
         .run(win, "无法沿用上一年度"))

    Op(_candidates, year).in_session(store).success(decide).run(win, "沿用上一年度")


# ---------------------------------------------------------------- 设置 and 帮助


def _store_location(win: MainWindow) -> None:
    from fazhi_desk.ui.store_location import show_store_location

    show_store_location(win)


def _set_profile(store, values: dict[str, str]):  # noqa: ANN001, ANN202
    from fazhi_desk.services.profile import set_profile

    return set_profile(store, **values)


def edit_profile(win: MainWindow, first_start: bool = False) -> Op | None:
    """单位信息…: the document choices are read in the background, then the dialog shows; saving is a write
    (the title follows from what it changed). Returns the read (None without a store)."""
    from fazhi_desk.services.profile import OfficeProfile
    from fazhi_desk.ui.dialogs import ProfileDialog

    if not _has_store(win):
        return None
    store = win.store

    def ask(documents: list) -> None:  # noqa: ANN001
        if win.store is not store:
            return
        profile = win.profile or OfficeProfile()
        dlg = ProfileDialog(profile, win, first_start=first_start, documents=documents)
        win.profile_dialog = dlg
        if dlg.exec() != ProfileDialog.DialogCode.Accepted:
            return
        Op(_set_profile, store, dlg.values()).write(store).run(win, "无法保存单位信息")

    return Op(_installed_documents).in_session(store).success(ask).run(win, "单位信息")


def prior_items(win: MainWindow) -> Op | None:
    """开始使用前到期的事项…: the one-time items due before the 开始使用年度, grouped, for one answer."""
    from fazhi_desk.ui.prior_dialog import show_prior_items

    if not _has_store(win):
        return None
    return show_prior_items(win, win.store, win.year(), win.today)


def _installed_documents(session):  # noqa: ANN001, ANN202
    from fazhi_desk.services.catalogue import installed_documents

    return installed_documents(session)


def version_history(win: MainWindow) -> None:
    from fazhi_desk.ui.backup_dialog import undo_import_interactive
    from fazhi_desk.ui.import_dialog import VersionHistoryDialog

    if _has_store(win):
        dlg = VersionHistoryDialog(win.store, win)
        data = win.store.data
        dlg.undo_requested.connect(lambda: (dlg.accept(), undo_import_interactive(win, win, data)))
        dlg.exec()


def _documents(session) -> list[tuple[str, str, str]]:  # noqa: ANN001
    from fazhi_desk.services.catalogue import installed_documents

    return [(d.code, d.title, d.version) for d in installed_documents(session)]


def show_about(win: MainWindow) -> None:
    from PySide6.QtCore import Qt

    from fazhi_desk.ui.dialogs import about_text

    if not _has_store(win):
        return
    root = str(win.store.data.root)

    def show(docs: list[tuple[str, str, str]]) -> None:
        box = QMessageBox(win)
        box.setWindowTitle("关于")
        box.setTextFormat(Qt.TextFormat.RichText)
        box.setText(about_text(__version__, docs, root))
        box.exec()

    Op(_documents).in_session(win.store).success(show).run(win, "关于")
