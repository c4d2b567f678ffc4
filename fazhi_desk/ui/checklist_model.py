"""The checklist tree: document → chapter → section → article → item, with done/total per node.

Filtering happens here, in Python over plain rows, and the tree is rebuilt
(measured far faster than a recursive QSortFilterProxyModel over 10k rows). The
proxy in front of it only sorts nothing and exists so views share one interface.

Search hits are a flat list handed to the view a page at a time (``canFetchMore``/``fetchMore``): a view
lays out every row it is given, asking Python for each, so a first character with 8,000 hits would cost
a layout of 8,000 rows before anything is painted. The first page is painted at once; the next pages
come as the list is scrolled to its end, or when an item further down is selected.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from fazhi_desk.domain.activity import progress_text
from fazhi_desk.domain.completion import Scope, Standing
from fazhi_desk.domain.model import Status, TownshipRole

if TYPE_CHECKING:  # the store is imported after the window is shown
    from fazhi_desk.services.checklist import ChecklistRow

COL_TITLE, COL_STATUS, COL_PROGRESS, COL_OWNER, COL_DUE, COL_EVIDENCE = range(6)
HEADERS = ("检查事项", "状态", "进度", "责任人", "截止", "佐证")
ItemIdRole = Qt.ItemDataRole.UserRole + 1
KindRole = Qt.ItemDataRole.UserRole + 2

STANDING_COLORS = {
    Standing.DONE: QColor("#1b7f3b"),
    Standing.BELOW_TARGET: QColor("#d84315"),
    Standing.IN_PROGRESS: QColor("#b26a00"),
    Standing.NOT_STARTED: QColor("#555555"),
    Standing.NOT_APPLICABLE: QColor("#8a8a8a"),
    Standing.NO_EVENT: QColor("#8a8a8a"),
    Standing.NOT_DUE: QColor("#8a8a8a"),
    Standing.RETIRED: QColor("#8a8a8a"),
}
OVERDUE_COLOR = QColor("#c62828")


@dataclass
class Filter:
    """What the user narrowed the checklist to."""

    text: str = ""
    status: Status | None = None
    overdue_only: bool = False
    no_evidence_only: bool = False
    review_only: bool = False
    lead_unit: str = ""
    doc_code: str = ""
    show_all: bool = False  # include items that do not apply to a township (仅供了解)
    role: str = ""  # 乡镇角色 (牵头 / 参加 / 仅供了解); "" = any
    other_documents: bool = False  # include documents that do not bind this office (not among 适用文件)
    behind_on: dt.date | None = None  # only 进度落后 items (logged items behind an even pace) as of this day

    def base_key(self) -> tuple:
        """Everything but the free text: rows passing these are cached between keystrokes."""
        return (self.status, self.overdue_only, self.no_evidence_only, self.review_only, self.lead_unit,
                self.doc_code, self.show_all, self.role, self.other_documents, self.behind_on)

    def accepts_base(self, r: ChecklistRow) -> bool:
        # a document outside the office's 适用文件 is shown on demand: picked in the document filter, or all of them
        if not r.binding and not self.other_documents and self.doc_code != r.item.doc_code:
            return False
        if self.role and r.item.township_role.value != self.role:
            return False
        if not self.show_all and not r.item.township_acts and self.role != TownshipRole.INFO.value:
            return False
        if self.doc_code and r.item.doc_code != self.doc_code:
            return False
        if self.status is not None and r.status is not self.status:
            return False
        if self.overdue_only and not r.overdue:
            return False
        if self.no_evidence_only and (r.evidence_count or not r.due or r.status is Status.NOT_APPLICABLE):
            return False
        if self.review_only and not r.needs_review:
            return False
        if self.behind_on is not None and not r.behind_schedule(self.behind_on):
            return False
        if self.lead_unit and self.lead_unit not in r.item.lead_units and self.lead_unit not in r.item.participating_units:
            return False
        return True

    @property
    def narrowed(self) -> bool:
        return bool(self.text or self.status or self.overdue_only or self.no_evidence_only or self.review_only
                    or self.lead_unit or self.role or self.behind_on)


def search_text(r: ChecklistRow) -> str:
    """What free-text search looks in: item text, notes, source passage, IDs, units, evidence names and descriptions."""
    i = r.item
    return " ".join(
        (i.item_id, i.requirement, i.source_passage, i.article_title, i.lead_units, i.participating_units,
         r.note, r.owner, r.na_reason, r.evidence_text)
    ).lower()


def counts_toward_progress(r: ChecklistRow) -> bool:
    """Whether the row counts in its nodes' done/total (the completion rule's "counted", in the office's scope:
    never 仅供了解 nor a document outside its 适用文件)."""
    return r.completion.counted and Scope.OFFICE.admits(r.completion)


def counts_as_done(r: ChecklistRow) -> bool:
    return r.completion.done


class Node:
    """One node of the tree. Plain slots: a search keystroke may lay out 10,000 of them."""

    __slots__ = ("kind", "label", "parent", "children", "row_in_parent", "row", "done", "total", "overdue", "key")

    def __init__(self, kind: str, label: str, parent: "Node | None" = None, children: list["Node"] | None = None,
                 row_in_parent: int = 0, row: ChecklistRow | None = None, done: int = 0, total: int = 0,
                 overdue: int = 0, key: str = "") -> None:
        self.kind = kind  # "root", "doc", "chapter", "section", "article", "item"
        self.label = label
        self.parent = parent
        self.children = [] if children is None else children
        self.row_in_parent = row_in_parent
        self.row = row
        self.done = done
        self.total = total
        self.overdue = overdue
        self.key = key


# Flags are asked for every row the view lays out (10,000 on a search keystroke): computed once, not per call.
_NODE_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
_ITEM_FLAGS = _NODE_FLAGS | Qt.ItemFlag.ItemIsDropEnabled | Qt.ItemFlag.ItemNeverHasChildren
_ROOT_FLAGS = Qt.ItemFlag.ItemIsDropEnabled
_N_COLUMNS = len(HEADERS)
_DISPLAY, _FOREGROUND, _FONT, _TOOLTIP, _DECORATION, _ALIGN = (int(r) for r in (
    Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.FontRole,
    Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.DecorationRole, Qt.ItemDataRole.TextAlignmentRole))
_ITEM_ID, _KIND = int(ItemIdRole), int(KindRole)
_CENTER = int(Qt.AlignmentFlag.AlignCenter)
_OVERDUE_BRUSH = QBrush(OVERDUE_COLOR)
_STANDING_BRUSHES = {k: QBrush(c) for k, c in STANDING_COLORS.items()}
_REVIEW_COLOR = QColor("#f9a825")
# Search hits handed to the view at first, and the least added by each fetch (a fetch at least doubles the list
# shown, so scrolling through all hits lays rows out a bounded number of times): a page fills a tall screen.
FIRST_PAGE = 100


class ChecklistModel(QAbstractItemModel):
    """Tree of the year's items, filtered; items carry their ChecklistRow."""

    def __init__(self, parent=None) -> None:  # noqa: ANN001
        super().__init__(parent)
        self._rows: list[ChecklistRow] = []
        self._search: list[str] = []
        self._flat: list[Node | None] = []
        self._shown_hits: list[int] | None = None  # all search hits (indices into _rows, ascending), or None
        self._pos: dict[str, int] = {}  # item_id → its index in _rows
        self._filter = Filter()
        self._base: tuple[tuple, list[int]] | None = None  # (filter base key, indices passing it)
        self._last_text: tuple[str, list[int]] = ("", [])  # previous keystroke's matches
        self._root = Node("root", "")
        self._item_nodes: dict[str, Node] = {}
        self._bold = QFont()
        self._bold.setBold(True)
        self.today = dt.date.today()

    # ----- data in -----
    def set_rows(self, rows: list[ChecklistRow], f: Filter | None = None) -> None:
        """New rows (a year loaded), optionally with a new filter: the tree is built once."""
        if f is not None:
            self._filter = f
        self._rows = list(rows)
        self._pos = {r.item_id: k for k, r in enumerate(self._rows)}
        self._search = [search_text(r) for r in self._rows]
        self._flat = [None] * len(self._rows)  # each row's leaf in the flat list of search hits, made on first hit
        self._invalidate()
        self._rebuild()

    def _invalidate(self) -> None:
        self._base = None
        self._last_text = ("", [])

    def set_filter(self, f: Filter) -> None:
        old, self._filter = self._filter, f
        if f.text and old.text and f.base_key() == old.base_key() and self._shown_hits is not None:
            # typing on in the search box: when the hits did not change (县司 → 县司法) the list stays as it is,
            # without a reset (which makes the view lay out every hit again)
            hits = self._matching()
            if hits == self._shown_hits:
                return
        self._rebuild()

    def filter(self) -> Filter:
        return self._filter

    def rows(self) -> list[ChecklistRow]:
        return self._rows

    def visible_rows(self) -> list[ChecklistRow]:
        """The rows the filter lets through, in the order shown (all search hits, also those not yet fetched)."""
        if self._shown_hits is not None:
            rows = self._rows
            return [rows[k] for k in self._shown_hits]
        return [n.row for n in self._item_nodes.values() if n.row is not None]

    def visible_count(self) -> int:
        if self._shown_hits is not None:
            return len(self._shown_hits)
        return len(self._item_nodes)

    def replace_row(self, new: ChecklistRow) -> None:
        """Update one item in place (after an edit) without rebuilding the tree."""
        k = self._pos.get(new.item_id)
        if k is not None:
            self._rows[k] = new
            self._search[k] = search_text(new)
            if self._flat[k] is not None:
                self._flat[k].row = new
            self._invalidate()
        node = self._item_nodes.get(new.item_id)
        if node is None:
            return
        old = node.row
        node.row = new
        d_done = int(counts_as_done(new)) - int(old is not None and counts_as_done(old))
        d_total = int(counts_toward_progress(new)) - int(old is not None and counts_toward_progress(old))
        d_over = int(new.overdue) - int(old is not None and old.overdue)
        p = node
        while p is not None and p.kind != "root":
            if p.kind == "item":
                p.done, p.total, p.overdue = (int(counts_as_done(new)), int(counts_toward_progress(new)),
                                              int(new.overdue))
            else:
                p.done += d_done
                p.total += d_total
                p.overdue += d_over
            idx = self._index_of(p)
            self.dataChanged.emit(idx, idx.siblingAtColumn(COL_EVIDENCE))
            p = p.parent

    # ----- filtering -----
    def _matching(self) -> list[int]:
        """Indices of rows passing the filter; narrows the previous keystroke's result when typing on."""
        f = self._filter
        key = f.base_key()
        if self._base is None or self._base[0] != key:
            self._base = (key, [k for k, r in enumerate(self._rows) if f.accepts_base(r)])
            self._last_text = ("", [])
        base = self._base[1]
        if not f.text:
            return base
        prev_text, prev = self._last_text
        if prev_text == f.text:
            return prev
        pool = prev if prev_text and f.text.startswith(prev_text) else base
        words = f.text.split()
        st = self._search
        if len(words) == 1:
            w = words[0]
            hits = [k for k in pool if w in st[k]]
        else:
            hits = [k for k in pool if all(w in st[k] for w in words)]
        self._last_text = (f.text, hits)
        return hits

    # ----- tree building -----
    def _rebuild(self) -> None:
        self.beginResetModel()
        root = Node("root", "")
        self._item_nodes = {}
        f = self._filter
        path_nodes: dict[tuple, Node] = {}

        def child(parent: Node, kind: str, key: tuple, label: str) -> Node:
            n = path_nodes.get(key)
            if n is None:
                n = Node(kind, label, parent=parent, row_in_parent=len(parent.children), key=key[-1] if key else "")
                parent.children.append(n)
                path_nodes[key] = n
            return n

        self._shown_hits = None
        if f.text:  # search results are a flat list: nothing to expand while typing; the first page only
            self._shown_hits = self._matching()
            self._flat_list(root, self._shown_hits, 0, min(FIRST_PAGE, len(self._shown_hits)))
            self._root = root
            self.endResetModel()
            return
        for k in self._matching():
            r = self._rows[k]
            i = r.item
            doc = r.document
            node = child(root, "doc", (doc.code,), f"{doc.title}({doc.doc_number})" if doc.doc_number else doc.title)
            node.key = doc.code
            key: tuple = (doc.code,)
            if i.chapter:
                key = key + ("c", i.chapter)
                node = child(node, "chapter", key, i.chapter)
            if i.section:
                key = key + ("s", i.section)
                node = child(node, "section", key, i.section)
            if i.article_no:
                key = key + ("a", i.article_no)
                node = child(node, "article", key, f"{i.article_no}. {i.article_title}".strip())
            leaf = Node("item", i.requirement, parent=node, row_in_parent=len(node.children), row=r, key=i.item_id)
            node.children.append(leaf)
            self._item_nodes[i.item_id] = leaf
            prog = counts_toward_progress(r)
            done = int(counts_as_done(r))
            p: Node | None = leaf
            while p is not None:
                p.done += done
                p.total += int(prog)
                p.overdue += int(r.overdue)
                p = p.parent
        self._root = root
        self.endResetModel()

    def _flat_list(self, root: Node, hits: list[int], start: int, end: int) -> None:
        """Hits ``start:end`` as leaves of ``root``; a row's leaf is made once per load and reused keystroke after
        keystroke."""
        rows, flat, item_nodes, children = self._rows, self._flat, self._item_nodes, root.children
        for n, k in enumerate(hits[start:end], start):
            leaf = flat[k]
            r = rows[k]
            if leaf is None:
                leaf = flat[k] = Node("item", r.item.requirement, root, None, n, r, key=r.item.item_id)
            else:
                leaf.parent, leaf.row_in_parent, leaf.row = root, n, r
            children.append(leaf)
            item_nodes[leaf.key] = leaf

    def _fetch_to(self, count: int) -> None:
        """Show the first ``count`` search hits (at least those shown now)."""
        hits = self._shown_hits
        have = len(self._root.children)
        count = min(count, len(hits) if hits is not None else 0)
        if count <= have:
            return
        self.beginInsertRows(QModelIndex(), have, count - 1)
        self._flat_list(self._root, hits, have, count)  # type: ignore[arg-type]
        self.endInsertRows()

    def canFetchMore(self, parent: QModelIndex | QPersistentModelIndex) -> bool:  # noqa: N802
        hits = self._shown_hits
        return hits is not None and not parent.isValid() and len(self._root.children) < len(hits)

    def fetchMore(self, parent: QModelIndex | QPersistentModelIndex) -> None:  # noqa: N802
        if self.canFetchMore(parent):
            have = len(self._root.children)
            self._fetch_to(have + max(FIRST_PAGE, have))

    # ----- Qt model interface -----
    def _node(self, index: QModelIndex | QPersistentModelIndex) -> Node:
        if not index.isValid():
            return self._root
        return index.internalPointer()  # type: ignore[return-value]

    def _index_of(self, node: Node, column: int = 0) -> QModelIndex:
        if node is self._root or node.parent is None:
            return QModelIndex()
        return self.createIndex(node.row_in_parent, column, node)

    def index(self, row: int, column: int, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> QModelIndex:
        children = (parent.internalPointer() if parent.isValid() else self._root).children
        if 0 <= row < len(children) and 0 <= column < _N_COLUMNS:
            return self.createIndex(row, column, children[row])
        return QModelIndex()

    def parent(self, index: QModelIndex | QPersistentModelIndex = QModelIndex()) -> QModelIndex:  # type: ignore[override]
        if not index.isValid():
            return QModelIndex()
        n: Node = index.internalPointer()  # type: ignore[assignment]
        if n.parent is None or n.parent is self._root:
            return QModelIndex()
        return self.createIndex(n.parent.row_in_parent, 0, n.parent)

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        if parent.isValid() and parent.column() != 0:
            return 0
        return len(self._node(parent).children)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return _N_COLUMNS

    def hasChildren(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> bool:
        if not parent.isValid():
            return bool(self._root.children)
        return parent.column() == 0 and bool(parent.internalPointer().children)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section]
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return _ROOT_FLAGS
        return _ITEM_FLAGS if index.internalPointer().kind == "item" else _NODE_FLAGS

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        return self._value(index.internalPointer(), index.column(), int(role))  # type: ignore[arg-type]

    def cell(self, index: QModelIndex | QPersistentModelIndex) -> tuple[str, QBrush | None, QFont | None, int | None,
                                                                     QColor | None]:
        """A cell's text, foreground, font, alignment and decoration at once, for the tree's delegate: painting a
        cell through data() is seven calls from Qt into Python (QStyledItemDelegate asks seven roles), this is one."""
        n: Node = index.internalPointer()  # type: ignore[assignment]
        col = index.column()
        value = self._value
        return (self._display(n, col), value(n, col, _FOREGROUND), value(n, col, _FONT), value(n, col, _ALIGN),
                value(n, col, _DECORATION))

    def _value(self, n: Node, col: int, role: int) -> Any:
        # roles are compared as plain ints, brushes made once
        if role == _DISPLAY:
            return self._display(n, col)
        r = n.row
        if role == _FOREGROUND:
            if r is not None:
                if col == COL_STATUS:
                    return _OVERDUE_BRUSH if r.overdue else _STANDING_BRUSHES[r.completion.standing]
                if col == COL_TITLE and not counts_toward_progress(r):
                    return _STANDING_BRUSHES[Standing.NOT_DUE]
            elif col == COL_PROGRESS and n.overdue:
                return _OVERDUE_BRUSH
            return None
        if role == _FONT:
            return self._bold if n.kind in ("doc", "chapter") else None
        if role == _ALIGN:
            return _CENTER if col in (COL_PROGRESS, COL_EVIDENCE) else None
        if role == _DECORATION:
            return _REVIEW_COLOR if r is not None and r.needs_review and col == COL_TITLE else None
        if role == _TOOLTIP:
            if col == COL_STATUS and r is not None:
                return r.status_text
            if col == COL_TITLE:
                if r is not None:
                    tip = r.item.requirement
                    if r.needs_review:
                        tip += "\n\uff08条文已更新\uff0c请复核\uff09"
                    if r.retired:
                        tip += f"\n\uff08已退役\uff1a{r.item.doc_code} 目录版本 {r.retired_version} 起不再检查\uff09"
                    return tip
                return n.label
            return None
        if role == _ITEM_ID:
            return r.item_id if r is not None else None
        if role == _KIND:
            return n.kind
        return None

    def _display(self, n: Node, col: int) -> str:
        r = n.row
        if col == COL_TITLE:
            return f"{r.item_id}  {n.label}" if r is not None else n.label
        if col == COL_PROGRESS:
            if n.kind != "item":
                return f"{n.done}/{n.total}"
            if r is not None and r.actual is not None and r.item.target is not None:
                return progress_text(r.actual, r.item.target_text, r.item.unit)  # 3 / 4 次
            return ""
        if r is None:
            return ""
        if col == COL_STATUS:
            return f"{r.status_text}·进度落后" if r.behind_schedule(self.today) else r.status_text
        if col == COL_OWNER:
            return r.owner
        if col == COL_DUE:
            return r.due_date.strftime("%Y-%m-%d") if r.due and r.completion.counted else ""
        if col == COL_EVIDENCE:
            return str(r.evidence_count) if r.evidence_count else ""
        return ""

    # ----- lookups for the window -----
    def _hit_position(self, item_id: str) -> int:
        """Where the item stands among the search hits, or -1."""
        hits, k = self._shown_hits, self._pos.get(item_id)
        if hits is None or k is None:
            return -1
        n = bisect_left(hits, k)
        return n if n < len(hits) and hits[n] == k else -1

    def index_for_item(self, item_id: str) -> QModelIndex:
        """The item's index, if the filter shows it; a search hit not yet fetched is fetched (with those above)."""
        n = self._item_nodes.get(item_id)
        if n is None and self._shown_hits is not None:
            at = self._hit_position(item_id)
            if at >= 0:
                self._fetch_to(at + 1)
                n = self._item_nodes.get(item_id)
        return self._index_of(n) if n is not None else QModelIndex()

    def row_for(self, item_id: str) -> ChecklistRow | None:
        """The item's row, if the filter shows it."""
        if self._shown_hits is not None:
            return self._rows[self._pos[item_id]] if self._hit_position(item_id) >= 0 else None
        n = self._item_nodes.get(item_id)
        return n.row if n is not None else None

    def row_of_all(self, item_id: str) -> ChecklistRow | None:
        k = self._pos.get(item_id)
        return self._rows[k] if k is not None else None

    def top_nodes(self) -> list[Node]:
        return self._root.children
