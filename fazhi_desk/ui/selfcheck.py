"""The self-test's Qt checks (``fazhi-desk --self-test``): the platform plugin, a window, QtCharts, the translation."""

from __future__ import annotations

import os
import sys

from fazhi_desk import APP_TITLE


class SelfCheckFailed(Exception):
    """A Qt check ran but its result was wrong; the message says what was found (Chinese / English)."""


def check_qt_gui() -> str:
    """Start the Qt platform plugin, a main window, a QtCharts chart and the icon; say which platform."""
    from PySide6.QtCharts import QBarCategoryAxis, QBarSeries, QBarSet, QChart, QChartView
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QIcon
    from PySide6.QtWidgets import QApplication, QMainWindow

    from fazhi_desk.paths import resource_path

    if (sys.platform.startswith("linux") and not os.environ.get("QT_QPA_PLATFORM")
            and not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY")):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"  # no screen here: check Qt without one rather than abort
    if QApplication.instance() is None:
        QApplication([sys.argv[0] if sys.argv else "fazhi-desk"])
    win = QMainWindow()
    try:
        win.setWindowTitle(APP_TITLE)
        chart = QChart()
        bars = QBarSet("已完成")
        bars.append([3.0, 5.0])
        series = QBarSeries()
        series.append(bars)
        chart.addSeries(series)
        axis = QBarCategoryAxis()
        axis.append(["第一章", "第二章"])
        chart.addAxis(axis, Qt.AlignmentFlag.AlignBottom)
        series.attachAxis(axis)
        view = QChartView(chart)
        win.setCentralWidget(view)
        icon_path = resource_path("icons", "fazhi-desk.png")
        icon = QIcon(str(icon_path))
        if icon.isNull():
            raise SelfCheckFailed(f"无法读取图标“{icon_path}” / window icon missing")
        win.setWindowIcon(icon)
        win.resize(640, 400)
        win.show()
        image = view.grab()
        if image.isNull() or image.width() == 0:
            raise SelfCheckFailed("图表无法绘制 / chart could not be painted")
        platform = QGuiApplication.platformName()
    finally:
        win.close()
        win.deleteLater()
    return f"平台插件 {platform}\uff0c主窗口与图表正常 / platform '{platform}', main window and QtCharts OK"


def check_qt_translation() -> str:
    """Load qtbase_zh_CN and check that Qt's own buttons say 取消."""
    from PySide6.QtCore import QLibraryInfo, QTranslator

    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    tr = QTranslator()
    if not tr.load("qtbase_zh_CN", folder):
        raise SelfCheckFailed(f"在“{folder}”中找不到 qtbase_zh_CN.qm / qtbase_zh_CN.qm not found in {folder}")
    cancel = tr.translate("QPlatformTheme", "Cancel")
    if cancel != "取消":
        raise SelfCheckFailed(f"“Cancel”被译为“{cancel}”\uff0c应为“取消” / 'Cancel' translated as {cancel!r}")
    return f"Cancel → {cancel}({folder})"
