"""Render a workbook the way a user would print it: xlsx → PDF (LibreOffice) → PNG pages (poppler).

Usage::

    python tools/render_report.py REPORT.xlsx [--out DIR] [--dpi 60]

Writes ``DIR/<name>.pdf`` and ``DIR/<name>-<page>.png`` and prints their paths.
Needs ``soffice`` (libreoffice-calc) and ``pdftoppm`` (poppler-utils); on Debian:
``apt-get install -y libreoffice-calc poppler-utils fonts-noto-cjk`` (the CJK
font is needed or Chinese text renders as boxes). Each run uses its own
LibreOffice profile, so it does not clash with a LibreOffice already open.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path


def render(xlsx: Path, out_dir: Path, dpi: int = 60, timeout: float = 300) -> list[Path]:
    """Convert ``xlsx`` to a PDF and PNG pages in ``out_dir``; returns [pdf, png…]."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    pdftoppm = shutil.which("pdftoppm")
    if not soffice or not pdftoppm:
        raise RuntimeError("需要 soffice(libreoffice-calc)和 pdftoppm(poppler-utils)")
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="lo-profile-") as profile:
        subprocess.run(
            [soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
             "--outdir", str(out_dir), str(xlsx)],
            check=True, timeout=timeout, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )
    pdf = out_dir / (xlsx.stem + ".pdf")
    if not pdf.exists():
        raise RuntimeError(f"LibreOffice 没有生成 {pdf}")
    for old in out_dir.glob(f"{xlsx.stem}-*.png"):
        old.unlink()
    subprocess.run([pdftoppm, "-png", "-r", str(dpi), str(pdf), str(out_dir / xlsx.stem)], check=True,
                   timeout=timeout)
    return [pdf, *sorted(out_dir.glob(f"{xlsx.stem}-*.png"))]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("xlsx", type=Path)
    p.add_argument("--out", type=Path, default=None, help="output folder (default: beside the workbook)")
    p.add_argument("--dpi", type=int, default=60)
    a = p.parse_args(argv)
    try:
        paths = render(a.xlsx.resolve(), (a.out or a.xlsx.parent / "render").resolve(), a.dpi)
    except (RuntimeError, subprocess.SubprocessError) as e:
        print(f"render failed: {e}", file=sys.stderr)
        return 1
    for x in paths:
        print(x)
    return 0


if __name__ == "__main__":
    sys.exit(main())
