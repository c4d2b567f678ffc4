"""Installing catalogues into the store, importing updated ones, and reading items back as domain objects.

Importing is two steps: :func:`preview_import` reads and validates a file and
diffs it against what is installed (nothing is written); :func:`apply_import`
applies that preview in one transaction. Items are matched by their stable
编号: unchanged items are untouched; a changed item gets a new
:class:`ItemRevision` and is flagged ``needs_review`` until
:func:`confirm_review`; a removed item is retired, never deleted; a removed item
that comes back is restored. Assessments keep the revision they were made under,
so a past year's report keeps the wording it was assessed against.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fazhi_desk.catalogue.diff import CatalogueDiff, DocumentDiff, diff, format_diff
from fazhi_desk.changes import Changes
from fazhi_desk.catalogue.schema import Catalogue, bundled_catalogues, dump_catalogue_json, version_key
from fazhi_desk.domain.completion import has_substance
from fazhi_desk.domain.model import Item, SourceDocument
from fazhi_desk.errors import UserError
from fazhi_desk.jobs import JobContext
from fazhi_desk.services import current_user
from fazhi_desk.store.db import Store
from fazhi_desk.store.types import now as timestamp_now
from fazhi_desk.store.mapping import (
    document_from_row,
    document_row,
    item_from_revision,
    revision_from_item,
    update_document_row,
    version_row,
)
from fazhi_desk.store.models import (
    Assessment,
    CatalogueVersion,
    ChangeLog,
    Document,
    EvidenceLink,
    ItemRevision,
    ItemRow,
)

__all__ = [  # the mapping is re-exported for callers that still import it from here
    "BUNDLED", "ImportPreview", "ImportResult", "VersionInfo", "apply_import", "confirm_review",
    "document_from_row", "export_template", "install_bundled", "install_new_document", "installed_catalogues",
    "installed_documents", "item_from_revision", "items_needing_review", "list_versions", "preview_import",
    "revision_from_item",
]

BUNDLED = "内置目录"
# A change only to these fields gives the item a new revision but does not ask the office to review it:
# the obligation's wording is the same.
NO_REVIEW_FIELDS = frozenset({"township_role", "score", "measure"})


def asks_review(change) -> bool:  # noqa: ANN001 - a catalogue.diff.ItemChange
    """Whether a reworded item asks the office to review it (条文已更新,请复核).

    Not for a change only to :data:`NO_REVIEW_FIELDS`, nor where the only other change is a 原文 that now
    quotes more of the same sentence (the old passage is inside the new one): the obligation the office
    assessed is worded as before. The change review still lists every such change.
    """
    rest = set(change.fields) - NO_REVIEW_FIELDS
    if rest == {"source_passage"}:
        old = "".join((change.old.source_passage or "").split())
        new = "".join((change.new.source_passage or "").split())
        return not (old and old in new)
    return bool(rest)


def add_version_row(
    s: Session, cat: Catalogue, *, source_file: str, file_sha256: str, summary: str, user: str | None = None
) -> CatalogueVersion:
    ver = version_row(
        cat.document,
        source_file=source_file,
        file_sha256=file_sha256,
        imported_at=timestamp_now().replace(microsecond=0),
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
    doc = document_row(d)
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
    _install_indicators(s, cat)
    return ver


def _install_indicators(s: Session, cat: Catalogue) -> None:
    from fazhi_desk.services.statistics import install_indicators

    install_indicators(s, cat.document.code, cat.indicators)


def install_bundled(store: Store) -> list[str]:
    """Install every bundled catalogue the store lacks, and upgrade the ones it has from an older bundle.

    A document installed from the bundle (its current version's source file is
    内置目录) whose bundled file now carries a higher version is brought to it the
    way an imported update is: changed items get a new revision and are flagged
    for review, removed ones are retired, added ones appear, and assessments keep
    the revision they were made under, so past years keep their wording. A
    document the user has since imported from a file is left alone. Returns the
    codes installed or upgraded.
    """
    done: list[str] = []
    bundled = bundled_catalogues()
    with store.session() as s:
        current = {
            doc.code: s.get(CatalogueVersion, doc.current_version_id) if doc.current_version_id else None
            for doc in s.scalars(select(Document))
        }
    todo = [
        c for c in bundled
        if c.document.code not in current
        or (current[c.document.code] is not None and current[c.document.code].source_file == BUNDLED
            and version_key(c.document.version) > version_key(current[c.document.code].version))
    ]
    if not todo:
        return done
    now = timestamp_now().replace(microsecond=0)
    user = current_user()
    with store.transaction() as s:
        for cat in todo:
            sha = hashlib.sha256(dump_catalogue_json(cat).encode("utf-8")).hexdigest()
            code = cat.document.code
            if code not in current:
                install_new_document(s, cat, source_file=BUNDLED, file_sha256=sha)
            else:
                installed = [c for c in installed_catalogues(s) if c.document.code == code]
                retired = set(s.scalars(select(ItemRow.item_id).where(ItemRow.doc_code == code,
                                                                       ItemRow.retired_at.is_not(None))))
                dd = diff(installed, [cat]).documents[0]
                restored = frozenset(i.item_id for i in dd.added if i.item_id in retired)
                _update_document(s, dd, cat, source_file=BUNDLED, file_sha256=sha, restored=restored,
                                 user=user, now=now)
            done.append(code)
    return done


def installed_documents(s: Session) -> list[SourceDocument]:
    out = []
    for doc in s.scalars(select(Document).order_by(Document.code)):
        ver = s.get(CatalogueVersion, doc.current_version_id) if doc.current_version_id else None
        out.append(document_from_row(doc, ver))
    return out


def installed_catalogues(s: Session, *, include_retired: bool = False) -> list[Catalogue]:
    """The installed catalogues as domain objects (current wording, catalogue order), with their indicators."""
    from fazhi_desk.services.statistics import installed_indicators

    defined = installed_indicators(s)
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
        cats.append(Catalogue(document=sd, items=items, indicators=defined.get(sd.code, ())))
    return cats


# ---------------------------------------------------------------- importing updated catalogues


@dataclass(frozen=True)
class ImportPreview:
    """A validated catalogue file and what applying it would change; nothing has been written yet."""

    path: str
    file_name: str
    sha256: str
    catalogues: tuple[Catalogue, ...]
    diff: CatalogueDiff
    restored: frozenset[str]  # added 编号 that exist as retired items (they come back)
    fingerprint: str  # the installed catalogues' state when previewed

    @property
    def is_empty(self) -> bool:
        return self.diff.is_empty

    def lines(self, limit: int = 200) -> list[str]:
        """The diff as Chinese text lines (command line, logs)."""
        return format_diff(self.diff, restored=self.restored, limit=limit)


@dataclass(frozen=True)
class ImportResult:
    """What :func:`apply_import` did."""

    changed: bool
    documents: tuple[tuple[str, str], ...]  # (文件代码, new version) of each document written
    summary: str

    @property
    def changes(self) -> Changes:
        """Documents or items installed or changed: every view reads again."""
        return Changes(catalogue=True)


@dataclass(frozen=True)
class VersionInfo:
    """One row of the catalogue version history."""

    id: int
    doc_code: str
    version: str
    title: str
    source_file: str
    file_sha256: str
    imported_at: dt.datetime
    imported_by: str
    summary: str
    is_current: bool


def _fingerprint(s: Session) -> str:
    """Changes whenever a catalogue is installed or updated (every update adds a version row)."""
    docs = s.execute(select(Document.code, Document.current_version_id).order_by(Document.code)).all()
    max_ver = s.scalar(select(func.max(CatalogueVersion.id))) or 0
    max_rev = s.scalar(select(func.max(ItemRevision.id))) or 0
    return f"{docs}|{max_ver}|{max_rev}"


def preview_import(store: Store, path: Path | str, ctx: JobContext | None = None) -> ImportPreview:
    """Read and validate a catalogue file (.xlsx or .json) and diff it against the installed catalogues.

    Raises :class:`UserError` listing every problem of the file; writes nothing.
    """
    from fazhi_desk.catalogue.reader import read_catalogue_file, sha256_of

    from fazhi_desk.store.models import IndicatorRow

    ctx = ctx or JobContext()
    path = Path(path)
    ctx.progress(0, 3, "正在读取并检查文件……")
    with store.session() as s:
        taken = dict(s.execute(select(IndicatorRow.code, IndicatorRow.doc_code)).all())
    cats = read_catalogue_file(path, taken=taken)
    ctx.check()
    try:
        sha = sha256_of(path)
    except OSError as e:
        raise UserError(f"无法读取文件“{path}”\uff1a{e.strerror or e}。") from e
    ctx.progress(1, 3, "正在与已安装的目录比较……")
    codes = [c.document.code for c in cats]
    with store.session() as s:
        fp = _fingerprint(s)
        installed = [c for c in installed_catalogues(s) if c.document.code in codes]
        retired = set(
            s.scalars(select(ItemRow.item_id).where(ItemRow.doc_code.in_(codes), ItemRow.retired_at.is_not(None)))
        )
    ctx.check()
    d = diff(installed, cats)
    restored = frozenset(i.item_id for doc in d.documents for i in doc.added if i.item_id in retired)
    ctx.progress(3, 3, "")
    return ImportPreview(path=str(path), file_name=path.name, sha256=sha, catalogues=tuple(cats), diff=d,
                         restored=restored, fingerprint=fp)


def apply_import(
    store: Store, preview: ImportPreview, allow_downgrade: bool = False, user: str | None = None,
    ctx: JobContext | None = None,
) -> ImportResult:
    """Apply a preview in one transaction (see the module docstring); a no-op when nothing changed.

    A downgrade (a version lower than the installed one) is refused unless
    ``allow_downgrade``. If the installed catalogues changed since the preview,
    nothing is written and the user is asked to import again.
    """
    ctx = ctx or JobContext()
    d = preview.diff
    if d.is_empty:
        return ImportResult(changed=False, documents=(), summary="没有变化:导入的目录与已安装的目录完全相同。")
    if d.is_downgrade and not allow_downgrade:
        downs = [f"{x.code} 从 {x.old_version} 降为 {x.new.version}" for x in d.documents if x.is_downgrade]
        raise UserError(
            f"“{preview.file_name}”的版本低于已安装的目录\uff08{';'.join(downs)}\uff09\uff0c未导入。"
            "如确需换回旧版本\uff0c请在确认后再导入\uff08命令行加 --allow-downgrade\uff09。"
        )
    _backup_before_import(store, ctx)
    user = user or current_user()
    now = timestamp_now().replace(microsecond=0)
    by_code = {c.document.code: c for c in preview.catalogues}
    written: list[tuple[str, str]] = []
    parts: list[str] = []
    with store.transaction() as s:
        if _fingerprint(s) != preview.fingerprint:
            raise UserError("预览之后检查目录已被修改\uff08可能刚完成了另一次导入\uff09。本次没有导入\uff0c请重新导入该文件。")
        todo = [x for x in d.documents if not x.is_empty]
        for n, dd in enumerate(todo):
            ctx.progress(n, len(todo), f"正在更新 {dd.code}……")
            cat = by_code[dd.code]
            if dd.is_new_document:
                install_new_document(s, cat, source_file=preview.file_name, file_sha256=preview.sha256, user=user)
                s.add(ChangeLog(at=now, user=user, item_id=None, year=None, field="catalogue", old_value="",
                                new_value=f"导入 {dd.code} 版本 {dd.new.version}:{dd.summary()}"))
                parts.append(f"{dd.code}:新增来源文件,{dd.summary()}")
            else:
                summary = _update_document(s, dd, cat, source_file=preview.file_name, file_sha256=preview.sha256,
                                           restored=preview.restored, user=user, now=now)
                parts.append(f"{dd.code}:版本 {dd.old_version} → {dd.new.version},{summary}")
            written.append((dd.code, dd.new.version))
        ctx.progress(len(todo), len(todo), "")
    return ImportResult(changed=True, documents=tuple(written), summary=";".join(parts))


def _backup_before_import(store: Store, ctx: JobContext) -> None:
    """The automatic backup an import is undone from (database only: an import never touches evidence).

    A store on a server is backed up the same way (its data read in one consistent snapshot) into the
    ``backups/`` of this desk's data directory: the desk that imports keeps the backup its undo needs.
    """
    from fazhi_desk.backup.auto import auto_backup

    if store.data is None:  # a server store opened without a desk's data directory: nowhere to keep the backup
        raise UserError(f"数据存放在{store.describe().text()}上\uff0c但没有指定这台电脑的数据目录\uff0c无法做导入前的自动备份\uff0c"
                        "为安全起见本次没有导入\uff0c数据没有改动。请在程序窗口或命令行\uff08fazhi-desk catalogue import\uff09中导入。")
    ctx.progress(0, 1, "导入前正在自动备份……")
    try:
        auto_backup(ctx, store.data, "before-import", store=store)
    except UserError as e:
        raise UserError(f"导入前的自动备份没有完成\uff0c为安全起见本次没有导入\uff0c数据没有改动\uff1a{e}") from e


def _update_document(
    s: Session, dd: DocumentDiff, cat: Catalogue, *, source_file: str, file_sha256: str,
    restored: frozenset[str], user: str, now: dt.datetime,
) -> str:
    """Bring one installed document to the incoming catalogue; returns the version summary."""
    code = dd.code
    restored = [i.item_id for i in dd.added if i.item_id in restored]
    summary = dd.summary() + (f",其中恢复 {len(restored)}" if restored else "")
    doc = s.get(Document, code)
    assert doc is not None
    update_document_row(doc, cat.document)
    ver = add_version_row(s, cat, source_file=source_file, file_sha256=file_sha256, summary=summary, user=user)
    doc.current_version_id = ver.id
    rows = {r.item_id: r for r in s.scalars(select(ItemRow).where(ItemRow.doc_code == code))}
    retired_revs = {
        r.item_id: r
        for r in s.scalars(
            select(ItemRevision)
            .join(ItemRow, ItemRow.current_revision_id == ItemRevision.id)
            .where(ItemRow.doc_code == code, ItemRow.retired_at.is_not(None))
        )
    }
    changed = {c.item_id: c for c in dd.changed}
    need_revision: list[Item] = []
    logs: list[ChangeLog] = []
    for n, item in enumerate(cat.items):
        row = rows.get(item.item_id)
        if row is None:
            s.add(ItemRow(item_id=item.item_id, doc_code=code, sort_key=n, needs_review=False))
            need_revision.append(item)
            continue
        if row.sort_key != n:
            row.sort_key = n
        if row.retired_at is not None:
            row.retired_at = None
            row.retired_in_version_id = None
            old = retired_revs.get(item.item_id)
            differs = old is None or item_from_revision(old, code) != item
            if differs:
                need_revision.append(item)
                row.needs_review = True
            logs.append(ChangeLog(at=now, user=user, item_id=item.item_id, year=None, field="catalogue",
                                  old_value="已退役", new_value=f"恢复(版本 {dd.new.version})"))
        elif item.item_id in changed:
            need_revision.append(item)
            if asks_review(changed[item.item_id]):
                row.needs_review = True
            names = "、".join(_label(f) for f in changed[item.item_id].fields)
            logs.append(ChangeLog(at=now, user=user, item_id=item.item_id, year=None, field="catalogue",
                                  old_value=f"版本 {dd.old_version}",
                                  new_value=f"版本 {dd.new.version} 修改:{names}"))
    for item in dd.removed:
        row = rows[item.item_id]
        row.retired_at = now
        row.retired_in_version_id = ver.id
        logs.append(ChangeLog(at=now, user=user, item_id=item.item_id, year=None, field="catalogue",
                              old_value=f"版本 {dd.old_version}", new_value=f"退役(版本 {dd.new.version})"))
        logs.extend(_drop_empty_assessments(s, item.item_id, now, user, dd.new.version))
    s.flush()
    revs = [revision_from_item(item, ver.id) for item in need_revision]
    s.add_all(revs)
    s.flush()
    for rev in revs:
        rows_row = rows.get(rev.item_id) or s.get(ItemRow, rev.item_id)
        assert rows_row is not None
        rows_row.current_revision_id = rev.id
    logs.append(ChangeLog(at=now, user=user, item_id=None, year=None, field="catalogue",
                          old_value=f"{code} 版本 {dd.old_version}",
                          new_value=f"{code} 版本 {dd.new.version}:{summary}"))
    s.add_all(logs)
    _recount_logs(s, changed.values(), user, now)
    _install_indicators(s, cat)
    return summary


def _recount_logs(s: Session, changes, user: str, now: dt.datetime) -> None:  # noqa: ANN001 - ItemChanges
    """Items whose unit moved between counted and summed units keep their activity log; its total is their
    实际值 again from the import year on (次 counts sessions, 学时 adds their hours)."""
    from fazhi_desk.services.activity import recount_after_unit_change

    for ch in changes:
        if "unit" in ch.fields:
            recount_after_unit_change(s, ch.item_id, ch.old.unit, ch.new.unit, now.year, user, now)


def _drop_empty_assessments(s: Session, item_id: str, now: dt.datetime, user: str, version: str) -> list[ChangeLog]:
    """Delete a retired item's rows from the import year on that hold nothing of substance.

    Those are owners carried forward into a year the item will no longer be due in; they
    would bring it back as 未开始. Rows with a status, note, actual value or evidence stay.
    Runs in the import's transaction, so undoing the import restores them; each is logged.
    """
    logs: list[ChangeLog] = []
    for a in s.scalars(select(Assessment).where(Assessment.item_id == item_id, Assessment.year >= now.year)):
        n_ev = s.scalar(select(func.count(EvidenceLink.id)).where(EvidenceLink.assessment_id == a.id)) or 0
        if has_substance(a.status, a.note, a.actual, n_ev):
            continue
        what = f"责任人 {a.owner}" if a.owner else "空记录"
        logs.append(ChangeLog(at=now, user=user, item_id=item_id, year=a.year, field="catalogue",
                              old_value=what, new_value=f"随退役删除(版本 {version})"))
        s.delete(a)
    return logs


def _label(name: str) -> str:
    from fazhi_desk.catalogue.diff import ITEM_FIELD_LABELS

    return ITEM_FIELD_LABELS.get(name, name)


def list_versions(store: Store) -> list[VersionInfo]:
    """The catalogue version history, newest first within each document."""
    from fazhi_desk.services.submission import undone_imports

    with store.session() as s:
        current = set(s.scalars(select(Document.current_version_id)))
        vers = s.scalars(select(CatalogueVersion).order_by(CatalogueVersion.doc_code, CatalogueVersion.id.desc()))
        undone: dict[str, list[VersionInfo]] = {}
        for at, user, code, what, summary in undone_imports(s):  # an undone import stays in the history
            version = what.split("版本 ", 1)[-1].split("(", 1)[0]
            undone.setdefault(code, []).append(VersionInfo(
                id=0, doc_code=code, version=f"{version}(已撤销)", title="", source_file=what, file_sha256="",
                imported_at=at, imported_by=user, summary=summary, is_current=False))
        out: list[VersionInfo] = []
        for v in vers:
            out.extend(undone.pop(v.doc_code, []))  # newest first: the undo is newer than what it went back to
            out.append(VersionInfo(id=v.id, doc_code=v.doc_code, version=v.version, title=v.title,
                                   source_file=v.source_file, file_sha256=v.file_sha256, imported_at=v.imported_at,
                                   imported_by=v.imported_by, summary=v.summary, is_current=v.id in current))
        for rest in undone.values():
            out.extend(rest)
        return out


def items_needing_review(store: Store) -> list[Item]:
    """Active items whose wording changed in an import and that nobody has confirmed yet."""
    with store.session() as s:
        q = (
            select(ItemRow, ItemRevision)
            .join(ItemRevision, ItemRevision.id == ItemRow.current_revision_id)
            .where(ItemRow.needs_review.is_(True), ItemRow.retired_at.is_(None))
            .order_by(ItemRow.doc_code, ItemRow.sort_key)
        )
        return [item_from_revision(rev, row.doc_code) for row, rev in s.execute(q)]


def confirm_review(store: Store, item_id: str, user: str | None = None) -> bool:
    """复核确认: clear an item's 条文已更新 flag; returns False when it had none.

    Assessments of the year the new wording arrived and later years move to
    the new wording (the user has checked they still hold); earlier years keep
    the wording they were assessed against.
    """
    user = user or current_user()
    with store.transaction() as s:
        row = s.get(ItemRow, item_id)
        if row is None:
            raise UserError(f"找不到检查事项“{item_id}”。请检查编号是否正确。")
        if not row.needs_review:
            return False
        row.needs_review = False
        rev = s.get(ItemRevision, row.current_revision_id) if row.current_revision_id else None
        ver = s.get(CatalogueVersion, rev.version_id) if rev else None
        if rev is not None and ver is not None:
            for a in s.scalars(select(Assessment).where(Assessment.item_id == item_id,
                                                        Assessment.year >= ver.imported_at.year)):
                a.revision_id = rev.id
        s.add(ChangeLog(at=timestamp_now(), user=user, item_id=item_id, year=None, field="review",
                        old_value="条文已更新,待复核",
                        new_value=f"复核确认(版本 {ver.version})" if ver else "复核确认"))
    return True


def export_template(store: Store, path: Path | str, *, empty: bool = False) -> tuple[int, int]:
    """Write the installed catalogues (or an empty template) as the Excel template; returns (documents, items)."""
    from fazhi_desk.catalogue.excel import write_template

    cats: list[Catalogue] = []
    if not empty:
        with store.session() as s:
            cats = installed_catalogues(s)
    write_template(cats, Path(path))
    return len(cats), sum(len(c.items) for c in cats)
