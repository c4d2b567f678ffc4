"""The command line on the completion rule's states and on retired items (issue points 5, 6, 9, 10).

Each test drives the real CLI entry point over a real data directory; the report is read back with openpyxl.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys

import openpyxl
import pytest

from fazhi_desk.catalogue.schema import Catalogue, dump_catalogue_json
from fazhi_desk.cli import run as cli_run
from fazhi_desk.domain.model import Cycle, Item, SourceDocument
from fazhi_desk.reports.annual import SHEET_CHECKLIST, SHEET_OUTSTANDING, SHEET_SUMMARY

Y = dt.date.today().year  # a catalogue import retires items from the year it happens in
TRAIN, PUBLICITY, SUMMARY, MEETING, DECISION = "RT2020-01-01", "RT2020-01-02", "RT2020-02-01", "RT2020-02-02", \
    "RT2020-03-01"


def _catalogue(version: str = "1.0", *, revised: bool = False, retired: tuple[str, ...] = ()) -> Catalogue:
    doc = SourceDocument(code="RT2020", title="退役测试文件", doc_number="测〔2020〕9号", issuer="测试机关",
                         date=dt.date(2020, 3, 1), version=version)

    def it(item_id: str, requirement: str, cycle: Cycle = Cycle.YEARLY, **kw) -> Item:
        ch = "一、培训" if item_id.startswith("RT2020-01") else "二、会议" if item_id.startswith("RT2020-02") \
            else "三、决策"
        return Item(item_id=item_id, doc_code="RT2020", chapter=ch, article_no=int(item_id[7:9]),
                    article_title="条", requirement=requirement, cycle=cycle, **kw)

    items = [
        it(TRAIN, "每年组织执法人员参加公共法律知识培训不少于6天", target=6, unit="天"),
        it(PUBLICITY, "每年开展法治宣传" + ("并形成台账" if revised else "")),
        it(SUMMARY, "每年报送法治政府建设工作总结"),
        it(MEETING, "每年召开法治政府建设专题会议"),
        it(DECISION, "重大行政决策经合法性审查后集体讨论决定", Cycle.PER_EVENT),
    ]
    return Catalogue(document=doc, items=tuple(i for i in items if i.item_id not in retired))


def cli(data, *args) -> int:
    return cli_run(["--data-dir", str(data), *args])


@pytest.fixture
def data(tmp_path):
    d = tmp_path / "data"
    v1 = tmp_path / "v1.json"
    v1.write_text(dump_catalogue_json(_catalogue()), "utf-8")
    assert cli(d, "catalogue", "import", str(v1)) == 0
    assert cli(d, "profile", "set", "--office", "营盘镇", "--county", "柞水县") == 0
    return d


def _import_v2(data, tmp_path, capsys):
    v2 = tmp_path / "v2.json"
    v2.write_text(dump_catalogue_json(_catalogue("1.1", revised=True, retired=(SUMMARY, MEETING))), "utf-8")
    capsys.readouterr()
    assert cli(data, "catalogue", "import", str(v2)) == 0
    capsys.readouterr()


def _listing(data, capsys, *args) -> dict[str, list[str]]:
    capsys.readouterr()
    assert cli(data, "list", "--year", str(Y), *args) == 0
    lines = capsys.readouterr().out.splitlines()
    return {ln.split("\t")[0]: ln.split("\t") for ln in lines if "\t" in ln}


# ---------------------------------------------------------------- point 5: 未达标


def test_done_below_target_is_saved_flagged_and_not_counted_as_done(data, capsys):
    capsys.readouterr()
    assert cli(data, "status", TRAIN, "--year", str(Y), "--status", "已完成", "--actual", "2",
               "--completed-on", f"{Y}-01-02") == 0
    out = capsys.readouterr().out
    assert "未达标" in out and "实际值 2天 低于目标值 6天" in out  # saved, and the warning says why
    rows = _listing(data, capsys)
    assert rows[TRAIN][1] == "未达标"
    assert list(_listing(data, capsys, "--status", "未达标")) == [TRAIN]
    assert TRAIN not in _listing(data, capsys, "--status", "已完成")
    # meeting the target makes it done
    assert cli(data, "status", TRAIN, "--year", str(Y), "--actual", "6") == 0
    assert _listing(data, capsys)[TRAIN][1] == "已完成"


def test_done_without_an_actual_on_a_target_item_is_below_target(data, capsys):
    assert cli(data, "status", TRAIN, "--year", str(Y), "--status", "已完成", "--completed-on", f"{Y}-01-02") == 0
    assert "尚未填写实际值" in capsys.readouterr().out
    assert _listing(data, capsys)[TRAIN][1] == "未达标"


# ---------------------------------------------------------------- point 6: 本年度未发生


def test_no_event_for_per_event_items_only(data, capsys):
    assert cli(data, "status", DECISION, "--year", str(Y), "--status", "本年度未发生", "--note", "全年未作出重大行政决策") == 0
    assert _listing(data, capsys)[DECISION][1] == "本年度未发生"
    capsys.readouterr()
    assert cli(data, "status", MEETING, "--year", str(Y), "--status", "本年度未发生") == 1
    assert "按事件" in capsys.readouterr().err
    assert _listing(data, capsys)[MEETING][1].startswith("未开始")


# ---------------------------------------------------------------- point 9: retired items


def test_retired_items_do_not_come_back(data, tmp_path, capsys):
    last = Y - 1
    assert cli(data, "status", SUMMARY, "--year", str(last), "--status", "已完成", "--owner", "张三",
               "--completed-on", f"{last}-12-01") == 0
    assert cli(data, "status", MEETING, "--year", str(last), "--owner", "李四") == 0
    assert cli(data, "carry-forward", "--from", str(last), "--to", str(Y)) == 0  # owners only
    assert cli(data, "status", MEETING, "--year", str(Y), "--status", "进行中", "--note", "已拟定会议方案") == 0
    _import_v2(data, tmp_path, capsys)

    rows = _listing(data, capsys)
    assert SUMMARY not in rows  # only an owner was carried into this year: dropped with the import
    assert rows[MEETING][1] == "进行中(已退役,版本 1.1)" and rows[MEETING][2] == "已退役"
    assert SUMMARY in _listing(data, capsys, "--year", str(last))  # the years before keep it as it was
    # the dropped row is in the change log
    capsys.readouterr()
    assert cli(data, "log", "--item", SUMMARY) == 0
    assert "随退役删除(版本 1.1)" in capsys.readouterr().out

    # no new data where it has no record; its own record stays editable
    for year in (Y, Y + 1):
        assert cli(data, "status", SUMMARY, "--year", str(year), "--owner", "王五") == 1
        err = capsys.readouterr().err
        assert "已在 RT2020 目录版本 1.1" in err and "退役" in err
    assert cli(data, "status", MEETING, "--year", str(Y), "--note", "已召开会议") == 0
    f = tmp_path / "会议记录.txt"
    f.write_text("记录", "utf-8")
    capsys.readouterr()
    assert cli(data, "evidence", "add", SUMMARY, "--year", str(Y), str(f)) == 1
    assert "退役" in capsys.readouterr().err
    assert _listing(data, capsys).get(SUMMARY) is None

    capsys.readouterr()
    assert cli(data, "show", MEETING, "--year", str(Y)) == 0
    out = capsys.readouterr().out
    assert "状态:进行中(已退役,版本 1.1)" in out and "退役:已退役(RT2020 目录版本 1.1" in out

    # the report: the retired item is marked and never counted as unfinished
    out_file = tmp_path / "r.xlsx"
    assert cli(data, "report", "--year", str(Y), "--out", str(out_file)) == 0
    wb = openpyxl.load_workbook(out_file)
    ck = wb[SHEET_CHECKLIST]
    heads = [c.value for c in ck[1]]
    rows = {r[0]: r for r in ck.iter_rows(min_row=2, values_only=True)}
    states = {k: r[heads.index("状态")] for k, r in rows.items()}
    assert SUMMARY not in states and states[MEETING] == "已退役"  # one word; the version is in the note column
    assert rows[MEETING][heads.index("工作情况说明")].startswith("进行中(已退役,版本 1.1)")
    assert MEETING not in [r[0] for r in wb[SHEET_OUTSTANDING].iter_rows(min_row=2, values_only=True)]


# ---------------------------------------------------------------- point 10: the command line


def test_unknown_ids_are_refused_everywhere_and_ids_match_any_case(data, tmp_path, capsys):
    for args in (("evidence", "list", "NOPE-01"), ("log", "--item", "NOPE-01"), ("show", "NOPE-01"),
                 ("status", "NOPE-01", "--owner", "x")):
        capsys.readouterr()
        assert cli(data, *args) == 1, args
        assert "找不到检查事项“NOPE-01”" in capsys.readouterr().err
    assert cli(data, "status", TRAIN.lower(), "--year", str(Y), "--owner", "张三") == 0
    assert _listing(data, capsys)[TRAIN][0] == TRAIN
    capsys.readouterr()
    assert cli(data, "log", "--item", TRAIN.lower()) == 0
    assert "责任人: → 张三" in capsys.readouterr().out
    assert cli(data, "evidence", "list", TRAIN.lower(), "--year", str(Y)) == 0
    assert f"事项 {TRAIN}" in capsys.readouterr().out


def test_list_with_an_unknown_status_says_so_in_chinese(data, capsys):
    capsys.readouterr()
    assert cli(data, "list", "--status", "完成") == 1
    err = capsys.readouterr().err
    assert "状态“完成”无效" in err and "程序内部错误" not in err
    assert cli(data, "status", TRAIN, "--status", "完成") == 1
    assert "状态“完成”无效" in capsys.readouterr().err


@pytest.mark.parametrize("bad", ["inf", "nan", "-inf", "1e999"])
def test_actual_must_be_a_finite_number(data, capsys, bad):
    capsys.readouterr()
    assert cli(data, "status", TRAIN, "--year", str(Y), f"--actual={bad}") == 1
    assert "不是有效的数字" in capsys.readouterr().err


def test_actual_on_an_item_without_a_numeric_target_is_refused(data, capsys):
    capsys.readouterr()
    assert cli(data, "status", PUBLICITY, "--year", str(Y), "--actual", "3") == 1
    assert "没有数值目标值" in capsys.readouterr().err


def test_year_outside_the_documents_span_is_refused(data, capsys):
    for year in ("2019", str(Y + 5)):
        capsys.readouterr()
        assert cli(data, "status", TRAIN, "--year", year, "--owner", "张三") == 1
        assert "不在《退役测试文件》的检查年度内" in capsys.readouterr().err


def test_reason_does_not_replace_a_stored_reason_unless_not_applicable(data, capsys):
    assert cli(data, "status", PUBLICITY, "--year", str(Y), "--status", "不适用", "--reason", "本镇无宣传任务") == 0
    assert cli(data, "status", PUBLICITY, "--year", str(Y), "--status", "进行中") == 0
    capsys.readouterr()
    assert cli(data, "status", PUBLICITY, "--year", str(Y), "--reason", "另一个原因") == 1
    assert "只能在状态为“不适用”时填写" in capsys.readouterr().err
    assert cli(data, "show", PUBLICITY, "--year", str(Y)) == 0
    assert "不适用原因:本镇无宣传任务" in capsys.readouterr().out


def test_show_prints_the_full_record(data, tmp_path, capsys):
    f = tmp_path / "培训签到表.pdf"
    f.write_bytes(b"%PDF sign-in")
    assert cli(data, "status", TRAIN, "--year", str(Y), "--status", "已完成", "--actual", "7", "--owner", "张三",
               "--completed-on", f"{Y}-01-03", "--note", "组织培训7天") == 0
    assert cli(data, "evidence", "add", TRAIN, "--year", str(Y), str(f)) == 0
    capsys.readouterr()
    assert cli(data, "show", TRAIN.lower(), "--year", str(Y)) == 0
    out = capsys.readouterr().out
    for want in (f"编号:{TRAIN}", "事项内容:每年组织执法人员参加公共法律知识培训不少于6天", "目标值:6天",
                 "状态:已完成", "实际值:7天", "责任人:张三", f"完成日期:{Y}-01-03", "工作情况说明:组织培训7天",
                 "佐证材料:1 个:培训签到表.pdf", "复核:无需复核", "退役:否"):
        assert want in out, want


@pytest.mark.system
def test_output_cut_short_by_a_closed_pipe_exits_quietly(data):
    env = dict(os.environ)
    p = subprocess.Popen([sys.executable, "-m", "fazhi_desk", "--data-dir", str(data), "list", "--year", str(Y)],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    p.stdout.read(10)
    p.stdout.close()  # like `| head -c 10`
    err = p.stderr.read().decode("utf-8", "replace")
    p.wait(timeout=60)
    assert "Traceback" not in err and "程序内部错误" not in err and "BrokenPipe" not in err, err


# ---------------------------------------------------------------- the report of a year with every new state


def test_report_shows_revised_retired_below_target_and_no_event(data, tmp_path, capsys):
    last = Y - 1
    assert cli(data, "status", SUMMARY, "--year", str(last), "--owner", "张三") == 0
    assert cli(data, "carry-forward", "--from", str(last), "--to", str(Y)) == 0
    assert cli(data, "status", MEETING, "--year", str(Y), "--status", "已完成", "--completed-on", f"{Y}-01-05") == 0
    assert cli(data, "status", PUBLICITY, "--year", str(Y), "--status", "已完成", "--completed-on", f"{Y}-01-05") == 0
    assert cli(data, "status", TRAIN, "--year", str(Y), "--status", "已完成", "--actual", "2",
               "--completed-on", f"{Y}-01-05") == 0
    assert cli(data, "status", DECISION, "--year", str(Y), "--status", "本年度未发生") == 0
    _import_v2(data, tmp_path, capsys)  # PUBLICITY revised, SUMMARY and MEETING retired

    out_file = tmp_path / "年度报告.xlsx"
    assert cli(data, "report", "--year", str(Y), "--out", str(out_file)) == 0
    wb = openpyxl.load_workbook(out_file)
    ck = wb[SHEET_CHECKLIST]
    heads = [c.value for c in ck[1]]
    rows = {r[0]: r for r in ck.iter_rows(min_row=2, values_only=True) if r[0].startswith("RT2020")}
    state = {k: r[heads.index("状态")] for k, r in rows.items()}  # (the bundled catalogues are there too)
    assert state == {TRAIN: "未达标", PUBLICITY: "已完成", MEETING: "已退役", DECISION: "本年度未发生"}
    assert rows[MEETING][heads.index("工作情况说明")].startswith("已完成(已退役,版本 1.1)")
    assert rows[TRAIN][heads.index("未达标")] == "是"
    assert "低于目标值 6天" in rows[TRAIN][heads.index("工作情况说明")]
    # the revised item is reported in the wording it was assessed under until the review is confirmed
    assert rows[PUBLICITY][heads.index("事项内容")] == "每年开展法治宣传"

    sm = wb[SHEET_SUMMARY]
    table = list(sm.iter_rows(values_only=True))
    head = next(r for r in table if r[0] == "文件" and r[1] == "章 / 节")
    total = dict(zip(head, next(r for r in table if r[0] == "RT2020" and r[1] == "合计")))
    assert (total["事项数"], total["应完成"], total["已完成"], total["未达标"], total["本年度未发生"],
            total["已退役"]) == (4, 2, 1, 1, 1, 1)
    assert total["完成率"] == pytest.approx(0.5)
    outstanding = [r[0] for r in wb[SHEET_OUTSTANDING].iter_rows(min_row=2, values_only=True)]
    assert TRAIN in outstanding and not {MEETING, SUMMARY, DECISION, PUBLICITY} & set(outstanding)
