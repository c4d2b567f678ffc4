"""Drafting a catalogue from a county's document into our Excel template, remembering table mappings.

The drafting itself is in :mod:`fazhi_desk.catalogue.draft` (pure: file in, catalogue out). This use
case adds what needs the data directory: the column mapping a user chose for a county's table is kept
in ``draft-mappings.json`` and used again for the next file with the same header.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

from fazhi_desk.catalogue import Catalogue
from fazhi_desk.catalogue.draft import Draft, DraftMeta, draft_catalogue, parse_map
from fazhi_desk.catalogue.draft.table import col_letter
from fazhi_desk.fileio import write_bytes_atomic
from fazhi_desk.paths import DataDir

log = logging.getLogger(__name__)

MAPPINGS_FILE = "draft-mappings.json"


@dataclass(frozen=True)
class DraftResult:
    draft: Draft
    out: Path | None
    mapping_note: str = ""
    columns: list[str] = field(default_factory=list)  # a table's header, for the window's mapping step


def _mappings_path(data: DataDir) -> Path:
    return data.root / MAPPINGS_FILE


def load_mappings(data: DataDir) -> dict[str, dict[str, int]]:
    try:
        raw = json.loads(_mappings_path(data).read_text("utf-8"))
        return {k: {f: int(c) for f, c in v.items()} for k, v in raw.items()}
    except (OSError, ValueError, AttributeError, TypeError):
        return {}


def remember_mapping(data: DataDir, signature: str, mapping: dict[str, int]) -> None:
    known = load_mappings(data)
    known[signature] = mapping
    write_bytes_atomic(_mappings_path(data), json.dumps(known, ensure_ascii=False, indent=1).encode("utf-8"))


def draft_source(data: DataDir, source: Path | str, meta: DraftMeta, *, pasted: bool = False,
                 mapping: dict[str, int] | None = None) -> DraftResult:
    """Draft from a file (or pasted text). For a table without an explicit ``mapping``, the mapping the
    user chose last time for a file with the same header is used; an explicit one is remembered."""
    draft = draft_catalogue(source, meta, pasted=pasted, mapping=mapping)
    note = ""
    if draft.kind == "table":
        remembered = load_mappings(data).get(draft.signature)
        if mapping is None and remembered and remembered != draft.mapping:
            draft = draft_catalogue(source, meta, mapping=remembered)
            note = "已沿用上次对同样表头所选的列对应。"
        cols = "、".join(f"{f}={col_letter(c)}" for f, c in draft.mapping.items())
        note = (note + f"列对应:{cols}。").strip()
        if mapping is not None:
            remember_mapping(data, draft.signature, draft.mapping)
    return DraftResult(draft, None, note, draft.columns)


def write_draft(catalogue: Catalogue, out: Path) -> Path:
    """Write a reviewed draft as our Excel template (temp name, fsync, rename)."""
    from fazhi_desk.catalogue.excel import write_template

    out.parent.mkdir(parents=True, exist_ok=True)
    write_template([catalogue], out)
    return out


def draft_to_template(data: DataDir, source: Path, out: Path | None, *, code: str, title: str = "",
                      doc_number: str = "", issuer: str = "", date: dt.date | None = None,
                      map_spec: str = "", term: str = "") -> DraftResult:
    """Draft from ``source`` and write our template to ``out`` (the command line's ``catalogue draft``)."""
    from fazhi_desk.catalogue.draft import parse_term

    start, end = parse_term(term)
    meta = DraftMeta(code=code, title=title, doc_number=doc_number, issuer=issuer, date=date, term_start=start,
                     term_end=end)
    result = draft_source(data, source, meta, mapping=parse_map(map_spec) if map_spec else None)
    note = result.mapping_note + ("(可用 --map 修改)" if result.draft.kind == "table" else "")
    if out is not None:
        write_draft(result.draft.catalogue, out)
    return DraftResult(result.draft, out, note, result.columns)
