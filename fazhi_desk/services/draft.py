"""Drafting a catalogue from a county's document into our Excel template, remembering table mappings.

The drafting itself is in :mod:`fazhi_desk.catalogue.draft` (pure: file in, catalogue out). This use
case adds what needs the data directory: the column mapping a user chose for a county's table is kept
in ``draft-mappings.json`` and used again for the next file with the same header.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass
from pathlib import Path

from fazhi_desk.catalogue.draft import Draft, DraftMeta, draft_catalogue, parse_map
from fazhi_desk.catalogue.draft.table import col_letter
from fazhi_desk.paths import DataDir

log = logging.getLogger(__name__)

MAPPINGS_FILE = "draft-mappings.json"


@dataclass(frozen=True)
class DraftResult:
    draft: Draft
    out: Path | None
    mapping_note: str = ""


def _mappings_path(data: DataDir) -> Path:
    return data.root / MAPPINGS_FILE


def load_mappings(data: DataDir) -> dict[str, dict[str, int]]:
    try:
        raw = json.loads(_mappings_path(data).read_text("utf-8"))
        return {k: {f: int(c) for f, c in v.items()} for k, v in raw.items()}
    except (OSError, ValueError, AttributeError, TypeError):
        return {}


def remember_mapping(data: DataDir, signature: str, mapping: dict[str, int]) -> None:
    from fazhi_desk.reports.output import atomic_output

    known = load_mappings(data)
    known[signature] = mapping
    with atomic_output(_mappings_path(data)) as tmp:
        tmp.write_text(json.dumps(known, ensure_ascii=False, indent=1), "utf-8")


def draft_to_template(data: DataDir, source: Path, out: Path | None, *, code: str, title: str = "",
                      doc_number: str = "", issuer: str = "", date: dt.date | None = None,
                      map_spec: str = "") -> DraftResult:
    """Draft from ``source`` and write our template to ``out`` (temp name, fsync, rename)."""
    from fazhi_desk.catalogue.excel import write_template

    meta = DraftMeta(code=code, title=title, doc_number=doc_number, issuer=issuer, date=date)
    explicit = parse_map(map_spec) if map_spec else None
    draft = draft_catalogue(source, meta, mapping=explicit)
    note = ""
    if draft.kind == "table":
        remembered = load_mappings(data).get(draft.signature)
        if explicit is None and remembered and remembered != draft.mapping:
            draft = draft_catalogue(source, meta, mapping=remembered)
            note = "已沿用上次对同样表头所选的列对应。"
        cols = "、".join(f"{f}={col_letter(c)}" for f, c in draft.mapping.items())
        note = (note + f"列对应:{cols}(可用 --map 修改)。").strip()
        if explicit is not None:
            remember_mapping(data, draft.signature, draft.mapping)
    if out is not None:
        write_template([draft.catalogue], out)
    return DraftResult(draft, out, note)
