"""Small dialogs: office profile, about, source text, change log, carrying a year forward."""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

from PySide6.QtGui import QStandardItem, QStandardItemModel, QTextCharFormat, QColor, QTextCursor
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from fazhi_desk import APP_TITLE

if TYPE_CHECKING:  # the store is imported after the window is shown
    from fazhi_desk.domain.model import SourceDocument
    from fazhi_desk.services.profile import OfficeProfile
from fazhi_desk.ui.help import Section, install_help


class ProfileDialog(QDialog):
    """单位信息: the office's name, county and 法制办 contact, and its 适用文件 (the documents that bind it).

    Until the office has chosen, the documents issued in its county are proposed
    (and re-proposed as the county is typed, as long as the user has not ticked
    a box by hand).
    """

    def __init__(self, profile: OfficeProfile, parent: QWidget | None = None, first_start: bool = False,
                 documents: Sequence[SourceDocument] = ()) -> None:
        super().__init__(parent)
        self.setWindowTitle("单位信息")
        lay = QVBoxLayout(self)
        if first_start:
            intro = QLabel(f"欢迎使用{APP_TITLE}。请先填写本单位信息\uff0c它会出现在年度报告的标题和页眉中。以后可在“设置 → 单位信息”中修改。")
            intro.setWordWrap(True)
            lay.addWidget(intro)
        form = QFormLayout()
        self.office = QLineEdit(profile.office_name)
        self.office.setPlaceholderText("例如\uff1a乾佑街道办事处")
        self.county = QLineEdit(profile.county)
        self.county.setPlaceholderText("例如\uff1a柞水县")
        self.code = QLineEdit(profile.office_code)
        self.code.setPlaceholderText("18 位统一社会信用代码\uff0c或县里分配的单位编码")
        self.contact = QLineEdit(profile.contact)
        self.contact.setPlaceholderText("法制办联系人")
        self.phone = QLineEdit(profile.phone)
        self.leader = QLineEdit(profile.leader)
        self.deputy = QLineEdit(profile.deputy)
        self.preparer = QLineEdit(profile.preparer)
        # 开始使用年度: one-time items due before it are answered once instead of being 逾期 every year
        self.since = QLineEdit("" if profile.since_year is None else str(profile.since_year))
        self.since.setPlaceholderText("例如\uff1a2025\uff08本单位开始用本程序记录的年度\uff09")
        form.addRow("乡镇/街道名称\uff08必填\uff09\uff1a", self.office)
        form.addRow("所属县\uff08市、区\uff09\uff1a", self.county)
        form.addRow("单位编码\uff1a", self.code)
        form.addRow("法制办联系人\uff1a", self.contact)
        form.addRow("联系电话\uff1a", self.phone)
        form.addRow("开始使用年度\uff1a", self.since)
        sign = QLabel("年度报告签署栏\uff1a")
        form.addRow(sign)
        form.addRow("单位负责人\uff1a", self.leader)
        form.addRow("分管领导\uff1a", self.deputy)
        form.addRow("填报人\uff1a", self.preparer)
        lay.addLayout(form)
        self.documents = list(documents)
        self.doc_checks: dict[str, QCheckBox] = {}
        self._docs_touched = profile.binding_documents is not None
        self.docs_hint = QLabel()
        self.docs_hint.setWordWrap(True)
        if self.documents:
            box = QGroupBox("适用文件\uff08约束本单位的来源文件\uff1b只有勾选的文件计入清单、概览、年度报告和统计\uff09")
            box_lay = QVBoxLayout(box)
            for d in self.documents:
                cb = QCheckBox(f"{d.doc_number or d.code} {d.title}" + (f"({d.issuer})" if d.issuer else ""))
                cb.setProperty("doc_code", d.code)
                cb.toggled.connect(self._doc_toggled)
                self.doc_checks[d.code] = cb
                box_lay.addWidget(cb)
            box_lay.addWidget(self.docs_hint)
            lay.addWidget(box)
            if profile.binding_documents is not None:
                self._set_docs(profile.binding_documents)
            else:
                self._propose()
            self.county.textChanged.connect(lambda _t: self._propose())
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        install_help(self, Section.PROFILE, self.buttons)
        lay.addWidget(self.buttons)
        self.office.textChanged.connect(self._check)
        self._check()
        self.resize(460, self.sizeHint().height())

    def _check(self) -> None:
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(bool(self.office.text().strip()))

    def _set_docs(self, codes: Sequence[str]) -> None:
        self._setting = True
        for code, cb in self.doc_checks.items():
            cb.setChecked(code in codes)
        self._setting = False

    def _propose(self) -> None:
        from fazhi_desk.services.profile import propose_binding_documents

        if self._docs_touched:
            return
        codes, matched = propose_binding_documents(self.county.text(), self.documents)
        self._set_docs(codes)
        county = self.county.text().strip()
        if matched:
            self.docs_hint.setText(f"已按所属县“{county}”选出该地区发布的文件\uff0c可以修改。")
        elif county:
            self.docs_hint.setText(f"没有找到“{county}”发布的文件\uff0c暂按全部文件选取\uff1b请只勾选约束本单位的文件。")
        else:
            self.docs_hint.setText("填写所属县后\uff0c会自动选出该县发布的文件。")

    def _doc_toggled(self, _on: bool) -> None:
        if not getattr(self, "_setting", False):
            self._docs_touched = True
            self.docs_hint.setText("")

    def chosen_documents(self) -> list[str]:
        return [code for code, cb in self.doc_checks.items() if cb.isChecked()]

    def values(self) -> dict:
        out: dict = {"office_name": self.office.text().strip(), "county": self.county.text().strip(),
                     "contact": self.contact.text().strip(), "phone": self.phone.text().strip(),
                     "leader": self.leader.text().strip(), "deputy": self.deputy.text().strip(),
                     "preparer": self.preparer.text().strip(), "office_code": self.code.text().strip(),
                     "since_year": self.since.text().strip()}
        if self.doc_checks:
            out["binding_documents"] = self.chosen_documents()
        return out


class SourceTextDialog(QDialog):
    """The cleaned source document, scrolled to and highlighting an item's passage."""

    def __init__(self, title: str, text: str, passage: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"原文 — {title}")
        self.resize(760, 640)
        lay = QVBoxLayout(self)
        self.browser = QTextBrowser()
        self.browser.setPlainText(text or "\uff08本文件未附原文\uff09")
        lay.addWidget(self.browser)
        bb = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        bb.rejected.connect(self.reject)
        install_help(self, Section.SOURCE, bb)
        lay.addWidget(bb)
        self.found = False
        if passage and text:
            doc = self.browser.document()
            cur = doc.find(passage.splitlines()[0] if "\n" in passage else passage)
            if not cur.isNull():
                fmt = QTextCharFormat()
                fmt.setBackground(QColor("#fff59d"))
                cur.mergeCharFormat(fmt)
                c2 = QTextCursor(cur)
                c2.setPosition(cur.selectionStart())
                self.browser.setTextCursor(c2)
                self.browser.ensureCursorVisible()
                self.found = True


class ChangeLogDialog(QDialog):
    """变更记录 of one item (or all)."""

    def __init__(self, entries: list[tuple[str, str, str, str, str, str, str]], title: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.resize(820, 420)
        self.model = QStandardItemModel(0, 7, self)
        self.model.setHorizontalHeaderLabels(["时间", "用户", "事项", "年度", "内容", "原值", "新值"])
        for e in entries:
            row = []
            for v in e:
                it = QStandardItem(v)
                it.setEditable(False)
                row.append(it)
            self.model.appendRow(row)
        view = QTableView()
        view.setModel(self.model)
        view.verticalHeader().hide()
        view.horizontalHeader().setSectionResizeMode(6, QHeaderView.ResizeMode.Stretch)
        lay = QVBoxLayout(self)
        lay.addWidget(view)
        if not entries:
            lay.addWidget(QLabel("暂无变更记录。"))
        bb = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        bb.rejected.connect(self.reject)
        install_help(self, Section.CHANGELOG, bb)
        lay.addWidget(bb)


class CarryForwardDialog(QDialog):
    """Opening a new year: carry last year's 责任人 / notes forward (never statuses)."""

    def __init__(self, from_year: int, to_year: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"开启 {to_year} 年度")
        lay = QVBoxLayout(self)
        lb = QLabel(f"{to_year} 年度还没有任何记录。是否沿用 {from_year} 年的内容\uff1f\n"
                    "\uff08完成状态不会沿用\uff0c每年重新填写\uff1b只有“不适用”可在下面选择沿用。\uff09")
        lb.setWordWrap(True)
        lay.addWidget(lb)
        self.owners = QCheckBox(f"沿用 {from_year} 年的责任人")
        self.owners.setChecked(True)
        self.notes = QCheckBox(f"沿用 {from_year} 年的工作情况说明\uff08作为草稿\uff09")
        self.not_applicable = QCheckBox(f"沿用 {from_year} 年标为“不适用”的事项及其原因\uff08如“本街道非城关镇”\uff09")
        self.not_applicable.setToolTip("只用于新年度仍为“未开始”的事项\uff1b其他状态不会沿用")
        lay.addWidget(self.owners)
        lay.addWidget(self.notes)
        lay.addWidget(self.not_applicable)
        bb = QDialogButtonBox()
        bb.addButton("沿用", QDialogButtonBox.ButtonRole.AcceptRole)
        bb.addButton("不沿用", QDialogButtonBox.ButtonRole.RejectRole)
        bb.accepted.connect(self.accept)
        bb.rejected.connect(self.reject)
        install_help(self, Section.YEAR, bb)
        lay.addWidget(bb)


def about_text(version: str, catalogues: list[tuple[str, str, str]], data_dir: str) -> str:
    cats = "".join(f"<li>{code} {title}\uff1a目录版本 {ver}</li>" for code, title, ver in catalogues) or "<li>\uff08无\uff09</li>"
    return (
        f"<h3>{APP_TITLE}(fazhi-desk)</h3><p>版本 {version}</p>"
        f"<p>已安装的检查目录\uff1a</p><ul>{cats}</ul>"
        f"<p>数据目录\uff1a<br><code>{data_dir}</code></p>"
        "<p>离线运行\uff0c不联网。支持 Windows 10\uff081809 及以上\uff09和 Windows 11。</p>"
    )
