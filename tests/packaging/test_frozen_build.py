"""Build the one-folder bundle from build.spec with PyInstaller and run it: --version, --self-test, a CLI
subcommand, the GUI under the offscreen platform, and what the spec must leave out.

Slow (a full PyInstaller build, about a minute): marked ``build``. Skipped only when PyInstaller is not
installed (``pip install .[build]``).
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

import fazhi_desk
from fazhi_desk.cli.selftest import CHECKS

pytestmark = pytest.mark.build

ROOT = Path(__file__).resolve().parents[2]
EXE_NAME = "fazhi-desk.exe" if sys.platform == "win32" else "fazhi-desk"
RUN_TIMEOUT = 300


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "QT_", "FAZHI_DESK"))}
    env.update(
        QT_QPA_PLATFORM="offscreen",
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_DATA_HOME=str(home / ".local" / "share"),
        FAZHI_DESK_HOME=str(home / "default-data"),
        PYTHONIOENCODING="utf-8",
    )
    return env


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    """The built folder dist/fazhi-desk (built once for this module)."""
    if importlib.util.find_spec("PyInstaller") is None:
        pytest.skip("PyInstaller 未安装,跳过打包测试 / PyInstaller not installed: pip install .[build]")
    tmp = tmp_path_factory.mktemp("pyinstaller")
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "PyInstaller", "--noconfirm", "--distpath", str(tmp / "dist"),
         "--workpath", str(tmp / "work"), str(ROOT / "build.spec")],
        cwd=tmp, capture_output=True, text=True, encoding="utf-8", errors="replace", timeout=1800,
    )
    assert proc.returncode == 0, f"PyInstaller failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-6000:]}"
    folder = tmp / "dist" / "fazhi-desk"
    size = sum(p.lstat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())
    print(f"\nbuilt {folder} in {time.perf_counter() - started:.0f} s, {size / 2**20:.0f} MiB")
    return folder


@pytest.fixture(scope="module")
def home(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("frozen-home")


def run(bundle: Path, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(bundle / EXE_NAME), *args], cwd=home, env=_env(home), capture_output=True, text=True,
        encoding="utf-8", errors="replace", timeout=RUN_TIMEOUT,
    )


def test_version(bundle, home):
    proc = run(bundle, home, "--version")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().split()[-1] == fazhi_desk.__version__


def test_self_test_passes_frozen(bundle, home):
    proc = run(bundle, home, "--self-test")
    out = proc.stdout
    assert proc.returncode == 0, f"{out}\n{proc.stderr}"
    assert "打包版 / frozen" in out, out
    ticks = [ln for ln in out.splitlines() if ln.startswith("✓")]
    assert len(ticks) == len(CHECKS), out
    assert "✗" not in out and "Traceback" not in proc.stderr, f"{out}\n{proc.stderr}"


def test_cli_subcommands_frozen(bundle, home):
    data = home / "cli-data"
    proc = run(bundle, home, "--data-dir", str(data), "list", "--year", "2025")
    assert proc.returncode == 0, proc.stderr
    assert re.search(r"^共 \d+ 项$", proc.stdout, re.M), proc.stdout
    assert (data / "fazhi-desk.sqlite3").is_file()
    proc = run(bundle, home, "--data-dir", str(data), "profile", "set", "--office", "城关镇", "--county", "柞水县")
    assert proc.returncode == 0, proc.stderr
    proc = run(bundle, home, "--data-dir", str(data), "profile", "show")
    assert proc.returncode == 0 and "城关镇" in proc.stdout and "柞水县" in proc.stdout, proc.stdout + proc.stderr


def test_a_user_error_is_chinese_text_not_a_traceback(bundle, home):
    proc = run(bundle, home, "--data-dir", str(home / "err-data"), "status", "NO-SUCH-ITEM", "--status", "已完成")
    assert proc.returncode == 1
    assert "找不到检查事项" in proc.stderr and "Traceback" not in proc.stderr, proc.stderr


def test_gui_starts_and_keeps_running(bundle, home):
    """The GUI under offscreen: it must get past start-up (log line) and not crash in the seconds after."""
    data = home / "gui-data"
    proc = run(bundle, home, "--data-dir", str(data), "profile", "set", "--office", "城关镇", "--county", "柞水县")
    assert proc.returncode == 0, proc.stderr  # a set profile means no first-start dialog
    log = data / "logs" / "fazhi-desk.log"
    gui = subprocess.Popen(
        [str(bundle / EXE_NAME), "--data-dir", str(data)], cwd=home, env=_env(home),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8", errors="replace",
    )
    try:
        deadline = time.monotonic() + RUN_TIMEOUT
        while gui.poll() is None and time.monotonic() < deadline:
            if log.is_file() and "starting" in log.read_text("utf-8", errors="replace"):
                break
            time.sleep(0.2)
        time.sleep(5)  # let the main window load its year in the background
        still_running = gui.poll() is None
    finally:
        if gui.poll() is None:
            gui.terminate()
        try:
            _, err = gui.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            gui.kill()
            _, err = gui.communicate()
    text = log.read_text("utf-8", errors="replace") if log.is_file() else "(no log)"
    assert still_running, f"GUI exited with {gui.returncode}\n{err}\n{text}"
    assert "starting" in text, text
    assert " ERROR " not in text and "Traceback" not in err, f"{err}\n{text}"


def test_bundle_leaves_out_what_a_widgets_app_never_loads(bundle):
    internal = bundle / "_internal"
    names = [p.relative_to(bundle).as_posix() for p in bundle.rglob("*") if p.is_file()]
    # Kept: our data, migrations as .py files, QtCharts, the one translation.
    assert (internal / "fazhi_desk" / "store" / "migrations" / "env.py").is_file()
    assert list((internal / "fazhi_desk" / "store" / "migrations" / "versions").glob("0001_*.py"))
    assert (internal / "fazhi_desk" / "resources" / "icons" / "fazhi-desk.png").is_file()
    assert any("Qt6Charts" in n for n in names)
    translations = [n for n in names if n.endswith(".qm")]
    assert [n.rsplit("/", 1)[-1] for n in translations] == ["qtbase_zh_CN.qm"]
    # Dropped.
    for unwanted in ("Qt6Qml", "Qt6Quick", "Qt6VirtualKeyboard", "Qt6Pdf", "qtvirtualkeyboardplugin", "qpdf",
                     "wayland", "/tls/", "networkinformation", "opengl32sw", "numpy", "tkinter", "QtOpenGL.",
                     "QtNetwork"):
        hits = [n for n in names if unwanted.lower() in n.lower()]
        assert not hits, f"{unwanted}: {hits[:5]}"


def test_bundle_leaves_out_unused_python_modules_and_system_libraries(bundle):
    from PyInstaller.archive.readers import pkg_archive_contents

    modules = set(pkg_archive_contents(str(bundle / EXE_NAME)))
    # Kept: both store dialects and their drivers, the Chinese codecs.
    for wanted in ("sqlalchemy.dialects.sqlite.pysqlite", "sqlalchemy.dialects.postgresql.psycopg", "psycopg",
                   "openpyxl", "docx", "mako.template", "hashlib"):
        assert wanted in modules, wanted
    for unwanted in ("pygments", "pydoc", "pydoc_data.topics", "xmlrpc.client", "ssl",
                     "sqlalchemy.dialects.mysql", "sqlalchemy.dialects.oracle", "sqlalchemy.dialects.mssql"):
        assert unwanted not in modules, unwanted
    internal = bundle / "_internal"
    names = {p.name for p in internal.rglob("*")}
    assert any(n.startswith("_codecs_cn") for n in names) and not any(n.startswith("_codecs_jp") for n in names)
    assert not any(n.startswith("_ssl.") for n in names)
    assert any(n.startswith("_hashlib.") for n in names)  # SHA-256 of evidence at OpenSSL's speed
    assert (internal / "docx" / "templates" / "default.docx").is_file()
    assert not (internal / "docx" / "templates" / "default-docx-template").exists()
    if sys.platform.startswith("linux"):
        # libpq and its Kerberos/LDAP/OpenSSL stay (psycopg_binary.libs); the system's Kerberos, which only
        # QtNetwork needed, and the base-system libraries left to the host do not.
        assert any(n.startswith("libpq-") for n in names)
        for lib in ("libgssapi_krb5.so.2", "libkrb5.so.3", "libstdc++.so.6", "libX11.so.6", "libfontconfig.so.1",
                    "libfreetype.so.6", "libz.so.1"):
            assert lib not in names, lib


# What QtCore asks ICU for (collation, time-zone names, converters, casing), printed the same way with the full ICU
# data of the PySide6 wheel and with the bundle's trimmed one.
ICU_PROBE = """
from PySide6.QtCore import QCollator, QLocale, QStringDecoder, QTimeZone
names = ["张三", "李四", "阿姨", "王五", "郑州", "文件10", "文件2", "Zebra", "apple", "ÉTÉ", "été"]
for loc in ("zh_CN", "zh_TW", "en_US", "C"):
    for numeric in (False, True):
        c = QCollator(QLocale(loc))
        c.setNumericMode(numeric)
        print(loc, numeric, sorted(names, key=c.sortKey))
T, N = QTimeZone.TimeType, QTimeZone.NameType
for zone in (b"Asia/Shanghai", b"Asia/Taipei", b"America/New_York", b"Europe/London", b"UTC"):
    for loc in ("zh_CN", "zh_TW", "en_US"):
        print(zone, loc, [QTimeZone(zone).displayName(t, n, QLocale(loc)) for t in T for n in N])
for enc in ("GB18030", "GBK", "GB2312", "Big5", "windows-1252", "ISO-8859-15", "IBM437"):
    print(enc, QStringDecoder(enc).isValid())
print(QLocale("tr_TR").toUpper("i"), QLocale("zh_CN").toUpper("straße"), QLocale("el_GR").toLower("ΣΑΣ"))
print("ICU", [line.split()[-1] for line in open("/proc/self/maps") if "libicudata" in line][:1])
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="only PySide6's Linux wheels carry ICU")
def test_trimmed_icu_data_gives_qt_the_same_answers(bundle):
    icudata = next((bundle / "_internal" / "PySide6" / "Qt" / "lib").glob("libicudata.so.*"))
    assert icudata.stat().st_size < 8e6  # the wheel's: 32 MB

    def probe(**extra):
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen", **extra)
        proc = subprocess.run([sys.executable, "-c", ICU_PROBE], env=env, capture_output=True, text=True,
                              encoding="utf-8", timeout=RUN_TIMEOUT)
        assert proc.returncode == 0, proc.stderr
        *answers, loaded = proc.stdout.splitlines()
        return answers, loaded

    full, _ = probe()
    trimmed, loaded = probe(LD_PRELOAD=str(icudata))  # same soname: ICU takes its data from the bundle's library
    assert str(icudata) in loaded
    assert trimmed == full
    assert "['阿姨', '李四', '王五', '文件10', '文件2', '张三', '郑州'" in full[0]  # zh_CN collates by pinyin
    assert "中国标准时间" in "".join(full)


def test_install_guide_lies_beside_the_exe(bundle):
    guide = bundle / "安装说明.txt"
    data = guide.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data and b"\n" not in data.replace(b"\r\n", b"")
    text = data.decode("utf-8-sig")
    for words in ("fazhi-desk.exe", "桌面快捷方式", "仍要运行", "%LOCALAPPDATA%", "升级"):
        assert words in text, words
