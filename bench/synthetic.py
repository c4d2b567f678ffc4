"""A synthetic store for benchmarks: N items across two documents and Y years of assessments."""

from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import insert

from fazhi_desk.catalogue.schema import Catalogue
from fazhi_desk.domain.model import Cycle, Item, SourceDocument, Status
from fazhi_desk.paths import DataDir
from fazhi_desk.services.catalogue import install_new_document
from fazhi_desk.store.db import Store, open_store
from fazhi_desk.store.models import Assessment

WORDS = "依法 行政 决策 规范性文件 备案 清理 学法 培训 执法 公示 听证 法律顾问 合同 审查 复议 信访 调解 公开 考核 问责".split()


def synthetic_catalogue(code: str, n: int, seed: int = 1) -> Catalogue:
    rnd = random.Random(seed)
    doc = SourceDocument(code=code, title=f"合成文件{code}", doc_number=f"合〔2020〕{n}号", issuer="合成机关",
                         date=dt.date(2020, 1, 1), version="1.0")
    items = []
    per_article = 8
    for k in range(n):
        art = k // per_article + 1
        chap = (art - 1) // 40 + 1
        sec = (art - 1) // 8 + 1
        text = "".join(rnd.choice(WORDS) for _ in range(6))
        items.append(Item(
            item_id=f"{code}-{art:04d}-{k % per_article + 1:02d}", doc_code=code,
            chapter=f"第{chap}章", section=f"第{sec}节", article_no=art, article_title=f"条目{art}",
            requirement=f"每年{text}不少于{k % 9 + 1}次", source_passage=f"原文{text}{k}",
            lead_units=rnd.choice(["县司法局", "县政府办", "各镇办", "县审批局"]),
            participating_units="各镇办", applies_to_township=k % 5 != 0,
            cycle=rnd.choice(list(Cycle)), target=float(k % 9 + 1), unit="次",
            deadline=dt.date(2025, 12, 31) if k % 3 == 0 else None,
        ))
    return Catalogue(document=doc, items=tuple(items))


def build_store(data: DataDir, n_items: int = 10_000, years: range = range(2016, 2026), seed: int = 1) -> Store:
    store = open_store(data.ensure())
    half = n_items // 2
    cats = [synthetic_catalogue("SYNA", half, seed), synthetic_catalogue("SYNB", n_items - half, seed + 1)]
    with store.transaction() as s:
        for c in cats:
            install_new_document(s, c, source_file="synthetic")
    rnd = random.Random(seed)
    statuses = [s.value for s in Status]
    rows = []
    for c in cats:
        for it in c.items:
            for y in years:
                st = rnd.choice(statuses)
                rows.append(dict(item_id=it.item_id, year=y, status=st, owner=rnd.choice(["张三", "李四", ""]),
                                 note="已完成" if st == "已完成" else "", na_reason="原因" if st == "不适用" else "",
                                 actual=None))
    with store.transaction() as s:
        s.execute(insert(Assessment), rows)
    return store
