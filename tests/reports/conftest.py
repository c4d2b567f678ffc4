"""A store with a year of mixed statuses, awkward notes and real evidence files, for the report tests."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from fazhi_desk.services.checklist import MAX_NOTE, ensure_assessment, set_fields
from fazhi_desk.services.profile import set_profile
from fazhi_desk.store.models import EvidenceFile, EvidenceLink
from tests.pg_fixtures import both_small_store, both_store, pg_server, pg_templates  # noqa: F401 - SQLite and server

YEAR = 2025
TODAY = dt.date(2026, 1, 15)
INJECTION = '=HYPERLINK("http://evil.example/","点我")'
LONG_NOTE = ("组织全镇干部开展集中学法,邀请县司法局讲解行政执法程序。" * 200)[:MAX_NOTE]


@dataclass
class Seeded:
    store: object
    evidence: list[tuple[str, str, bytes]] = field(default_factory=list)  # (item_id, name, content)
    other_year: list[tuple[str, str, bytes]] = field(default_factory=list)


def add_evidence(store, item_id: str, year: int, name: str, content: bytes, *, description: str = "",
                 doc_date: dt.date | None = None) -> str:
    """Put a real file at the agreed path and link it, straight through the ORM."""
    sha = hashlib.sha256(content).hexdigest()
    p: Path = store.evidence_root / sha[:2] / sha
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_bytes(content)
    now = dt.datetime(2025, 6, 1, 9, 0)
    with store.transaction() as s:
        a = ensure_assessment(s, item_id, year)
        if s.get(EvidenceFile, sha) is None:
            s.add(EvidenceFile(sha256=sha, size=len(content), mime="", stored_at=now))
            s.flush()
        s.add(EvidenceLink(assessment_id=a.id, sha256=sha, original_name=name, description=description,
                           doc_date=doc_date, file_mtime=None, added_at=now, added_by="tester"))
    return sha


@pytest.fixture
def seeded(small_store) -> Seeded:
    st = small_store
    set_profile(st, office_name="营盘镇", county="柞水县", contact="李四")
    set_fields(st, "TT2020-01-01", YEAR, {"status": "已完成", "actual": 4, "owner": "张三",
                                          "completed_on": "2025-11-20", "note": INJECTION})
    set_fields(st, "TT2020-03-01", YEAR, {"status": "进行中", "owner": "王五", "note": LONG_NOTE})
    # the year's four 集中学法 sessions, logged as they happened (their total is the 实际值 4 typed above)
    from fazhi_desk.services.activity import add_activity

    for month, title in ((3, "学习宪法"), (6, INJECTION), (9, "学习民法典"), (11, "学习行政复议法")):
        add_activity(st, "TT2020-01-01", YEAR, dt.date(YEAR, month, 10), title, people="=1+1", place="@SUM(A1)",
                     today=dt.date(YEAR, 12, 31))
    # TT2020-01-02 (one-time, deadline 2022) stays 未开始 → overdue; TT2020-02-01 (biennial from 2020) is
    # not due in 2025; TT2020-02-02 does not apply to townships.
    sd = Seeded(st)
    files = [
        ("TT2020-01-01", "学法通知.pdf", b"%PDF-1.4 notice " * 50),
        ("TT2020-01-01", "照片:会场.jpg", b"\xff\xd8\xff jpeg bytes " * 30),
        ("TT2020-01-01", "签到表.docx", b"PK docx bytes"),
        ("TT2020-03-01", "备案报告.txt", "备案报告正文\r\n".encode("utf-8") * 100),
        ("TT2020-03-01", "备案报告.TXT", "另一份同名报告".encode("utf-8")),
    ]
    for item_id, name, content in files:
        add_evidence(st, item_id, YEAR, name, content, description="=cmd|' /C calc'!A0" if "签到" in name else "说明",
                     doc_date=dt.date(2025, 3, 2))
        sd.evidence.append((item_id, name, content))
    add_evidence(st, "TT2020-01-01", 2024, "去年的通知.pdf", b"%PDF last year")
    sd.other_year.append(("TT2020-01-01", "去年的通知.pdf", b"%PDF last year"))
    return sd
