"""帮助 → 使用说明: the Chinese guide shipped with the program, shown inside it, opened at a section.

The guide is ``resources/help/guide.html``; each section starts with an anchor
``<a name="…">``. :class:`Section` names the sections the program points to
(a test checks that each exists in the guide). :func:`install_help` gives a
dialog a 帮助 button (when it has a button box) and F1, both opening the guide
at the dialog's section; :func:`show_help` opens it from anywhere. No browser,
no network: links inside the guide are followed in the same window, links to
anything else are refused.
"""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

from fazhi_desk.paths import resource_path

GUIDE_TITLE = "使用说明"
HELP_SECTION_PROPERTY = "helpSection"


class Section:
    """Anchors of the guide that the program opens directly."""

    ROUTINE = "routine"
    PROFILE = "profile"
    YEAR = "year"
    FILL = "fill"
    STATUS = "status"
    TREE = "tree"
    SEARCH = "search"
    EVIDENCE = "evidence"
    VERIFY = "verify"
    REPORT = "report"
    DASHBOARD = "dashboard"
    IMPORT = "import"
    DRAFT = "draft"
    REVIEW = "review"
    CHANGELOG = "changelog"
    BACKUP = "backup"
    MOVE = "move"
    DATA = "data"
    KEYBOARD = "keyboard"
    TEXT_SIZE = "textsize"
    SOURCE = "source"

    @classmethod
    def all(cls) -> list[str]:
        return [v for k, v in vars(cls).items() if k.isupper() and isinstance(v, str)]


def guide_path() -> Path:
    return resource_path("help", "guide.html")


def guide_html() -> str:
    p = guide_path()
    try:
        return p.read_text(encoding="utf-8")
    except OSError:
        return (f"<p>找不到使用说明文件\uff08{p}\uff09。程序文件可能不完整\uff0c请重新安装\uff08复制\uff09程序文件夹。</p>")


def guide_anchors(html: str | None = None) -> set[str]:
    """Every ``<a name="…">`` of the guide."""
    return set(re.findall(r'<a\s+name="([^"]+)"', guide_html() if html is None else html))


class HelpWindow(QDialog):
    """The guide in a QTextBrowser; :meth:`show_section` scrolls to an anchor."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(GUIDE_TITLE)
        self.setModal(False)
        self.browser = QTextBrowser()
        self.browser.setOpenExternalLinks(False)
        self.browser.setOpenLinks(False)  # we follow in-guide anchors ourselves; nothing else opens
        self.browser.anchorClicked.connect(self._follow)
        self.browser.setHtml(guide_html())
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 6, 6, 6)
        lay.addWidget(self.browser)
        bb = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        bb.rejected.connect(self.close)
        lay.addWidget(bb)
        self.section = ""
        screen = self.screen().availableGeometry() if self.screen() else None
        w, h = 720, 640
        if screen is not None:
            w, h = min(w, int(screen.width() * 0.9)), min(h, int(screen.height() * 0.85))
        self.resize(w, h)

    def _follow(self, url: QUrl) -> None:
        if url.hasFragment() and not url.scheme() and not url.path():
            self.show_section(url.fragment())

    def show_section(self, section: str) -> None:
        self.section = section
        if section:
            self.browser.scrollToAnchor(section)
        else:
            self.browser.verticalScrollBar().setValue(0)


def show_help(parent: QWidget | None, section: str = "") -> HelpWindow:
    """Open (or raise) the guide at ``section``; the window belongs to ``parent``'s top-level window.

    Help opened from a modal dialog is that dialog's child, so it can be used while the dialog is open.
    """
    owner = parent.window() if parent is not None else None
    win: HelpWindow | None = getattr(owner, "_help_window", None) if owner is not None else None
    if win is None:
        win = HelpWindow(owner)
        if owner is not None:
            owner._help_window = win  # type: ignore[attr-defined]
    win.show()
    win.raise_()
    win.activateWindow()
    win.show_section(section)
    return win


def install_help(dialog: QWidget, section: str, buttons: QDialogButtonBox | None = None) -> None:
    """Give ``dialog`` F1 and, when it has a button box, a 帮助 button, both opening ``section`` of the guide."""
    dialog.setProperty(HELP_SECTION_PROPERTY, section)
    sc = QShortcut(QKeySequence(QKeySequence.StandardKey.HelpContents), dialog)
    sc.activated.connect(lambda: show_help(dialog, section))
    if buttons is not None:
        b = buttons.addButton(QDialogButtonBox.StandardButton.Help)
        b.setText("帮助")
        b.setToolTip("打开使用说明中的相应一节\uff08F1\uff09")
        buttons.helpRequested.connect(lambda: show_help(dialog, section))
