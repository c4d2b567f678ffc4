"""Importing an updated catalogue: preview, migration of statuses, notes and evidence, retire/restore,
review confirmation, version history, refusals that change nothing, and the command line."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from fazhi_desk.catalogue.excel import ITEM_COLUMNS, write_template
from fazhi_desk.catalogue.excel_reader import read_template
from fazhi_desk.catalogue.schema import dump_catalogue_json
from fazhi_desk.cli import run as cli_run
from fazhi_desk.domain.model import Status
from fazhi_desk.errors import UserError
from fazhi_desk.paths import resource_path
from fazhi_desk.services.catalogue import (
    apply_import,
    confirm_review,
    export_template,
    installed_catalogues,
    items_needing_review,
    list_versions,
    preview_import,
)
from fazhi_desk.services.checklist import ensure_assessment, load_year, set_fields
from fazhi_desk.store.db import open_store
from fazhi_desk.store.models import Assessment, EvidenceFile, EvidenceLink, ItemRow
from tests.conftest import dump_db as dump, make_catalogue, small_data_dir

COL = {c.header: i + 1 for i, c in enumerate(ITEM_COLUMNS)}
THIS_YEAR = dt.date.today().year


@pytest.fixture
def cat_store(store):
    """The store with the bundled catalogues (they ship with the program: none found is a failure)."""
    assert any(resource_path("catalogues").glob("*.json")), "no bundled catalogue in the resources"
    assert installed(store), "the bundled catalogues were not installed"
    return store


def installed(store):
    with store.session() as s:
        return installed_catalogues(s)


def version_bump(v: str) -> str:
    parts = v.split(".")
    parts[-1] = str(int(parts[-1]) + 1)
    return ".".join(parts)


def add_evidence(store, item_id: str, year: int, name: str) -> int:
    content = f"{item_id}-{year}-{name}".encode()
    sha = hashlib.sha256(content).hexdigest()
    with store.transaction() as s:
        a = ensure_assessment(s, item_id, year)
        if s.get(EvidenceFile, sha) is None:
            s.add(EvidenceFile(sha256=sha, size=len(content), mime="application/pdf", stored_at=dt.datetime.now()))
        s.flush()
        link = EvidenceLink(assessment_id=a.id, sha256=sha, original_name=name, description="会议记录",
                            added_at=dt.datetime.now(), added_by="tester")
        s.add(link)
        s.flush()
        return link.id


class Revision:
    """A revised template made by editing the exported one with openpyxl, and the item ids involved."""

    def __init__(self, store, tmp_path: Path) -> None:
        self.cat = installed(store)[0]
        township = [i for i in self.cat.items if i.applies_to_township]
        self.reworded, self.target_changed, self.kept = township[0].item_id, township[1].item_id, township[2].item_id
        self.removed = next(i.item_id for i in self.cat.items
                            if i.item_id not in (self.reworded, self.target_changed, self.kept))
        self.added = f"{self.cat.document.code}-99-01"
        self.path = tmp_path / "修订版.xlsx"
        export_template(store, self.path)
        self.new_version = version_bump(self.cat.document.version)
        self.new_text = "(修订)" + self.cat.item_map()[self.reworded].requirement
        old_target = self.cat.item_map()[self.target_changed].target
        self.new_target = 7 if old_target != 7 else 9

    def write(self, path: Path | None = None) -> Path:
        wb = openpyxl.load_workbook(self.path)
        docs, items = wb["来源文件"], wb["检查事项"]
        for r in range(2, docs.max_row + 1):
            if docs.cell(r, 1).value == self.cat.document.code:
                docs.cell(r, 6).value = self.new_version
        remove_row = None
        for r in range(2, items.max_row + 1):
            iid = items.cell(r, COL["编号"]).value
            if iid == self.reworded:
                items.cell(r, COL["事项内容"]).value = self.new_text
            elif iid == self.target_changed:
                items.cell(r, COL["目标值"]).value = self.new_target
            elif iid == self.removed:
                remove_row = r
        items.delete_rows(remove_row)
        last = [c.value for c in items[2]]
        last[COL["编号"] - 1] = self.added
        last[COL["事项内容"] - 1] = "新增:每年开展一次法治政府建设自查"
        items.append(last)
        out = path or self.path.with_name("修订版-改.xlsx")
        wb.save(out)
        return out


def test_revised_template_preview_and_migration(cat_store, tmp_path):
    store = cat_store
    rv = Revision(store, tmp_path)
    # A year's work recorded before the update.
    for iid, status in ((rv.reworded, "已完成"), (rv.target_changed, "进行中"), (rv.removed, "已完成"),
                        (rv.kept, "进行中")):
        set_fields(store, iid, 2023, {"status": status, "note": f"{iid} 的说明", "owner": "张三",
                                      **({"completed_on": "2023-12-01"} if status == "已完成" else {})})
    link_id = add_evidence(store, rv.reworded, 2023, "学法记录.pdf")
    kept_link = add_evidence(store, rv.kept, 2023, "台账.xlsx")
    set_fields(store, rv.reworded, THIS_YEAR, {"status": "进行中"})
    with store.session() as s:
        before = {a.item_id: (a.id, a.revision_id, a.status, a.note, a.owner)
                  for a in s.scalars(select(Assessment).where(Assessment.year == 2023))}
        cur_before = {a.item_id: a.revision_id for a in s.scalars(select(Assessment).where(Assessment.year == THIS_YEAR))}
        rows_2023_before = {r.item_id: r.item.requirement for r in load_year(s, 2023)}

    preview = preview_import(store, rv.write())
    d = preview.diff
    assert not d.is_empty and not d.is_downgrade
    doc = next(x for x in d.documents if x.code == rv.cat.document.code)
    assert [i.item_id for i in doc.added] == [rv.added]
    assert [i.item_id for i in doc.removed] == [rv.removed]
    assert {c.item_id: c.fields for c in doc.changed} == {rv.reworded: ("requirement",),
                                                         rv.target_changed: ("target",)}
    assert len(doc.unchanged) == len(rv.cat.items) - 3
    assert doc.old_version == rv.cat.document.version and doc.new.version == rv.new_version
    ch = {c.item_id: c for c in doc.changed}[rv.reworded]
    assert ch.old.requirement == rv.cat.item_map()[rv.reworded].requirement and ch.new.requirement == rv.new_text
    text = "\n".join(preview.lines())
    assert rv.new_text in text and f"{rv.cat.document.version} → {rv.new_version}" in text

    result = apply_import(store, preview, user="王五")
    assert result.changed

    with store.session() as s:
        after = {a.item_id: (a.id, a.revision_id, a.status, a.note, a.owner)
                 for a in s.scalars(select(Assessment).where(Assessment.year == 2023))}
        assert after == before  # statuses, notes, owners and revisions of 2023 untouched
        links = {x.id: x.assessment_id for x in s.scalars(select(EvidenceLink))}
        assert links[link_id] == before[rv.reworded][0] and links[kept_link] == before[rv.kept][0]
        rows = {r.item_id: r for r in s.scalars(select(ItemRow))}
        assert rows[rv.reworded].needs_review and rows[rv.target_changed].needs_review
        assert not rows[rv.kept].needs_review and not rows[rv.added].needs_review
        assert rows[rv.removed].retired_at is not None and rows[rv.removed].retired_in_version_id is not None
        # A report for 2023 regenerated after the update shows the 2023 wording.
        y2023 = {r.item_id: r for r in load_year(s, 2023)}
        assert y2023[rv.reworded].item.requirement == rows_2023_before[rv.reworded] != rv.new_text
        assert y2023[rv.reworded].status is Status.DONE and y2023[rv.reworded].note == f"{rv.reworded} 的说明"
        assert y2023[rv.reworded].evidence_count == 1
        assert rv.removed in y2023 and y2023[rv.removed].retired  # kept with its history
        # an item added by this import counts from the import's year: 2023 stays as it was reported
        assert rv.added not in y2023
        # A later year shows the new wording and no longer lists the retired item.
        later = {r.item_id: r for r in load_year(s, THIS_YEAR + 1)}
        assert later[rv.reworded].item.requirement == rv.new_text
        assert later[rv.target_changed].item.target == rv.new_target
        assert rv.removed not in later
        assert later[rv.added].completion.counted  # the new item counts from the import on
        # Item order follows the new file.
        new_order = [i.item_id for i in preview.catalogues[0].items]
        active = sorted((r for r in rows.values() if r.doc_code == rv.cat.document.code and r.retired_at is None),
                        key=lambda r: r.sort_key)
        assert [r.item_id for r in active] == new_order
    assert installed(store)[0] == preview.catalogues[0]
    assert {i.item_id for i in items_needing_review(store)} == {rv.reworded, rv.target_changed}

    vers = [v for v in list_versions(store) if v.doc_code == rv.cat.document.code]
    assert [v.version for v in vers][:2] == [rv.new_version, rv.cat.document.version]
    assert vers[0].is_current and not vers[1].is_current
    assert vers[0].imported_by == "王五" and vers[0].source_file == "修订版-改.xlsx"
    assert vers[0].file_sha256 == preview.sha256 and "新增 1,修改 2,退役 1" in vers[0].summary

    # Confirming the review moves this year's assessment to the new wording; 2023 keeps the old one.
    assert confirm_review(store, rv.reworded)
    assert not confirm_review(store, rv.reworded)
    with store.session() as s:
        assert s.get(ItemRow, rv.reworded).needs_review is False
        cur = s.scalar(select(Assessment).where(Assessment.item_id == rv.reworded, Assessment.year == THIS_YEAR))
        assert cur.revision_id != cur_before[rv.reworded]
        assert cur.revision_id == s.get(ItemRow, rv.reworded).current_revision_id
        old = s.scalar(select(Assessment).where(Assessment.item_id == rv.reworded, Assessment.year == 2023))
        assert old.revision_id == before[rv.reworded][1]
        assert {r.item_id: r for r in load_year(s, 2023)}[rv.reworded].item.requirement != rv.new_text
    with pytest.raises(UserError):
        confirm_review(store, "NO-SUCH-01")


def test_removed_then_re_added_item_is_restored_with_its_history(cat_store, tmp_path):
    store = cat_store
    rv = Revision(store, tmp_path)
    set_fields(store, rv.removed, 2023, {"status": "已完成", "note": "做过", "completed_on": "2023-12-01"})
    apply_import(store, preview_import(store, rv.write()))
    # The county restores the old list under a newer version number.
    wb = openpyxl.load_workbook(rv.path)
    for r in range(2, wb["来源文件"].max_row + 1):
        if wb["来源文件"].cell(r, 1).value == rv.cat.document.code:
            wb["来源文件"].cell(r, 6).value = version_bump(rv.new_version)
    third = tmp_path / "第三版.xlsx"
    wb.save(third)
    preview = preview_import(store, third)
    assert rv.removed in preview.restored
    assert "恢复 " + rv.removed in "\n".join(preview.lines())
    apply_import(store, preview)
    with store.session() as s:
        row = s.get(ItemRow, rv.removed)
        assert row.retired_at is None and row.retired_in_version_id is None
        assert not row.needs_review  # same wording as before it was retired
        r2023 = {r.item_id: r for r in load_year(s, 2023)}[rv.removed]
        assert r2023.status is Status.DONE and r2023.note == "做过" and not r2023.retired
        assert rv.removed in {r.item_id for r in load_year(s, THIS_YEAR + 1)}
        assert s.get(ItemRow, rv.added).retired_at is not None


def test_new_document_sits_beside_existing_ones(cat_store, tmp_path):
    before = installed(cat_store)
    extra = make_catalogue("XY2024", "1.0", 2024)
    p = tmp_path / "新文件.json"
    p.write_text(dump_catalogue_json(extra), "utf-8")
    preview = preview_import(cat_store, p)
    assert preview.diff.documents[0].is_new_document
    apply_import(cat_store, preview)
    after = {c.document.code: c for c in installed(cat_store)}
    assert after["XY2024"] == extra
    for c in before:
        assert after[c.document.code] == c


def test_identical_import_is_a_no_op(cat_store, tmp_path):
    p = tmp_path / "same.xlsx"
    export_template(cat_store, p)
    before = dump(cat_store)
    preview = preview_import(cat_store, p)
    assert preview.is_empty and preview.lines() == ["没有变化:导入的目录与已安装的目录完全相同。"]
    result = apply_import(cat_store, preview)
    assert not result.changed and "没有变化" in result.summary
    assert dump(cat_store) == before


def test_downgrade_refused_unless_allowed(cat_store, tmp_path):
    store = cat_store
    rv = Revision(store, tmp_path)
    apply_import(store, preview_import(store, rv.write()))
    preview = preview_import(store, rv.path)  # the old version again
    assert preview.diff.is_downgrade
    before = dump(store)
    with pytest.raises(UserError) as e:
        apply_import(store, preview)
    assert "降" in e.value.message and "--allow-downgrade" in e.value.message
    assert dump(store) == before
    apply_import(store, preview, allow_downgrade=True)
    assert installed(store)[0].document.version == rv.cat.document.version


def test_stale_preview_refused_and_nothing_written(cat_store, tmp_path):
    store = cat_store
    rv = Revision(store, tmp_path)
    stale = preview_import(store, rv.write())
    extra = tmp_path / "x.json"
    extra.write_text(dump_catalogue_json(make_catalogue("XY2024")), "utf-8")
    apply_import(store, preview_import(store, extra))
    before = dump(store)
    with pytest.raises(UserError) as e:
        apply_import(store, stale)
    assert "重新导入" in e.value.message
    assert dump(store) == before


def _bad_files(tmp_path: Path, good: Path) -> dict[str, Path]:
    out = {}

    def variant(name, fn):
        wb = openpyxl.load_workbook(good)
        fn(wb)
        p = tmp_path / f"{name}.xlsx"
        wb.save(p)
        out[name] = p

    variant("cycle", lambda wb: wb["检查事项"].cell(2, COL["周期"], "每月"))
    variant("target", lambda wb: wb["检查事项"].cell(2, COL["目标值"], -1))
    variant("date", lambda wb: wb["检查事项"].cell(2, COL["截止日期"], "2025-02-30"))
    variant("formula", lambda wb: wb["检查事项"].cell(2, COL["事项内容"], "=B2"))
    variant("dup", lambda wb: wb["检查事项"].cell(3, 1, wb["检查事项"].cell(2, 1).value))
    variant("nosheet", lambda wb: wb.remove(wb["来源文件"]))
    txt = tmp_path / "text.xlsx"
    txt.write_text("not a workbook")
    out["text"] = txt
    return out


@pytest.mark.parametrize("kind", ["cycle", "target", "date", "formula", "dup", "nosheet", "text"])
def test_refused_import_changes_nothing(cat_store, tmp_path, kind):
    good = tmp_path / "good.xlsx"
    export_template(cat_store, good)
    bad = _bad_files(tmp_path, good)[kind]
    before = dump(cat_store)
    with pytest.raises(UserError):
        apply_import(cat_store, preview_import(cat_store, bad))
    assert dump(cat_store) == before


# ---------------------------------------------------------------- random edits


EDITABLE = ["事项内容", "周期", "目标值", "截止日期", "适用乡镇", "条", "编号", "文件代码", "计量单位", "首次年度"]
VALUES = st.one_of(
    st.none(),
    st.sampled_from(["每年", "一次性", "每两年", "按事件", "持续", "每月", "是", "否", "也许", "=1+1", "2025-02-30",
                     "2025年12月31日", "1~2", "0", "-5", "TT2020-01-01", "TT2020-09-09", "XX2020", "TT2020"]),
    st.integers(min_value=-10, max_value=3000),
    st.floats(min_value=-5, max_value=50, allow_nan=False),
    st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2040, 12, 31)),
    st.text(alphabet="法治政府建设abc123 ", min_size=1, max_size=12),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=st.lists(st.tuples(st.integers(min_value=2, max_value=6), st.sampled_from(EDITABLE), VALUES),
                      min_size=1, max_size=4),
       bump=st.booleans())
def test_random_edits_import_correctly_or_change_nothing(tmp_path_factory, templates, edits, bump):
    base = tmp_path_factory.mktemp("rand")
    store = open_store(small_data_dir(templates, base / "data"))  # the small catalogue installed
    try:
        set_fields(store, "TT2020-01-01", 2023, {"status": "已完成", "note": "n", "completed_on": "2023-12-01"})
        path = base / "t.xlsx"
        write_template([make_catalogue()], path)
        wb = openpyxl.load_workbook(path)
        for row, header, value in edits:
            if isinstance(value, str) and value.startswith("="):
                wb["检查事项"].cell(row, COL[header]).value = value
            else:
                wb["检查事项"].cell(row, COL[header], value)
        if bump:
            wb["来源文件"]["F2"] = "1.1"
        wb.save(path)
        before = dump(store)
        with store.session() as s:
            a_before = [(a.item_id, a.year, a.revision_id, a.status, a.note) for a in s.scalars(select(Assessment))]
        try:
            preview = preview_import(store, path)
            apply_import(store, preview)
        except UserError as e:
            assert e.message  # a Chinese message, not a traceback
            assert dump(store) == before
            return
        incoming = read_template(path)
        cats = {c.document.code: c for c in installed(store)}
        for c in incoming:
            assert cats[c.document.code] == c
        with store.session() as s:
            a_after = [(a.item_id, a.year, a.revision_id, a.status, a.note) for a in s.scalars(select(Assessment))]
        assert a_after == a_before
    finally:
        store.close()


# ---------------------------------------------------------------- command line


def test_cli_import_dry_run_identical_history_confirm(tmp_path, capsys):
    data = str(tmp_path / "cli")
    v1 = tmp_path / "v1.json"
    v1.write_text(dump_catalogue_json(make_catalogue()), "utf-8")
    cat2 = make_catalogue(version="1.1")
    items = list(cat2.items)
    items[0] = dataclasses.replace(items[0], requirement="每年组织集中学法不少于6次", target=6.0)
    v2 = tmp_path / "v2.xlsx"
    write_template([dataclasses.replace(cat2, items=tuple(items))], v2)

    assert cli_run(["--data-dir", data, "catalogue", "import", str(v1)]) == 0
    assert "新增 5 项" in capsys.readouterr().out
    assert cli_run(["--data-dir", data, "catalogue", "import", str(v1)]) == 0
    assert "没有变化" in capsys.readouterr().out

    assert cli_run(["--data-dir", data, "catalogue", "import", str(v2), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "事项内容:每年组织集中学法不少于4次 → 每年组织集中学法不少于6次" in out and "未导入" in out
    assert cli_run(["--data-dir", data, "catalogue", "import", str(v2)]) == 0
    assert "已导入" in capsys.readouterr().out

    assert cli_run(["--data-dir", data, "catalogue", "import", str(v1)]) == 1
    assert "--allow-downgrade" in capsys.readouterr().err
    assert cli_run(["--data-dir", data, "catalogue", "history"]) == 0
    out = capsys.readouterr().out
    assert "1.1(当前)" in out and "v1.json" in out and "v2.xlsx" in out
    assert cli_run(["--data-dir", data, "catalogue", "review"]) == 0
    assert "TT2020-01-01" in capsys.readouterr().out
    assert cli_run(["--data-dir", data, "catalogue", "confirm", "TT2020-01-01"]) == 0
    assert "已复核确认" in capsys.readouterr().out
    assert cli_run(["--data-dir", data, "catalogue", "confirm", "NOPE-01"]) == 1


def test_cli_export_then_import_is_unchanged_and_bad_file_exits_non_zero(tmp_path, capsys):
    data = str(tmp_path / "cli")
    v1 = tmp_path / "v1.json"
    v1.write_text(dump_catalogue_json(make_catalogue()), "utf-8")
    assert cli_run(["--data-dir", data, "catalogue", "import", str(v1)]) == 0
    out = tmp_path / "导出.xlsx"
    assert cli_run(["--data-dir", data, "catalogue", "export", str(out)]) == 0
    assert make_catalogue() in read_template(out)
    assert cli_run(["--data-dir", data, "catalogue", "import", str(out)]) == 0
    assert "没有变化" in capsys.readouterr().out
    empty = tmp_path / "空白.xlsx"
    assert cli_run(["--data-dir", data, "catalogue", "export", str(empty), "--empty"]) == 0
    assert openpyxl.load_workbook(empty)["检查事项"].max_row == 1
    bad = tmp_path / "bad.xlsx"
    bad.write_text("x")
    capsys.readouterr()
    assert cli_run(["--data-dir", data, "catalogue", "import", str(bad)]) == 1
    assert "错误" in capsys.readouterr().err


def test_a_catalogue_nested_beyond_recursion_is_refused_in_chinese(tmp_path):
    from fazhi_desk.catalogue.schema import load_catalogue_json
    from fazhi_desk.errors import UserError

    p = tmp_path / "bomb.json"
    p.write_text("[" * 200_000 + "]" * 200_000, encoding="utf-8")
    with pytest.raises(UserError, match="嵌套层数过多"):
        load_catalogue_json(p)
