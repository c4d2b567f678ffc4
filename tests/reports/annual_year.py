"""A realistic year for the written report: notes on 40 items, 12 sessions in the activity log, statistics,
a few shortcomings with reasons and a few evidence files named after the office's own documents.

Used by the report tests and by ``tools/render_annual_report.py`` (the README's rendered pages).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

YEAR = 2025
TODAY = dt.date(2026, 1, 15)
OFFICE = "营盘镇人民政府"

DONE_NOTES = {
    "SZ2015-03-03": "年底对班子成员依法行政能力进行考核,考核结果记入干部档案。",
    "SZ2015-04-02": "组织全体干部参加法律知识培训,人均40学时。",
    "SZ2015-04-03": "学法培训情况纳入年度考核,3名未达要求的干部未评优。",
    "SZ2015-09-03": "法制办对制发的3件规范性文件逐件出具法律审核意见书。",
    "SZ2015-09-04": "3件规范性文件均经党委会集体讨论后印发。",
    "SZ2015-10-01": "建立规范性文件登记台账,统一编号、统一在镇政府网站发布。",
    "SZ2015-10-02": "3件规范性文件均在发布后15日内报县政府备案,最快的用时9日。",
    "SZ2015-12-02": "编制2025年重大行政决策事项目录,3月报县政府备案并在网站公开。",
    "SZ2015-12-07": "对集镇改造项目开展社会稳定风险评估,形成评估报告。",
    "SZ2015-12-08": "2项重大行政决策均经法制办合法性审查。",
    "SZ2015-12-09": "2项重大行政决策均经镇党委会集体讨论决定。",
    "SZ2015-13-01": "选取集镇污水管网建设项目开展决策后评估。",
    "SZ2015-16-02": "修订行政执法责任制,细化裁量基准,开展案卷评查2次。",
    "SZ2015-16-04": "5件重大执法决定均经法制审核和集体讨论。",
    "SZ2015-18-03": "组织执法人员参加公共法律知识培训7天。",
    "SZ2015-20-01": "每月开展矛盾纠纷排查,全年排查纠纷63件,化解57件。",
    "SZ2015-21-02": "调整充实12个村(社区)人民调解委员会,开展三调联动调解6次。",
    "SZ2015-22-02": "1件行政诉讼案件由镇长出庭应诉,已履行生效判决。",
    "SZ2015-24-01": "在镇政府网站公开政策文件28件、办事指南46项。",
    "SZ2015-27-04": "年初印发2025年依法行政工作计划,明确12项重点任务。",
    "SZ2015-27-06": "7月和12月两次向县政府书面报告依法行政进展情况。",
    "SZ2015-28-11": "组织执法案卷评查,共评查案卷40卷,发现问题12个并整改。",
    "SZ2015-29-02": "对法律顾问进行年度考核,建立履职档案。",
    "SZ2015-29-04": "法律顾问全程参与集镇改造项目合同的合法性审核。",
    "SZ2015-30-01": "开展“宪法宣传周”“民法典进村组”等普法活动15场。",
    "ZS2022-01-03": "调整完善镇级权责清单,在镇政府网站公开。",
    "ZS2022-02-01": "便民服务中心推行“一件事一次办”,全年办理1260件。",
    "ZS2022-04-03": "3件规范性文件出台前均经合法性审核。",
    "ZS2022-05-01": "3件规范性文件全部报送备案,做到有件必备。",
    "ZS2022-06-01": "严格执行重大行政决策程序,2项决策均履行法定程序。",
    "ZS2022-10-01": "在镇政府网站公示执法主体、人员、依据和结果。",
    "ZS2022-10-02": "执法全过程记录,配备执法记录仪8台。",
    "ZS2022-10-06": "编制2025年度涉企行政执法检查计划并公布。",
    "ZS2022-18-01": "1件行政诉讼案件负责人出庭应诉。",
    "ZS2022-21-04": "建立执法日常监督机制,处理执法投诉2件。",
    "ZS2022-22-01": "推进“五公开”,法定主动公开内容全部公开。",
    "ZS2022-27-02": "按时向县委依法治县办报送2024年度法治政府建设情况报告并在网站公开。",
    "ZS2022-28-01": "法治政府建设工作经费8万元纳入年度财政预算。",
    "ZS2022-29-04": "举办法治专题讲座2期,邀请县法院法官授课。",
}
SHORT_NOTES = {  # shortcomings with the clerk's reasons
    "SZ2015-18-04": ("进行中", "专门法律知识培训县里尚未组织,仅完成5天。"),
    "ZS2022-29-06": ("进行中", "合法性审查人员培训名额有限,人均仅完成60学时。"),
}
SESSIONS = {  # SZ2015-04-01 集中学法: 12 sessions
    "SZ2015-04-01": [("2025-01-20", "学习宪法"), ("2025-02-24", "学习民法典合同编"),
                     ("2025-03-18", "学习行政处罚法"), ("2025-04-22", "学习行政复议法"),
                     ("2025-05-20", "学习信访工作条例"), ("2025-06-17", "学习安全生产法"),
                     ("2025-07-22", "学习土地管理法"), ("2025-08-19", "学习行政诉讼法"),
                     ("2025-09-16", "学习优化营商环境条例"), ("2025-10-21", "学习重大行政决策程序暂行条例"),
                     ("2025-11-18", "学习政府信息公开条例"), ("2025-12-16", "学习习近平法治思想")],
}
STATISTICS = {"NORM_ISSUED": 3, "NORM_FILED": 3, "REVIEW_NORMS": 3, "REVIEW_DECISIONS": 2, "MAJOR_DECISIONS": 2,
              "REVIEW_CONTRACTS": 11, "COUNSEL_REVIEWS": 9, "LITIGATION": 1, "HEAD_IN_COURT": 1,
              "RECONSIDERATION": 0, "ENFORCEMENT_CASES": 26, "CASE_FILE_REVIEWS": 40, "MEDIATION": 57,
              "PUBLICITY_EVENTS": 15, "LEADER_MEETINGS": 4, "LEADER_LECTURES": 2, "LEADER_REPORTS": 6}
EVIDENCE = {"SZ2015-12-02": "营盘镇2025年重大行政决策事项目录.pdf",
            "SZ2015-27-04": "关于印发营盘镇2025年依法行政工作计划的通知.pdf",
            "SZ2015-16-02": "营盘镇行政执法责任制实施办法.docx"}


def build_year(store, tmp: Path) -> None:  # noqa: ANN001 - a Store
    """Fill ``YEAR`` of ``store`` (bundled catalogues) as a township office would."""
    from fazhi_desk.jobs import JobContext
    from fazhi_desk.services.activity import add_activity
    from fazhi_desk.services.checklist import set_fields
    from fazhi_desk.services.evidence import attach
    from fazhi_desk.services.profile import set_profile
    from fazhi_desk.services.statistics import set_statistic

    set_profile(store, office_name=OFFICE, county="柞水县", contact="王敏", phone="0914-4321234",
                leader="李建国", deputy="张华", preparer="王敏", binding_documents=["SZ2015", "ZS2022"])
    for item_id, sessions in SESSIONS.items():
        for day, title in sessions:
            add_activity(store, item_id, YEAR, day, title, today=TODAY)
        set_fields(store, item_id, YEAR, {"status": "已完成", "completed_on": "2025-12-16"})
    for n, (item_id, note) in enumerate(DONE_NOTES.items()):
        fields = {"status": "已完成", "completed_on": f"2025-{n % 12 + 1:02d}-15", "note": note}
        if item_id == "SZ2015-04-02":
            fields["actual"] = 40
        if item_id == "SZ2015-18-03":
            fields["actual"] = 7
        if item_id == "SZ2015-10-02":
            fields["actual"] = 9
        if item_id == "SZ2015-13-01":
            fields["actual"] = 1
        if item_id == "ZS2022-29-04":
            fields["actual"] = 2
        set_fields(store, item_id, YEAR, fields)
    for item_id, (status, note) in SHORT_NOTES.items():
        fields = {"status": status, "note": note}
        if item_id == "SZ2015-18-04":
            fields["actual"] = 5
        if item_id == "ZS2022-29-06":
            fields["actual"] = 60
        set_fields(store, item_id, YEAR, fields)
    for code, v in STATISTICS.items():
        set_statistic(store, YEAR, code, v)
    for item_id, name in EVIDENCE.items():
        p = tmp / name
        p.write_bytes(f"{name} 正文".encode())
        attach(JobContext(), store, item_id, YEAR, [p])
