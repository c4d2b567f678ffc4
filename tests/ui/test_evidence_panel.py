"""The evidence panel over a real store: drops, dialogs, inline edits, open/save, remove, cancel, verify."""

from __future__ import annotations

import io
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDesktopServices, QDragEnterEvent, QDropEvent, QKeyEvent
from PySide6.QtWidgets import QAbstractItemView, QApplication, QFileDialog, QLineEdit, QMessageBox, QProgressDialog, QPushButton

from fazhi_desk.jobs import JobContext
from fazhi_desk.services import evidence as ev
from fazhi_desk.ui.evidence_panel import COL_DESC, COL_DOC_DATE, COL_NAME, EvidencePanel, run_verify
from tests.conftest import wait_idle

A, B, Y = "TT2020-01-01", "TT2020-02-01", 2023


@pytest.fixture
def boxes(monkeypatch):
    """Every message box the code shows, as (kind, text), answered like a user would."""
    seen: list[tuple[str, str]] = []
    answer = {"question": QMessageBox.StandardButton.Yes}

    def rec(kind):
        def f(parent, title, text, *a, **k):
            seen.append((kind, text))
            return answer.get(kind, QMessageBox.StandardButton.Ok)
        return f

    for kind in ("information", "warning", "critical", "question"):
        monkeypatch.setattr(QMessageBox, kind, rec(kind))
    monkeypatch.setattr(QMessageBox, "exec", lambda self: seen.append(("exec", self.text())) or 0)
    return seen, answer


@pytest.fixture
def panel(qtbot, small_store):
    p = EvidencePanel(small_store)
    qtbot.addWidget(p)
    p.resize(800, 400)
    p.show()
    qtbot.waitExposed(p)
    with qtbot.waitSignal(p.loaded, timeout=10000):  # read off the UI thread
        p.set_target(A, Y)
    yield p
    job = p.current_job
    if job is not None:
        qtbot.waitUntil(job.done.is_set, timeout=20000)


def write(p: Path, data: bytes) -> Path:
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_bytes(data)
    return p


def mime_for(*paths: Path) -> QMimeData:
    m = QMimeData()
    m.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    return m


def drop(widget, mime: QMimeData) -> bool:
    pos = QPointF(20, 60)
    enter = QDragEnterEvent(pos.toPoint(), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, enter)
    if not enter.isAccepted():
        return False
    ev_ = QDropEvent(pos, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, ev_)
    return ev_.isAccepted()


def names(panel) -> list[str]:
    m = panel.model
    return [m.index(r, COL_NAME).data() for r in range(m.rowCount())]


def reload(panel, qtbot) -> None:
    """Read the shown attachments again and wait for them (the read runs off the UI thread)."""
    with qtbot.waitSignal(panel.loaded, timeout=10000):
        panel.reload()


def stored_files(store) -> list[Path]:
    return sorted(p for p in store.data.evidence.rglob("*") if p.is_file())


def test_drop_files_and_folder(panel, qtbot, small_store, tmp_path, boxes, qtmodeltester):
    seen, _ = boxes
    f = write(tmp_path / "会议 纪要(第一次).pdf", b"minutes" * 100)
    folder = tmp_path / "签到 表"
    write(folder / "一月.jpg", b"jan" * 100)
    write(folder / "二月" / "二月 签到.jpg", b"feb" * 100)
    with qtbot.waitSignal(panel.changed, timeout=20000):
        assert drop(panel, mime_for(f, folder))
    assert sorted(names(panel)) == sorted(["会议 纪要(第一次).pdf", "一月.jpg", "二月/二月 签到.jpg"])  # the sub-folder is kept
    assert seen and seen[-1][0] == "information" and "添加 3 个文件" in seen[-1][1]
    assert [e.original_name for e in ev.list_evidence(small_store, A, Y)] == names(panel)
    qtmodeltester.check(panel.model)
    icon = panel.model.index(0, COL_NAME).data(Qt.ItemDataRole.DecorationRole)
    assert icon is not None and not icon.isNull()


def test_drop_refused_without_item_or_urls(panel, small_store, tmp_path, boxes):
    m = QMimeData()
    m.setText("not files")
    assert not drop(panel, m)
    panel.set_target(None, Y)
    assert not drop(panel, mime_for(write(tmp_path / "a.pdf", b"a")))
    assert ev.list_evidence(small_store, A, Y) == []


def test_add_files_dialog_reports_failures(panel, qtbot, small_store, tmp_path, boxes, monkeypatch):
    seen, _ = boxes
    good = write(tmp_path / "好.pdf", b"good")
    empty = write(tmp_path / "空.pdf", b"")
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *a, **k: ([str(good), str(empty)], ""))
    with qtbot.waitSignal(panel.changed, timeout=20000):
        panel.buttons["添加文件…"].click()
    assert names(panel) == ["好.pdf"]
    kind, text = seen[-1]
    assert kind == "warning" and "空.pdf" in text and "0 字节" in text


def type_text(widget, text):
    for ch in text:
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(widget, QKeyEvent(kind, Qt.Key.Key_unknown, Qt.KeyboardModifier.NoModifier, ch))


def edit_cell(panel, qtbot, row, col, text):
    idx = panel.model.index(row, col)
    panel.view.setCurrentIndex(idx)
    panel.view.edit(idx)
    editors = [w for w in panel.view.viewport().findChildren(QLineEdit) if w.isVisible()]
    assert len(editors) == 1
    editor = editors[0]
    editor.selectAll()
    qtbot.keyClick(editor, Qt.Key.Key_Delete)
    type_text(editor, text)
    qtbot.keyClick(editor, Qt.Key.Key_Return)  # the delegate commits and closes on the next event-loop turn
    qtbot.waitUntil(lambda: panel.view.state() != QAbstractItemView.State.EditingState, timeout=5000)
    wait_idle(qtbot)  # the edit is saved by the writer in the background


def test_inline_edit_description_and_doc_date(panel, qtbot, small_store, tmp_path, boxes):
    seen, _ = boxes
    ev.attach(JobContext(), small_store, A, Y, [write(tmp_path / "纪要.pdf", b"x" * 10)])
    reload(panel, qtbot)
    edit_cell(panel, qtbot, 0, COL_DESC, "第一季度学法会议纪要")
    edit_cell(panel, qtbot, 0, COL_DOC_DATE, "2023年3月5日")
    e = ev.list_evidence(small_store, A, Y)[0]
    assert e.description == "第一季度学法会议纪要" and e.doc_date.isoformat() == "2023-03-05"
    assert panel.model.index(0, COL_DOC_DATE).data() == "2023-03-05"
    edit_cell(panel, qtbot, 0, COL_DOC_DATE, "2023-02-30")
    qtbot.waitUntil(lambda: any("不是有效日期" in t for _, t in seen), timeout=5000)
    assert ev.list_evidence(small_store, A, Y)[0].doc_date.isoformat() == "2023-03-05"


def test_remove_asks_and_keeps_file_used_elsewhere(panel, qtbot, small_store, tmp_path, boxes):
    seen, answer = boxes
    f = write(tmp_path / "共用 纪要.pdf", b"shared" * 10)
    ev.attach(JobContext(), small_store, A, Y, [f])
    ev.attach(JobContext(), small_store, B, Y, [f])
    reload(panel, qtbot)
    panel.view.selectRow(0)
    answer["question"] = QMessageBox.StandardButton.No
    panel.buttons["移除"].click()
    assert names(panel) == ["共用 纪要.pdf"]
    assert "还用于其他事项" in seen[-1][1]
    answer["question"] = QMessageBox.StandardButton.Yes
    with qtbot.waitSignal(panel.changed, timeout=5000):
        panel.buttons["移除"].click()
    assert names(panel) == []
    assert [e.original_name for e in ev.list_evidence(small_store, B, Y)] == ["共用 纪要.pdf"]
    assert len(stored_files(small_store)) == 1


def test_open_uses_a_read_only_copy_under_the_original_name(panel, qtbot, small_store, tmp_path, boxes, monkeypatch):
    opened: list[QUrl] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url) or True)
    ev.attach(JobContext(), small_store, A, Y, [write(tmp_path / "会议 纪要.docx", b"docx bytes" * 10)])
    reload(panel, qtbot)
    idx = panel.model.index(0, COL_NAME)
    panel.view.doubleClicked.emit(idx)
    qtbot.waitUntil(lambda: bool(opened), timeout=10000)
    p = Path(opened[0].toLocalFile())
    assert p.name == "会议 纪要.docx" and p.read_bytes() == b"docx bytes" * 10
    stored = ev.file_store(small_store).path(ev.list_evidence(small_store, A, Y)[0].sha256)
    assert p != stored


def test_save_as_writes_under_chosen_name(panel, qtbot, small_store, tmp_path, boxes, monkeypatch):
    seen, _ = boxes
    ev.attach(JobContext(), small_store, A, Y, [write(tmp_path / "照片 1.jpg", b"jpeg" * 100)])
    reload(panel, qtbot)
    panel.view.selectRow(0)
    dest = tmp_path / "导出 目录" / "照片 1.jpg"
    dest.parent.mkdir()
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(dest), ""))
    panel.buttons["另存为…"].click()
    qtbot.waitUntil(lambda: any("已把" in t for _, t in seen), timeout=10000)
    assert dest.read_bytes() == b"jpeg" * 100
    assert [p.name for p in dest.parent.iterdir()] == ["照片 1.jpg"]


class _SlowDisk(io.RawIOBase):
    """A real file that, after its first chunk, waits until the test lets it go on (a slow USB stick)."""

    def __init__(self, path: str, gate: threading.Event) -> None:
        self._f = open(path, "rb", buffering=0)
        self._gate = gate
        self._reads = 0

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:  # noqa: ANN001
        self._reads += 1
        if self._reads == 2:
            self._gate.wait(20)
        return self._f.readinto(b)

    def close(self) -> None:
        self._f.close()
        super().close()


def test_cancel_large_copy_from_progress_dialog_leaves_nothing(panel, qtbot, small_store, tmp_path, boxes,
                                                               monkeypatch):
    seen, _ = boxes
    big = tmp_path / "大 文件.pdf"
    with open(big, "wb") as f:
        f.truncate(64 << 20)  # 64 MiB (sparse is fine: it is read through like any file)
        f.seek(0)
        f.write(b"%PDF")
    gate = threading.Event()
    monkeypatch.setattr("fazhi_desk.evidence.filestore._default_opener", lambda p: _SlowDisk(p, gate))
    changed: list[bool] = []
    panel.changed.connect(lambda: changed.append(True))
    job = panel.attach([str(big)])
    with qtbot.waitSignal(job.signals.progress, timeout=10000):
        pass
    dlg = panel.findChild(QProgressDialog)
    assert dlg is not None
    cancel_button = dlg.findChild(QPushButton)
    assert cancel_button.text() == "取消"
    with qtbot.waitSignal(job.signals.cancelled, timeout=20000):
        cancel_button.click()
        gate.set()
    qtbot.waitUntil(job.done.is_set, timeout=20000)
    qtbot.waitUntil(lambda: any("已取消" in t for _, t in seen), timeout=5000)
    assert not changed
    assert stored_files(small_store) == []  # no partial file, no temp
    assert ev.list_evidence(small_store, A, Y) == []


def test_run_verify_shows_problems_by_item(panel, qtbot, small_store, tmp_path, boxes):
    ev.attach(JobContext(), small_store, A, Y, [write(tmp_path / "纪要.pdf", b"m" * 100),
                                               write(tmp_path / "照片.jpg", b"p" * 100)])
    fs = ev.file_store(small_store)
    victim = [e for e in ev.list_evidence(small_store, A, Y) if e.original_name == "照片.jpg"][0]
    fs.path(victim.sha256).unlink()
    reports: list[ev.VerifyReport] = []
    job = run_verify(panel, small_store, reports.append)
    qtbot.waitUntil(lambda: bool(reports), timeout=20000)
    qtbot.waitUntil(job.done.is_set, timeout=5000)
    dlg = run_verify.last_dialog
    top = dlg.tree.topLevelItem(0)
    assert dlg.tree.topLevelItemCount() == 1 and A in top.text(0)
    assert top.child(0).text(0) == "照片.jpg" and top.child(0).text(1) == "文件丢失"
    assert "1 个文件有问题" in dlg.summary.text()
    dlg.close()


def test_add_files_dialog_offers_video_slides_text_and_heic_by_default(panel, monkeypatch):
    asked = []
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *a, **k: asked.append(a) or ([], ""))
    panel.buttons["添加文件…"].click()
    default = asked[0][3].split(";;")[0]
    for pattern in ("*.mp4", "*.mov", "*.ppt", "*.pptx", "*.txt", "*.heic", "*.pdf", "*.ofd"):
        assert pattern in default, pattern


def test_other_items_to_use_a_file_for_list_the_binding_documents_first(store):
    from fazhi_desk.services.profile import set_profile
    from fazhi_desk.ui.evidence_panel import _item_choices

    set_profile(store, office_name="乾佑街道办事处", county="柞水县", binding_documents=["ZS2022"])
    with store.session() as s:
        choices = _item_choices(s, 2025)
    codes = [item_id.split("-")[0] for item_id, _ in choices]
    assert "SZ2015" in codes and "ZS2022" in codes
    first_other = codes.index("SZ2015")
    assert set(codes[:first_other]) == {"ZS2022"} and "ZS2022" not in codes[first_other:]
