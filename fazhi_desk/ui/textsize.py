"""The text size of the whole program (查看 → 放大 / 缩小 / 默认字号), remembered between starts.

The size is a step added to the system's default font size (in points, so it
adds to what Windows' display scaling already does). It is applied to the
application font, so every window and dialog follows; widgets that show text
larger or bolder than the rest (a tile's figure, the item's title) register
with :func:`set_relative_font` and are resized with it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QWidget

if TYPE_CHECKING:
    from PySide6.QtGui import QFont  # imported where used: its type's enums cost the window's first paint

SETTING = "view/text_size_step"
MIN_STEP, MAX_STEP = -2, 8
_SCALE = "relativeFontScale"
_BOLD = "relativeFontBold"
_base_point_size: float | None = None


def base_point_size() -> float:
    """The application font's size before any step was applied (the system default)."""
    global _base_point_size
    if _base_point_size is None:
        size = QApplication.font().pointSizeF()
        _base_point_size = size if size > 0 else 9.0
    return _base_point_size


def current_step(settings: QSettings) -> int:
    try:
        step = int(settings.value(SETTING, 0))
    except (TypeError, ValueError):
        step = 0
    return max(MIN_STEP, min(MAX_STEP, step))


def set_relative_font(widget: QWidget, scale: float = 1.0, bold: bool = False) -> None:
    """Give ``widget`` a font ``scale`` times the program's text size (and bold), following later changes."""
    widget.setProperty(_SCALE, scale)
    widget.setProperty(_BOLD, bold)
    _apply_relative(widget, QApplication.font())


def _apply_relative(widget: QWidget, base: QFont) -> None:
    from PySide6.QtGui import QFont

    f = QFont(base)
    f.setPointSizeF(base.pointSizeF() * float(widget.property(_SCALE)))
    f.setBold(bool(widget.property(_BOLD)))
    widget.setFont(f)


def apply_step(step: int) -> float:
    """Set the application font to the default size plus ``step`` points; returns the new size."""
    from PySide6.QtGui import QFont

    step = max(MIN_STEP, min(MAX_STEP, step))
    app = QApplication.instance()
    f = QFont(QApplication.font())
    size = base_point_size() + step
    f.setPointSizeF(size)
    QApplication.setFont(f)
    for w in app.allWidgets():  # type: ignore[union-attr]
        if w.property(_SCALE) is not None:
            _apply_relative(w, f)
        elif w.styleSheet():
            # a widget given its own style sheet (a coloured hint, the 未达标 warning, a banner and what is in
            # it) keeps the font it was polished with: polish them again, so they take the new size
            for x in [w, *w.findChildren(QWidget)]:
                if x.property(_SCALE) is None:
                    x.style().unpolish(x)
                    x.style().polish(x)
    QApplication.sendPostedEvents()  # the font changes reach every widget now (columns are refitted on them)
    return size


def change_step(settings: QSettings, delta: int | None) -> int:
    """Add ``delta`` steps (None: back to the default), apply and remember; returns the new step."""
    step = 0 if delta is None else max(MIN_STEP, min(MAX_STEP, current_step(settings) + delta))
    settings.setValue(SETTING, step)
    apply_step(step)
    return step
