"""Report faults (issue 18 §7): user text that becomes a formula only once control characters are stripped."""

from __future__ import annotations

import openpyxl

from fazhi_desk.jobs import JobContext
from fazhi_desk.reports.annual import SHEET_EVIDENCE
from fazhi_desk.services.report import export_report
from tests.reports.conftest import TODAY, YEAR, add_evidence


def test_control_character_then_equals_is_neutralised_after_stripping(seeded, tmp_path):
    add_evidence(seeded.store, "TT2020-01-01", YEAR, "通知\x02.pdf", b"%PDF ctl",
                 description='\x01=HYPERLINK("http://evil.example/","点我")')
    out = tmp_path / "报告.xlsx"
    export_report(JobContext(), seeded.store, YEAR, out, today=TODAY)
    ws = openpyxl.load_workbook(out)[SHEET_EVIDENCE]
    cells = [c for row in ws.iter_rows() for c in row if str(c.value or "").startswith("=HYPERLINK")]
    assert cells, "the description is in the evidence sheet"
    for c in cells:
        assert c.data_type == "s" and c.quotePrefix, c.coordinate
