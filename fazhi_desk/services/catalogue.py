"""Installing catalogues into the store, and reading items back as domain objects."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from fazhi_desk.catalogue.schema import Catalogue, bundled_catalogues, dump_catalogue_json
from fazhi_desk.domain.model import Cycle, Item, SourceDocument
from fazhi_desk.services import current_user
from fazhi_desk.store.db import Store
from fazhi_desk.store.models import CatalogueVersion, Document, ItemRevision, ItemRow

BUNDLED = "内置目录"


def revision_from_item(item: Item, version_id: int) -> ItemRevision:
    return ItemRevision(
        item_id=item.item_id,
        version_id=version_id,
        chapter=item.chapter,
        section=item.section,
        article_no=item.article_no,
        article_title=item.article_title,
        requirement=item.requirement,
        source_passage=item.source_passage,
        lead_units=item.lead_units,
        participating_units=item.participating_units,
        applies_to_township=item.applies_to_township,
        cycle=item.cycle.value,
        target=item.target,
        target_max=item.target_max,
        unit=item.unit,
        deadline=item.deadline,
        evidence_hint=item.evidence_hint,
        first_year=item.first_year,
    )


def item_from_revision(rev: ItemRevision, doc_code: str) -> Item:
    return Item(
        item_id=rev.item_id,
        doc_code=doc_code,
        chapter=rev.chapter,
        section=rev.section,
        article_no=rev.article_no,
        article_title=rev.article_title,
        requirement=rev.requirement,
        source_passage=rev.source_passage,
        lead_units=rev.lead_units,
        participating_units=rev.participating_units,
        applies_to_township=rev.applies_to_township,
        cycle=Cycle(rev.cycle),
        target=rev.target,
        target_max=rev.target_max,
        unit=rev.unit,
        deadline=rev.deadline,
        evidence_hint=rev.evidence_hint,
        first_year=rev.first_year,
    )


def document_from_row(doc: Document, ver: CatalogueVersion | None) -> SourceDocument:
    return SourceDocument(
        code=doc.code,
        title=doc.title,
        doc_number=doc.doc_number,
        issuer=doc.issuer,
        date=doc.date,
        version=ver.version if ver else "",
        source_text=doc.source_text,
        notes=tuple(json.loads(ver.notes)) if ver and ver.notes else (),
    )


def add_version_row(
    s: Session, cat: Catalogue, *, source_file: str, file_sha256: str, summary: str, user: str | None = None
) -> CatalogueVersion:
    d = cat.document
    ver = CatalogueVersion(
        doc_code=d.code,
        version=d.version,
        title=d.title,
        doc_number=d.doc_number,
        issuer=d.issuer,
        date=d.date,
        notes=json.dumps(list(d.notes), ensure_ascii=False),
        source_file=source_file,
        file_sha256=file_sha256,
        imported_at=dt.datetime.now().replace(microsecond=0),
        imported_by=user or current_user(),
        summary=summary,
    )
    s.add(ver)
    s.flush()
    return ver


def install_new_document(
    s: Session, cat: Catalogue, *, source_file: str, file_sha256: str = "", user: str | None = None
) -> CatalogueVersion:
    """Install the catalogue of a document the store does not have yet."""
    d = cat.document
    doc = Document(code=d.code, title=d.title, doc_number=d.doc_number, issuer=d.issuer, date=d.date,
                   source_text=d.source_text)
    s.add(doc)
    s.flush()
    ver = add_version_row(s, cat, source_file=source_file, file_sha256=file_sha256,
                          summary=f"新增 {len(cat.items)} 项", user=user)
    doc.current_version_id = ver.id
    for n, item in enumerate(cat.items):
        row = ItemRow(item_id=item.item_id, doc_code=d.code, sort_key=n, needs_review=False)
        s.add(row)
    s.flush()
    revs = [revision_from_item(item, ver.id) for item in cat.items]
    s.add_all(revs)
    s.flush()
    by_id = {r.item_id: r for r in revs}
    for row in s.scalars(select(ItemRow).where(ItemRow.doc_code == d.code)):
        row.current_revision_id = by_id[row.item_id].id
    return ver


def install_bundled(store: Store) -> list[str]:
    """Install every bundled catalogue whose document the store does not have; returns their codes."""
    installed: list[str] = []
    with store.transaction() as s:
        have = set(s.scalars(select(Document.code)))
        for cat in bundled_catalogues():
            if cat.document.code in have:
                continue
            sha = hashlib.sha256(dump_catalogue_json(cat).encode("utf-8")).hexdigest()
            install_new_document(s, cat, source_file=BUNDLED, file_sha256=sha)
            installed.append(cat.document.code)
    return installed


def installed_documents(s: Session) -> list[SourceDocument]:
    out = []
    for doc in s.scalars(select(Document).order_by(Document.code)):
        ver = s.get(CatalogueVersion, doc.current_version_id) if doc.current_version_id else None
        out.append(document_from_row(doc, ver))
    return out


def installed_catalogues(s: Session, *, include_retired: bool = False) -> list[Catalogue]:
    """The installed catalogues as domain objects (current wording, catalogue order)."""
    cats = []
    for sd in installed_documents(s):
        q = (
            select(ItemRow, ItemRevision)
            .join(ItemRevision, ItemRevision.id == ItemRow.current_revision_id)
            .where(ItemRow.doc_code == sd.code)
            .order_by(ItemRow.sort_key, ItemRow.item_id)
        )
        items = tuple(
            item_from_revision(rev, sd.code)
            for row, rev in s.execute(q)
            if include_retired or row.retired_at is None
        )
        cats.append(Catalogue(document=sd, items=items))
    return cats
