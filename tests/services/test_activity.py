"""The activity log (活动台账): sessions make the year's 实际值, through the one completion rule."""

from __future__ import annotations

import datetime as dt

import pytest

from fazhi_desk.domain.activity import behind_pace, progress_text, total
from fazhi_desk.domain.completion import Standing
from fazhi_desk.domain.model import Status
from fazhi_desk.errors import UserError
from fazhi_desk.jobs import JobContext
from fazhi_desk.services.activity import (
    activity_lines,
    add_activity,
    attach_files,
    list_activities,
    remove_activity,
    restore_activity,
    update_activity,
)
from fazhi_desk.services.checklist import change_log, item_record, load_row, set_fields
from fazhi_desk.services.evidence import list_evidence
from tests.conftest import dump_db

STUDY = "SZ2015-04-01"  # 每年安排领导干部集中学法不少于4次
TRAINING = "SZ2015-04-02"  # 每年组织工作人员法律培训不少于40学时
TODAY = dt.date(2025, 12, 20)


def row(store, item_id, year=2025):
    with store.session() as s:
        return load_row(s, item_id, year, TODAY)


def test_sessions_count_and_the_fourth_makes_it_done(store):
    set_fields(store, STUDY, 2025, {"status": Status.DONE, "completed_on": dt.date(2025, 11, 30)}, today=TODAY)
    for n, day in enumerate(("2025-03-18", "2025-06-20", "2025-09-12"), start=1):
        add_activity(store, STUDY, 2025, day, f"第{n}次集中学法", people="全体班子成员", today=TODAY)
    r = row(store, STUDY)
    assert r.actual == 3
    assert r.completion.standing is Standing.BELOW_TARGET  # 已完成 with 3 of 4 is 未达标 by the one rule
    assert progress_text(r.actual, r.item.target_text, r.item.unit) == "3 / 4 次"
    add_activity(store, STUDY, 2025, "2025年11月28日", "学习《民法典》", today=TODAY)
    r = row(store, STUDY)
    assert r.actual == 4 and r.completion.standing is Standing.DONE
    assert [a.date.month for a in list_activities(store, STUDY, 2025)] == [3, 6, 9, 11]


def test_hours_are_summed_where_the_unit_is_hours(store):
    add_activity(store, TRAINING, 2025, "2025-04-01", "行政处罚法培训", quantity=16, today=TODAY)
    add_activity(store, TRAINING, 2025, "2025-10-01", "行政复议法培训", quantity=24.5, today=TODAY)
    assert row(store, TRAINING).actual == 40.5
    assert total(list_activities(store, TRAINING, 2025), "学时") == 40.5


def test_a_typed_actual_that_differs_from_the_log_is_refused(store):
    add_activity(store, STUDY, 2025, "2025-03-18", "集中学法", today=TODAY)
    with pytest.raises(UserError, match="实际值按活动记录自动统计"):
        set_fields(store, STUDY, 2025, {"actual": 4}, today=TODAY)
    set_fields(store, STUDY, 2025, {"actual": 1}, today=TODAY)  # the same figure is no change
    assert row(store, STUDY).actual == 1


@pytest.mark.parametrize("date, quantity, item, message", [
    ("2024-12-31", 1, STUDY, "不在 2025 年度内"),
    ("2025-12-21", 1, STUDY, "晚于今天"),
    ("2025-02-30", 1, STUDY, "不是有效日期"),
    ("2025-03-01", 0, TRAINING, "无效"),
    ("2025-03-01", float("nan"), TRAINING, "无效"),
    ("2025-03-01", float("inf"), TRAINING, "无效"),
    ("2025-03-01", 2, STUDY, "逐次登记"),
])
def test_a_bad_session_is_refused_and_nothing_is_written(store, date, quantity, item, message):
    before = dump_db(store)
    with pytest.raises(UserError, match=message):
        add_activity(store, item, 2025, date, "集中学法", quantity=quantity, today=TODAY)
    assert dump_db(store) == before


def test_an_item_without_a_numeric_target_takes_no_log(store):
    with pytest.raises(UserError, match="没有数值目标值"):
        add_activity(store, "SZ2015-03-01", 2025, "2025-03-01", "会议", today=TODAY)


def test_remove_and_restore_bring_the_session_and_its_evidence_back(store, tmp_path):
    first = add_activity(store, STUDY, 2025, "2025-03-18", "学习宪法", today=TODAY)
    second = add_activity(store, STUDY, 2025, "2025-06-18", "学习民法典", place="三楼会议室", today=TODAY)
    sign = tmp_path / "签到表.pdf"
    sign.write_bytes(b"%PDF-1.4 sign-in sheet of 18 June")
    photo = tmp_path / "照片.jpg"
    photo.write_bytes(b"\xff\xd8\xff photo")
    summary = attach_files(JobContext(), store, second.activity_id, [sign, photo])
    assert len(summary.added) == 2
    assert [a.evidence_count for a in list_activities(store, STUDY, 2025)] == [0, 2]
    assert len(list_evidence(store, STUDY, 2025)) == 2  # still listed under the item and year

    removed = remove_activity(store, second.activity_id)
    assert row(store, STUDY).actual == 1
    assert len(list_evidence(store, STUDY, 2025)) == 2  # the files stay as the item's evidence
    back = restore_activity(store, removed)
    assert back.activity_id == second.activity_id and back.evidence_count == 2
    assert row(store, STUDY).actual == 2
    assert [a.title for a in list_activities(store, STUDY, 2025)] == ["学习宪法", "学习民法典"]

    remove_activity(store, first.activity_id)
    remove_activity(store, second.activity_id)
    assert row(store, STUDY).actual is None  # the last session gone: 实际值 is typed again


def test_every_change_is_in_the_change_log_with_date_and_title(store):
    act = add_activity(store, STUDY, 2025, "2025-03-18", "学习宪法", today=TODAY, user="王敏")
    update_activity(store, act.activity_id, title="学习《宪法》", today=TODAY, user="李强")
    remove_activity(store, act.activity_id, user="王敏")
    with store.session() as s:
        entries = [(c.user, c.field, c.old_value, c.new_value) for c in change_log(s, STUDY, 2025)
                   if c.field == "活动记录"]
    assert ("王敏", "活动记录", "", "新增:2025-03-18 学习宪法") in entries
    assert ("李强", "活动记录", "2025-03-18 学习宪法", "修改为:2025-03-18 学习《宪法》") in entries
    assert ("王敏", "活动记录", "2025-03-18 学习《宪法》", "已删除") in entries


def test_show_lists_the_sessions_and_the_derived_actual(store):
    add_activity(store, STUDY, 2025, "2025-03-18", "学习宪法", today=TODAY)
    add_activity(store, STUDY, 2025, "2025-05-09", "学习民法典", today=TODAY)
    lines = item_record(store, STUDY, 2025, TODAY) + activity_lines(store, STUDY, 2025)
    text = "\n".join(lines)
    assert "活动记录:2 次,实际值按活动记录自动统计为 2 / 4 次" in text
    assert "2025-05-09 学习民法典" in text
    assert "实际值:2次" in text


def test_behind_an_even_pace():
    assert behind_pace(1, 4, 2025, dt.date(2025, 7, 15))  # 1 of 4 by July
    assert not behind_pace(2, 4, 2025, dt.date(2025, 7, 15))
    assert not behind_pace(0, 4, 2025, dt.date(2025, 2, 1))  # nothing expected yet
    assert not behind_pace(0, 4, 2024, dt.date(2025, 7, 15))  # a past year is judged by the rule


def _ledger(path, rows, header=("序号", "学习时间", "学习内容", "地点", "主讲人", "备注")):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "集中学法台账"
    ws.append(["2025年领导干部集中学法台账"])
    ws.append(list(header))
    for r in rows:
        ws.append(list(r))
    wb.save(path)
    return path


def test_a_ledger_the_office_keeps_is_imported_in_one_go(store, tmp_path):
    from fazhi_desk.services.activity_import import apply_ledger, read_ledger

    path = _ledger(tmp_path / "台账.xlsx", [
        (1, dt.datetime(2025, 3, 18), "学习《宪法》", "三楼会议室", "张书记", ""),
        (2, "2025.6.18", "学习《民法典》", "三楼会议室", "司法所 李所长", "签到表已归档"),
        (3, "2024-12-30", "学习《行政处罚法》", "", "", ""),  # last year: refused
        (4, "9月12日", "学习《行政复议法》", "", "", ""),
        (5, "某天", "学习党章", "", "", ""),  # no date: refused
    ])
    preview = read_ledger(path, STUDY, 2025, "次", today=TODAY)
    assert [r.title for r in preview.rows] == ["学习《宪法》", "学习《民法典》", "学习《行政复议法》"]
    assert preview.rows[2].date == dt.date(2025, 9, 12)
    assert preview.rows[1].people == "司法所 李所长"
    assert len(preview.refused) == 2
    assert "工作表“集中学法台账”第 5 行" in preview.refused[0] and "不在 2025 年度内" in preview.refused[0]
    assert "第 7 行 B 列" in preview.refused[1]
    before = dump_db(store)
    assert dump_db(store) == before  # reading wrote nothing
    assert apply_ledger(store, preview, today=TODAY) == 3
    assert row(store, STUDY).actual == 3


def test_a_ledger_without_a_date_column_names_what_to_do(store, tmp_path):
    from fazhi_desk.services.activity_import import parse_map, read_ledger

    path = _ledger(tmp_path / "台账.xlsx", [("a", "b")], header=("甲", "乙"))
    with pytest.raises(UserError, match="--map 日期=A"):
        read_ledger(path, STUDY, 2025, "次", today=TODAY)
    preview = read_ledger(path, STUDY, 2025, "次", mapping=parse_map("日期=A,名称=B"), today=TODAY)
    assert not preview.rows and preview.refused


def test_the_return_lists_each_session_and_packs_its_files_in_its_own_folder(store, tmp_path):
    import zipfile

    from openpyxl import load_workbook

    from fazhi_desk.reports import workbook_format as F
    from fazhi_desk.services.profile import set_profile
    from fazhi_desk.services.report import export_report

    set_profile(store, office_name="营盘镇", county="柞水县")
    first = add_activity(store, STUDY, 2025, "2025-03-18", "学习《宪法》", place="三楼会议室", people="张书记",
                         today=TODAY)
    add_activity(store, STUDY, 2025, "2025-06-18", "学习《民法典》", today=TODAY)
    add_activity(store, TRAINING, 2025, "2025-04-01", "行政处罚法培训", quantity=16, today=TODAY)
    sign = tmp_path / "签到表.pdf"
    sign.write_bytes(b"%PDF-1.4 sign-in of 18 March")
    attach_files(JobContext(), store, first.activity_id, [sign])
    loose = tmp_path / "学法计划.docx"
    loose.write_bytes(b"plan for the year")
    from fazhi_desk.services.evidence import attach

    attach(JobContext(), store, STUDY, 2025, [loose])
    out, pkg = tmp_path / "报告.xlsx", tmp_path / "佐证材料.zip"
    export_report(JobContext(), store, 2025, out, pkg, today=TODAY)

    wb = load_workbook(out)
    ws = wb[F.SHEET_ACTIVITY]
    assert tuple(c.value for c in ws[1]) == F.ACTIVITY_COLUMNS
    rows = [tuple(c.value for c in r) for r in ws.iter_rows(min_row=2)]
    assert [(r[0], r[3], r[6]) for r in rows] == [(STUDY, "学习《宪法》", 1), (STUDY, "学习《民法典》", 1),
                                                  (TRAINING, "行政处罚法培训", 16)]
    assert rows[0][4:6] == ("三楼会议室", "张书记") and rows[0][8] == "1 个"
    assert rows[0][9:12] == ("营盘镇", "柞水县", 2025)
    head = [c.value for c in wb[F.SHEET_CHECKLIST][1]]
    actual = {r[0].value: r[head.index("实际值")].value for r in wb[F.SHEET_CHECKLIST].iter_rows(min_row=2)}
    assert actual[STUDY] == 2 and actual[TRAINING] == 16

    names = zipfile.ZipFile(pkg).namelist()
    sign_member = next(n for n in names if n.endswith("签到表.pdf"))
    plan_member = next(n for n in names if n.endswith("学法计划.docx"))
    assert sign_member.split("/")[-2] == "2025-03-18 学习《宪法》"  # the session's own sub-folder
    assert sign_member.split("/")[-3] == plan_member.split("/")[-2]  # under the item's folder
