"""Draw the application icon: resources/icons/fazhi-desk.ico (Windows) and fazhi-desk.png (256 px window icon).

A dark-blue rounded badge with a red seal and the character 法 in white (from a
CJK font such as Noto Serif CJK SC, ``apt-get install fonts-noto-cjk``). The
16 and 24 px images carry a check mark instead, which stays legible that small;
without a CJK font every size gets the check mark.

Run from the repository root and commit the generated files::

    QT_QPA_PLATFORM=offscreen python tools/make_icon.py

The .ico holds one PNG-compressed image per size (supported by Windows Vista
and later), packed here by hand so no imaging library is needed besides Qt.
"""

from __future__ import annotations

import os
import struct
import sys
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPointF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontDatabase,
    QFontMetricsF,
    QGuiApplication,
    QImage,
    QPainter,
    QPainterPath,
    QPen,
)

ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = ROOT / "resources" / "icons"
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
PNG_SIZE = 256
GLYPH = "法"
GLYPH_MIN_SIZE = 32

BLUE = QColor("#1d3557")
BLUE_EDGE = QColor("#14243d")
RED = QColor("#c8102e")
GOLD = QColor("#e9c46a")
WHITE = QColor("#ffffff")

CJK_FAMILIES = ("Noto Serif CJK SC", "Source Han Serif SC", "Noto Sans CJK SC", "Source Han Sans SC",
                "SimSun", "Microsoft YaHei", "WenQuanYi Zen Hei")


def find_cjk_family() -> str | None:
    """A font family installed here that has the glyph, or None."""
    families = set(QFontDatabase.families())
    for fam in CJK_FAMILIES:
        if fam in families:
            font = QFont(fam)
            if QFontMetricsF(font).inFontUcs4(ord(GLYPH)):
                return fam
    return None


def draw(size: int, family: str | None) -> QImage:
    img = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    img.fill(Qt.GlobalColor.transparent)
    p = QPainter(img)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setRenderHint(QPainter.RenderHint.TextAntialiasing)
    s = float(size)
    # Badge: rounded square.
    margin = s * 0.03
    badge = QRectF(margin, margin, s - 2 * margin, s - 2 * margin)
    radius = s * 0.2
    p.setPen(QPen(BLUE_EDGE, max(1.0, s / 64)))
    p.setBrush(BLUE)
    p.drawRoundedRect(badge, radius, radius)
    # Seal: red disc with a thin gold ring.
    c = QPointF(s / 2, s / 2)
    r = s * 0.36
    if size >= GLYPH_MIN_SIZE:
        p.setPen(QPen(GOLD, max(1.0, s * 0.025)))
    else:
        p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(RED)
    p.drawEllipse(c, r, r)
    if family is not None and size >= GLYPH_MIN_SIZE:
        font = QFont(family)
        font.setWeight(QFont.Weight.Bold)
        font.setPixelSize(max(1, round(s * 0.46)))
        path = QPainterPath()
        path.addText(0, 0, font, GLYPH)
        box = path.boundingRect()
        path.translate(c.x() - box.center().x(), c.y() - box.center().y())
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(WHITE)
        p.drawPath(path)
    else:
        pen = QPen(WHITE, max(1.5, s * 0.09))
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        p.setPen(pen)
        p.setBrush(Qt.BrushStyle.NoBrush)
        tick = QPainterPath(QPointF(s * 0.33, s * 0.51))
        tick.lineTo(QPointF(s * 0.45, s * 0.63))
        tick.lineTo(QPointF(s * 0.68, s * 0.38))
        p.drawPath(tick)
    p.end()
    return img


def png_bytes(img: QImage) -> bytes:
    data = QByteArray()
    buf = QBuffer(data)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    if not img.save(buf, "PNG"):
        raise RuntimeError("could not encode PNG")
    buf.close()
    return bytes(data.data())


def ico_bytes(images: list[tuple[int, bytes]]) -> bytes:
    """An ICO file whose entries are PNG streams (ICONDIR, ICONDIRENTRY × n, then the images)."""
    header = struct.pack("<HHH", 0, 1, len(images))
    offset = len(header) + 16 * len(images)
    entries = b""
    blobs = b""
    for size, png in images:
        dim = 0 if size >= 256 else size
        entries += struct.pack("<BBBBHHII", dim, dim, 0, 0, 1, 32, len(png), offset)
        offset += len(png)
        blobs += png
    return header + entries + blobs


def write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # noqa: F841 - fonts need it
    family = find_cjk_family()
    if family is None:
        print(f"no CJK font with {GLYPH!r} found (apt-get install fonts-noto-cjk): drawing the check mark only")
    else:
        print(f"glyph font: {family}")
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    images = [(n, png_bytes(draw(n, family))) for n in ICO_SIZES]
    write_atomic(OUT_DIR / "fazhi-desk.ico", ico_bytes(images))
    write_atomic(OUT_DIR / "fazhi-desk.png", png_bytes(draw(PNG_SIZE, family)))
    for name in ("fazhi-desk.ico", "fazhi-desk.png"):
        print(f"wrote {OUT_DIR / name} ({(OUT_DIR / name).stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
