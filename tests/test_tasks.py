"""The operation runner: results and errors arrive on the UI thread, cancel, one writer, what changed."""

from __future__ import annotations

import threading
import time

import pytest
from PySide6.QtWidgets import QMessageBox

from fazhi_desk.changes import Changes
from fazhi_desk.errors import UserError
from fazhi_desk.jobs import Cancelled
from fazhi_desk.tasks import Op, runner
from tests.conftest import wait_idle


@pytest.fixture
def boxes(monkeypatch):
    """Every message box shown, as (icon, title, text)."""
    seen: list[tuple[QMessageBox.Icon, str, str]] = []
    monkeypatch.setattr(QMessageBox, "exec", lambda self: seen.append((self.icon(), self.windowTitle(), self.text())) or 0)
    return seen


def test_result_is_computed_on_a_worker_and_delivered_on_the_ui_thread(qtbot):
    ui = threading.current_thread()
    where: dict[str, threading.Thread] = {}

    def work(a: int, b: int) -> int:
        where["work"] = threading.current_thread()
        return a + b

    got: list[int] = []
    op = Op(work, 2, 3).success(lambda r: (got.append(r), where.__setitem__("success", threading.current_thread())))
    with qtbot.waitSignal(op.signals.finished, timeout=5000):
        op.run(None, "测试")
    wait_idle(qtbot)
    assert got == [5]
    assert where["work"] is not ui
    assert where["success"] is ui


def test_a_user_error_is_shown_in_chinese_under_the_place(qtbot, boxes):
    def refuse() -> None:
        raise UserError("文件“a.xlsx”第 3 行:缺少编号。请补上后重新导入。")

    Op(refuse).run(None, "导入检查目录")
    wait_idle(qtbot)
    assert boxes == [(QMessageBox.Icon.Warning, "导入检查目录", "文件“a.xlsx”第 3 行:缺少编号。请补上后重新导入。")]


def test_a_bug_is_shown_as_an_internal_error_with_the_log_path_on_the_ui_thread(qtbot, boxes):
    ui = threading.current_thread()
    shown_on: list[threading.Thread] = []

    def broken() -> None:
        raise KeyError("x")

    Op(broken).failure(lambda e: shown_on.append(threading.current_thread())).run(None, "x")
    Op(broken).run(None, "导出年度报告")
    wait_idle(qtbot)
    assert shown_on == [ui]
    [(icon, title, text)] = boxes
    assert icon == QMessageBox.Icon.Critical and title == "导出年度报告"
    assert "程序内部错误" in text and "日志文件" in text and "Traceback" not in text


def test_cancel_stops_the_job_and_calls_no_success(qtbot, boxes):
    started = threading.Event()

    def long_job(ctx) -> str:  # noqa: ANN001
        started.set()
        for _ in range(500):
            ctx.check()
            time.sleep(0.01)
        return "finished"

    results: list[str] = []
    cancelled: list[bool] = []
    op = Op(long_job).success(results.append).cancelled(lambda: cancelled.append(True)).run(None, "测试")
    assert started.wait(5)
    op.cancel()
    wait_idle(qtbot)
    assert cancelled == [True] and results == [] and boxes == []


def test_progress_reaches_the_ui_thread(qtbot):
    seen: list[tuple[int, int, str]] = []

    def job(ctx) -> None:  # noqa: ANN001
        for i in range(3):
            ctx.progress(i + 1, 3, f"第 {i + 1} 步")

    op = Op(job)
    op.signals.progress.connect(lambda d, t, text: seen.append((d, t, text)))
    op.run(None, "测试")
    wait_idle(qtbot)
    assert seen == [(1, 3, "第 1 步"), (2, 3, "第 2 步"), (3, 3, "第 3 步")]


def test_writes_run_one_at_a_time_and_a_later_read_sees_them(qtbot, small_store):
    active = 0
    most = 0
    lock = threading.Lock()
    log: list[str] = []

    def write(name: str) -> str:
        nonlocal active, most
        with lock:
            active += 1
            most = max(most, active)
        time.sleep(0.05)
        log.append(name)
        with lock:
            active -= 1
        return name

    def read() -> list[str]:
        return list(log)

    for n in ("a", "b", "c"):
        Op(write, n).write(small_store).run(None, "写入")
    seen: list[list[str]] = []
    Op(read).success(seen.append).run(None, "读取")
    wait_idle(qtbot)
    assert most == 1
    assert log == ["a", "b", "c"]
    assert seen == [["a", "b", "c"]]  # the read waited for the writes started before it


def test_a_write_says_what_changed_before_its_success_callback(qtbot, small_store):
    order: list[str] = []

    def on_changed(store, changes) -> None:  # noqa: ANN001
        order.append(f"changed {sorted(changes.items)}")

    runner().changed.connect(on_changed)
    try:
        (Op(lambda: 1).write(small_store, lambda r: Changes.item("TT2020-01-01", 2024 + r))
         .success(lambda r: order.append("success")).run(None, "写入"))
        (Op(lambda: 1).write(small_store, Changes()).success(lambda r: order.append("nothing changed"))
         .run(None, "写入"))
        wait_idle(qtbot)
    finally:
        runner().changed.disconnect(on_changed)
    assert order == ["changed [('TT2020-01-01', 2025)]", "success", "nothing changed"]


def test_cancelled_is_not_an_error(qtbot, boxes):
    def job() -> None:
        raise Cancelled()

    failed: list[BaseException] = []
    Op(job).failure(failed.append).run(None, "测试")
    wait_idle(qtbot)
    assert failed == [] and boxes == []


def test_the_services_say_what_they_changed_and_the_caller_declares_nothing(qtbot, small_store, tmp_path):
    """Anki's OpChanges: an edit, an attachment, a removal and a saved profile carry what they changed."""
    from fazhi_desk.services import evidence as ev
    from fazhi_desk.services.checklist import set_fields
    from fazhi_desk.services.profile import set_profile

    proof = tmp_path / "签到表.pdf"
    proof.write_bytes(b"%PDF sign-in" * 100)
    seen: list[Changes] = []

    def on_changed(store, changes) -> None:  # noqa: ANN001
        seen.append(changes)

    runner().changed.connect(on_changed)
    try:
        for op in (
            Op(set_fields, small_store, "tt2020-01-01", 2024, {"status": "进行中"}),  # the id as a user types it
            Op(set_fields, small_store, "TT2020-01-01", 2024, {"status": "进行中"}),  # nothing changes: no refresh
            Op(ev.attach, small_store, "TT2020-01-01", 2024, [str(proof)]),
            Op(set_profile, small_store, office_name="乾佑街道办事处"),
        ):
            op.write(small_store).run(None, "写入")
            wait_idle(qtbot)
        link_id = ev.list_evidence(small_store, "TT2020-01-01", 2024)[0].link_id
        Op(lambda: [ev.unlink(small_store, link_id)]).write(small_store).run(None, "移除")  # a list of results
        wait_idle(qtbot)
    finally:
        runner().changed.disconnect(on_changed)
    row = frozenset({("TT2020-01-01", 2024)})
    assert seen == [Changes(items=row), Changes(items=row, evidence=row), Changes(profile=True, catalogue=True),
                    Changes(items=row, evidence=row)]
