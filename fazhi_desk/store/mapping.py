"""ORM rows ↔ domain objects: the one place that knows how an item or a document is stored.

An :class:`~fazhi_desk.domain.model.Item`'s wording is stored as an
:class:`~fazhi_desk.store.models.ItemRevision` with the same field names, so the
mapping is derived from the dataclass: a field added to ``Item`` and to
``ItemRevision`` (and its migration) needs no change here. Enum fields are
stored as their value (``cycle`` as its Chinese word); ``doc_code`` lives on the
item row; an empty ``township_role`` (stores from before it existed) is derived
from ``applies_to_township``; an empty ``measure`` (计量方式, NULL in no store: its column has a
server default) reads as "". New fields go last on both sides: :data:`REVISION_COLUMNS` is a
positional tuple that callers extend (``(id, version_id, *REVISION_COLUMNS)``) and slice. A :class:`SourceDocument` is stored the same way on
:class:`Document`, its version and notes on :class:`CatalogueVersion`.
"""

from __future__ import annotations

import dataclasses
import enum
import json
import typing

from fazhi_desk.domain.model import Item, SourceDocument, TownshipRole
from fazhi_desk.store.models import CatalogueVersion, Document, ItemRevision

# Item fields stored on ItemRevision under the same name (all but the ones handled below).
_ITEM_NOT_ON_REVISION = {"doc_code"}
ITEM_REVISION_FIELDS: tuple[str, ...] = tuple(
    f.name for f in dataclasses.fields(Item) if f.name not in _ITEM_NOT_ON_REVISION
)
_missing = [n for n in ITEM_REVISION_FIELDS if n not in ItemRevision.__table__.columns]
if _missing:  # pragma: no cover - caught by the tests the moment a field is added on one side only
    raise RuntimeError(f"Item fields without an item_revision column: {_missing}")


_HINTS = typing.get_type_hints(Item)
# Item fields holding an enum, stored as the enum's value.
_ENUMS: dict[str, type[enum.Enum]] = {
    n: t for n, t in _HINTS.items() if isinstance(t, type) and issubclass(t, enum.Enum)
}
# SourceDocument fields stored on Document under the same name (version and notes belong to the version row).
DOCUMENT_ROW_FIELDS: tuple[str, ...] = tuple(
    f.name for f in dataclasses.fields(SourceDocument) if f.name in Document.__table__.columns
)


def _to_column(name: str, value: object) -> object:
    if name in _ENUMS and value is not None:
        return value.value  # type: ignore[union-attr]
    return "" if name == "township_role" and value is None else value


def revision_from_item(item: Item, version_id: int) -> ItemRevision:
    """A new :class:`ItemRevision` row holding ``item``'s wording in catalogue version ``version_id``."""
    values = {n: _to_column(n, getattr(item, n)) for n in ITEM_REVISION_FIELDS}
    return ItemRevision(version_id=version_id, **values)


# The item_revision columns an Item is read from, in ITEM_REVISION_FIELDS order: select these (plain
# column queries, no ORM objects) and pass each row's values to item_from_values. A year of 10,000
# items is read that way in a fraction of the time ORM instances take.
REVISION_COLUMNS = tuple(ItemRevision.__table__.c[n] for n in ITEM_REVISION_FIELDS)
_ENUM_POSITIONS = tuple((i, _ENUMS[n]) for i, n in enumerate(ITEM_REVISION_FIELDS) if n in _ENUMS)
_ROLE_AT = ITEM_REVISION_FIELDS.index("township_role")
_APPLIES_AT = ITEM_REVISION_FIELDS.index("applies_to_township")
_MEASURE_AT = ITEM_REVISION_FIELDS.index("measure")
# Item's fields in declaration order, as positions in the values list (doc_code appended last).
_ITEM_ARGS = tuple(len(ITEM_REVISION_FIELDS) if f.name == "doc_code" else ITEM_REVISION_FIELDS.index(f.name)
                   for f in dataclasses.fields(Item))


def item_from_values(values: typing.Sequence[object], doc_code: str) -> Item:
    """The domain item worded by one row of :data:`REVISION_COLUMNS` values."""
    v = list(values)
    for i, kind in _ENUM_POSITIONS:
        v[i] = kind(v[i]) if v[i] not in (None, "") else None
    if v[_ROLE_AT] is None:
        v[_ROLE_AT] = TownshipRole.default_for(v[_APPLIES_AT])
    if v[_MEASURE_AT] is None:
        v[_MEASURE_AT] = ""
    v.append(doc_code)
    return Item(*[v[i] for i in _ITEM_ARGS])


def item_from_revision(rev: ItemRevision, doc_code: str) -> Item:
    """The domain item a stored revision words (``doc_code`` comes from the item row)."""
    return item_from_values([getattr(rev, n) for n in ITEM_REVISION_FIELDS], doc_code)


def document_from_row(doc: Document, ver: CatalogueVersion | None) -> SourceDocument:
    """The installed source document, with the version and notes of its current catalogue version."""
    values = {n: getattr(doc, n) for n in DOCUMENT_ROW_FIELDS}
    return SourceDocument(version=ver.version if ver else "",
                          notes=tuple(json.loads(ver.notes)) if ver and ver.notes else (), **values)


def document_row(d: SourceDocument) -> Document:
    """A new :class:`Document` row for a source document (its version lives on the version row)."""
    return Document(**{n: getattr(d, n) for n in DOCUMENT_ROW_FIELDS})


def update_document_row(doc: Document, d: SourceDocument) -> None:
    """Bring an installed document's row to a newer catalogue's description of it."""
    for n in DOCUMENT_ROW_FIELDS:
        if n != "code":
            setattr(doc, n, getattr(d, n))


def version_row(d: SourceDocument, **extra: object) -> CatalogueVersion:
    """A new :class:`CatalogueVersion` row for a catalogue of ``d`` (import details in ``extra``)."""
    return CatalogueVersion(doc_code=d.code, version=d.version, title=d.title, doc_number=d.doc_number,
                            issuer=d.issuer, date=d.date, notes=json.dumps(list(d.notes), ensure_ascii=False),
                            **extra)
