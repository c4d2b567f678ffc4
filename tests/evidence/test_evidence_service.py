"""Evidence use cases over a real store: attach, dedupe, link, unlink, edit, verify, gc, bad input, CLI."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
from sqlalchemy import func, select

from fazhi_desk.cli import run as cli_run
from fazhi_desk.errors import UserError
from fazhi_desk.fileio import is_own_temp
from fazhi_desk.jobs import Cancelled, JobContext
from fazhi_desk.services import evidence as ev
from fazhi_desk.services.checklist import load_year
from fazhi_desk.store.models import ChangeLog, EvidenceFile, EvidenceLink

A = "TT2020-01-01"
B = "TT2020-02-01"
Y = 2023


def write(p: Path, data: bytes) -> Path:
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_bytes(data)
    return p


def counts(store) -> tuple[int, int]:
    with store.session() as s:
        return (s.scalar(select(func.count()).select_from(EvidenceFile)),
                s.scalar(select(func.count()).select_from(EvidenceLink)))


def stored_files(store) -> list[Path]:
    root = store.data.evidence
    return sorted(p for p in root.rglob("*") if p.is_file() and ".trash" not in p.parts)


class CancelAfter(JobContext):
    def __init__(self, n: int) -> None:
        super().__init__()
        self.n, self.calls = n, 0

    def check(self) -> None:
        self.calls += 1
        if self.calls >= self.n:
            raise Cancelled()


def test_attach_folder_with_chinese_names_and_list(small_store, tmp_path):
    src = tmp_path / "2023年 学法 材料"
    write(src / "会议纪要 第1次.pdf", b"minutes" * 100)
    write(src / "签到表" / "签到 表.jpg", b"signin" * 100)
    write(src / "Thumbs.db", b"junk")
    write(src / "~$会议纪要.docx", b"lock")
    s = ev.attach(JobContext(), small_store, A, Y, [src])
    assert s.ok and len(s.added) == 2 and s.ignored == 2
    entries = ev.list_evidence(small_store, A, Y)
    # a file of a sub-folder keeps the sub-folder (relative to the dropped folder), so the package can too
    assert sorted(e.original_name for e in entries) == ["会议纪要 第1次.pdf", "签到表/签到 表.jpg"]
    entries.sort(key=lambda e: e.original_name)
    assert entries[0].mime == "application/pdf" and entries[0].kind == "PDF 文件"
    assert entries[1].kind == "图片" and entries[1].size == 600
    for e in entries:
        p = ev.file_store(small_store).path(e.sha256)
        assert hashlib.sha256(p.read_bytes()).hexdigest() == e.sha256
    with small_store.session() as ses:
        rows = {r.item_id: r for r in load_year(ses, Y)}
    assert rows[A].evidence_count == 2 and rows[B].evidence_count == 0
    with small_store.session() as ses:
        assert ses.scalar(select(func.count()).select_from(ChangeLog).where(ChangeLog.field == "evidence")) == 2


def test_sub_folders_of_a_dropped_folder_are_kept_and_copies_out_use_the_file_name(small_store, tmp_path):
    src = tmp_path / "材料"
    write(src / "通知.pdf", b"notice" * 10)
    write(src / "会议" / "第1次" / "签到表.pdf", b"sign 1" * 10)
    write(src / "会议" / "第2次" / "签到表.pdf", b"sign 2" * 10)
    write(src / "a" / "b" / "c" / "d" / "深.txt", b"deep" * 10)
    one = write(tmp_path / "单独" / "单个文件.pdf", b"alone" * 10)  # a file given itself: no folder
    s = ev.attach(JobContext(), small_store, A, Y, [src, one])
    assert s.ok and len(s.added) == 5
    names = sorted(e.original_name for e in ev.list_evidence(small_store, A, Y))
    assert names == ["a/b/c-d/深.txt", "会议/第1次/签到表.pdf", "会议/第2次/签到表.pdf", "单个文件.pdf", "通知.pdf"]
    e = next(x for x in ev.list_evidence(small_store, A, Y) if x.original_name == "会议/第2次/签到表.pdf")
    assert ev.temp_copy(JobContext(), small_store, e.link_id).name == "签到表.pdf"
    assert ev.safe_file_name(e.original_name) == "签到表.pdf"


def test_dedupe_and_link_to_two_items(small_store, tmp_path):
    data = b"one meeting proves two obligations" * 50
    f1 = write(tmp_path / "纪要.pdf", data)
    f2 = write(tmp_path / "纪要-副本.pdf", data)
    s1 = ev.attach(JobContext(), small_store, A, Y, [f1])
    s_again = ev.attach(JobContext(), small_store, A, Y, [f2])
    assert not s_again.added and len(s_again.skipped) == 1 and "纪要.pdf" in s_again.skipped[0].reason
    s2 = ev.attach(JobContext(), small_store, B, Y, [f2])
    assert len(s2.added) == 1 and s2.added[0].shared
    assert counts(small_store) == (1, 2)
    assert len(stored_files(small_store)) == 1
    # link an existing attachment to a third place (another year)
    e = ev.list_evidence(small_store, A, Y)[0]
    linked = ev.link_existing(small_store, e.link_id, A, Y + 1)
    assert linked.sha256 == s1.added[0].sha256 and linked.link_count == 3
    with pytest.raises(UserError, match="已经是事项"):
        ev.link_existing(small_store, e.link_id, B, Y)


def test_same_content_twice_in_one_batch(small_store, tmp_path):
    a = write(tmp_path / "a.pdf", b"same" * 10)
    b = write(tmp_path / "b.pdf", b"same" * 10)
    s = ev.attach(JobContext(), small_store, A, Y, [a, b])
    assert len(s.added) == 1 and len(s.skipped) == 1 and counts(small_store) == (1, 1)


def test_unlink_keeps_file_used_elsewhere_and_gc(small_store, tmp_path):
    shared = write(tmp_path / "shared.pdf", b"shared" * 100)
    only = write(tmp_path / "only.pdf", b"only" * 100)
    ev.attach(JobContext(), small_store, A, Y, [shared, only])
    ev.attach(JobContext(), small_store, B, Y, [shared])
    fs = ev.file_store(small_store)
    ents = {e.original_name: e for e in ev.list_evidence(small_store, A, Y)}
    r = ev.unlink(small_store, ents["shared.pdf"].link_id)
    assert r.remaining_links == 1
    r = ev.unlink(small_store, ents["only.pdf"].link_id)
    assert r.remaining_links == 0
    assert ev.list_evidence(small_store, A, Y) == []
    # nothing deleted until gc
    assert fs.exists(ents["only.pdf"].sha256) and fs.exists(ents["shared.pdf"].sha256)
    # a stray file with no row (a crash between rename and commit), old enough
    stray = write(tmp_path / "stray.bin", b"stray" * 10)
    sr = fs.put(JobContext(), stray)
    os.utime(fs.path(sr.sha256), (1, 1))
    report = ev.gc(small_store)
    assert report.trashed == 1 and report.stray_trashed == 1
    assert fs.exists(ents["shared.pdf"].sha256)  # referenced survives
    assert not fs.exists(ents["only.pdf"].sha256) and not fs.exists(sr.sha256)
    assert len([p for p in fs.trash_root.rglob("*") if p.is_file()]) == 2
    assert counts(small_store) == (1, 1)
    assert ev.verify(JobContext(), small_store).ok


def test_gc_spares_fresh_strays(small_store, tmp_path):
    fs = ev.file_store(small_store)
    r = fs.put(JobContext(), write(tmp_path / "x.pdf", b"fresh" * 10))
    assert ev.gc(small_store).stray_trashed == 0 and fs.exists(r.sha256)


def test_cancel_mid_batch_leaves_no_file_and_no_row(small_store, tmp_path, monkeypatch):
    pre = write(tmp_path / "pre.pdf", b"already stored" * 100)
    ev.attach(JobContext(), small_store, B, Y, [pre])
    before_files = stored_files(small_store)
    files = [write(tmp_path / "batch" / f"{i:02d}.pdf", os.urandom(200_000)) for i in range(5)]
    files.insert(2, write(tmp_path / "batch" / "dup.pdf", b"already stored" * 100))
    # 7 checks per 200 kB file at 64 KiB chunks: files 0, 1 and the duplicate done, file 3 mid-copy
    ctx = CancelAfter(24)
    monkeypatch.setattr("fazhi_desk.evidence.filestore.CHUNK_SIZE", 64 * 1024)
    with pytest.raises(Cancelled):
        ev.attach(ctx, small_store, A, Y, files)
    assert ctx.calls == 24
    assert stored_files(small_store) == before_files  # the pre-existing shared file survived
    assert counts(small_store) == (1, 1)
    assert ev.list_evidence(small_store, A, Y) == []


def test_bad_inputs_are_reported_and_batch_continues(small_store, tmp_path):
    good = write(tmp_path / "good.pdf", b"good" * 10)
    empty = write(tmp_path / "empty.pdf", b"")
    broken = tmp_path / "broken.lnk.pdf"
    broken.symlink_to(tmp_path / "target-gone.pdf")
    missing = tmp_path / "missing.pdf"
    folder = tmp_path / "folder"
    write(folder / "inner.pdf", b"inner" * 10)
    s = ev.attach(JobContext(), small_store, A, Y, [good, empty, broken, missing, folder], recursive=False)
    reasons = {Path(f.source).name: f.reason for f in s.failed}
    assert [a.original_name for a in s.added] == ["good.pdf"]
    assert "0 字节" in reasons["empty.pdf"]
    assert "不存在" in reasons["broken.lnk.pdf"]
    assert "不存在" in reasons["missing.pdf"]
    assert "文件夹" in reasons["folder"]
    text = s.text()
    assert "失败 4 个" in text and "empty.pdf" in text
    assert counts(small_store) == (1, 1)


def test_read_only_evidence_store_gives_chinese_message(small_store, tmp_path):
    root = small_store.data.evidence
    root.rmdir()
    root.write_bytes(b"")  # the evidence folder is not writable as a folder (works as root too)
    a = write(tmp_path / "a.pdf", b"a" * 10)
    b = write(tmp_path / "b.pdf", b"b" * 10)
    s = ev.attach(JobContext(), small_store, A, Y, [a, b])
    assert not s.added and len(s.failed) == 2
    assert all("无法写入" in f.reason and str(root) in f.reason for f in s.failed)
    assert counts(small_store) == (0, 0)


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root ignores permissions")
def test_read_only_evidence_folder_by_permissions(small_store, tmp_path):
    root = small_store.data.evidence
    os.chmod(root, 0o555)
    try:
        s = ev.attach(JobContext(), small_store, A, Y, [write(tmp_path / "a.pdf", b"a")])
    finally:
        os.chmod(root, 0o755)
    assert not s.added and "无法写入" in s.failed[0].reason


def test_unknown_item_and_bad_year(small_store, tmp_path):
    f = write(tmp_path / "a.pdf", b"a")
    with pytest.raises(UserError, match="找不到检查事项"):
        ev.attach(JobContext(), small_store, "XX-99", Y, [f])
    with pytest.raises(UserError, match="年度"):
        ev.attach(JobContext(), small_store, A, 1800, [f])
    assert stored_files(small_store) == []


def test_update_description_and_doc_date(small_store, tmp_path):
    ev.attach(JobContext(), small_store, A, Y, [write(tmp_path / "a.pdf", b"a")])
    e = ev.list_evidence(small_store, A, Y)[0]
    e2 = ev.update_link(small_store, e.link_id, description="第一季度学法会议", doc_date="2023年3月5日")
    assert e2.description == "第一季度学法会议" and str(e2.doc_date) == "2023-03-05"
    assert str(ev.update_link(small_store, e.link_id, doc_date="2023/4/1").doc_date) == "2023-04-01"
    assert ev.update_link(small_store, e.link_id, doc_date="").doc_date is None
    with pytest.raises(UserError, match="不是有效日期"):
        ev.update_link(small_store, e.link_id, doc_date="2023-02-30")
    assert ev.get_entry(small_store, e.link_id).description == "第一季度学法会议"


def test_verify_lists_deleted_and_altered_by_item(small_store, tmp_path):
    ev.attach(JobContext(), small_store, A, Y, [write(tmp_path / "会议 纪要.pdf", b"minutes" * 100),
                                               write(tmp_path / "ok.pdf", b"fine" * 100)])
    ev.attach(JobContext(), small_store, B, Y, [write(tmp_path / "照片.jpg", b"photo" * 100),
                                               tmp_path / "会议 纪要.pdf"])
    assert ev.verify(JobContext(), small_store).ok
    fs = ev.file_store(small_store)
    ents = {e.original_name: e for e in ev.list_evidence(small_store, A, Y) + ev.list_evidence(small_store, B, Y)}
    fs.path(ents["照片.jpg"].sha256).unlink()
    p = fs.path(ents["会议 纪要.pdf"].sha256)
    os.chmod(p, 0o644)
    p.write_bytes(b"Minutes" + b"minutes" * 99)
    rep = ev.verify(JobContext(), small_store)
    assert not rep.ok and rep.checked == 3
    kinds = {p.kind for p in rep.problems}
    assert kinds == {"missing", "altered"}
    groups = {(g.item_id, g.year): g.files for g in rep.by_item()}
    assert groups == {
        (A, Y): (("会议 纪要.pdf", "内容已被改动"),),
        (B, Y): (("会议 纪要.pdf", "内容已被改动"), ("照片.jpg", "文件丢失")),
    }
    # nothing repaired, nothing removed
    assert not fs.exists(ents["照片.jpg"].sha256) and counts(small_store) == (3, 4)
    assert "照片.jpg" in rep.text() and "没有自动修复" in rep.text()


def test_temp_copy_and_export(small_store, tmp_path):
    ev.attach(JobContext(), small_store, A, Y, [write(tmp_path / "会议 纪要.pdf", b"minutes" * 100)])
    e = ev.list_evidence(small_store, A, Y)[0]
    t = ev.temp_copy(JobContext(), small_store, e.link_id)
    assert t.name == "会议 纪要.pdf" and t.read_bytes() == b"minutes" * 100
    assert not os.access(t, os.W_OK) or os.geteuid() == 0
    assert ev.temp_copy(JobContext(), small_store, e.link_id) == t
    out = ev.export_copy(JobContext(), small_store, e.link_id, tmp_path / "导出" / "会议 纪要.pdf")
    assert out.read_bytes() == b"minutes" * 100
    assert ev.safe_file_name('a:b?"c".pdf') == "a_b__c_.pdf" and ev.safe_file_name("CON.txt") == "_CON.txt"


def test_cli_add_list_remove_verify_gc(small_store, tmp_path, capsys):
    data_root = str(small_store.data.root)
    small_store.close()  # the CLI takes the data directory's lock itself
    folder = tmp_path / "材料 文件夹"
    write(folder / "纪要.pdf", b"cli minutes" * 10)
    write(folder / "sub" / "签到.jpg", b"cli signin" * 10)
    empty = write(tmp_path / "空.pdf", b"")

    def run(*args: str) -> tuple[int, str]:
        rc = cli_run(["--data-dir", data_root, "evidence", *args])
        out = capsys.readouterr()
        return rc, out.out + out.err

    rc, out = run("add", A, "--year", str(Y), str(folder), str(empty))
    assert rc == 1 and "添加 2 个文件" in out and "0 字节" in out
    rc, out = run("list", A, "--year", str(Y))
    assert rc == 0 and "纪要.pdf" in out and "签到.jpg" in out
    rc, out = run("link", A, "--year", str(Y), "纪要.pdf", "--to", B)
    assert rc == 0
    rc, out = run("remove", A, "--year", str(Y), "纪要.pdf")
    assert rc == 0 and "仍用于其他 1 处" in out
    rc, out = run("verify")
    assert rc == 0 and "全部完好" in out
    # delete a stored file behind the program's back
    ev_root = Path(data_root) / "evidence"
    victim = next(p for p in ev_root.rglob("*") if p.is_file() and p.read_bytes() == b"cli signin" * 10)
    victim.unlink()
    rc, out = run("verify")
    assert rc == 1 and A in out and "签到.jpg" in out and "文件丢失" in out
    rc, out = run("remove", A, "--year", str(Y), "不存在.pdf")
    assert rc == 1 and "没有序号或文件名" in out
    rc, out = run("gc")
    assert rc == 0 and "回收目录" in out
    assert not any(is_own_temp(p.name) for p in ev_root.iterdir())
