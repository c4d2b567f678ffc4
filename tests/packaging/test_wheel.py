"""What ``pip install .`` ships: build the wheel, install it into a fresh virtualenv and use it.

CI installs the checkout in editable mode, which hides packaging faults (a package left out of
pyproject.toml, resources that are found only beside the source tree). This test builds the real
wheel, installs it into a new virtualenv that cannot see the source tree, and runs the commands a
user would run from it: ``--version``, ``--help``, ``--self-test``, ``profile set``, ``status``,
``list``, ``report`` and ``catalogue export``.

The virtualenv borrows the dependencies installed for the Python running the tests, so that the test
needs no network: a ``.pth`` file lists that Python's site-packages folders. (``system_site_packages``
would borrow the *base* interpreter's packages, which inside a virtualenv lack SQLAlchemy and PySide6.)
The program itself comes only from the wheel (checked by ``__file__``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
import venv
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook
from setuptools import find_packages

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.build


def test_every_code_package_is_listed_in_pyproject():
    """A new folder under fazhi_desk/ must be added to pyproject.toml, or the wheel lacks it."""
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["setuptools"]["packages"])
    found = set(find_packages(str(ROOT), include=["fazhi_desk", "fazhi_desk.*"]))
    assert found - listed == set(), "pyproject.toml [tool.setuptools] packages lacks these"
    assert listed - found == {"fazhi_desk.resources"}


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A fresh virtualenv with the wheel built from this checkout installed in it; returns its python."""
    tmp = tmp_path_factory.mktemp("wheel")
    dist = tmp / "dist"
    # Build from a clean copy: setuptools reuses an in-tree build/lib, so a module deleted from the
    # source (or one left by an old build) could otherwise ship; the copy also leaves the checkout as it was.
    src = tmp / "src"
    shutil.copytree(ROOT, src, ignore=shutil.ignore_patterns(
        ".git", "build", "dist", "*.egg-info", "__pycache__", ".pytest_cache", ".hypothesis", "bench"))
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", str(dist), str(src)],
        capture_output=True, text=True, cwd=tmp,
    )
    assert build.returncode == 0, build.stdout + build.stderr
    wheels = list(dist.glob("fazhi_desk-*.whl"))
    assert len(wheels) == 1, wheels
    names = set(zipfile.ZipFile(wheels[0]).namelist())
    for must in (
        "fazhi_desk/cli/__init__.py",
        "fazhi_desk/resources/catalogues/SZ2015.json",
        "fazhi_desk/resources/catalogues/ZS2022.json",
        "fazhi_desk/resources/sources/ZS2022.txt",
        "fazhi_desk/resources/icons/fazhi-desk.png",
        "fazhi_desk/store/migrations/env.py",
        "fazhi_desk/store/migrations/script.py.mako",
        "fazhi_desk/store/migrations/versions/0001_initial_schema.py",
    ):
        assert must in names, f"the wheel lacks {must}"
    assert not any(n.startswith("fazhi_desk/resources/screenshots/") for n in names)

    env_dir = tmp / "venv"
    venv.EnvBuilder(system_site_packages=False, with_pip=False).create(env_dir)
    py = env_dir / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    _borrow_site_packages(py)
    install = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(py), "install", "--no-deps", "--no-index", "--ignore-installed", str(wheels[0])],
        capture_output=True, text=True, cwd=tmp,
    )
    if install.returncode != 0 and "no such option: --python" in install.stderr:  # pip < 22.3
        install = subprocess.run(
            [str(py), "-m", "pip", "install", "--no-deps", "--no-index", "--ignore-installed", str(wheels[0])],
            capture_output=True, text=True, cwd=tmp,
        )
    assert install.returncode == 0, install.stdout + install.stderr
    return py


def _site_packages() -> list[str]:
    """The folders the running Python imports installed packages from (a virtualenv's, the system's, the user's)."""
    import site
    import sysconfig

    found = [*site.getsitepackages(), sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]]
    if site.ENABLE_USER_SITE:
        found.append(site.getusersitepackages())
    found += [p for p in sys.path if Path(p).name in ("site-packages", "dist-packages")]
    return [p for p in dict.fromkeys(found) if Path(p).is_dir()]


def _borrow_site_packages(py: Path) -> None:
    """Let the new virtualenv import the running Python's dependencies, after its own packages."""
    r = subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                       capture_output=True, text=True, check=True)
    own = Path(r.stdout.strip())
    (own / "_fazhi_test_borrowed.pth").write_text("\n".join(_site_packages()) + "\n", encoding="utf-8")


def _clean_env(tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "FAZHI_DESK_HOME")}
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["HOME"] = str(tmp)
    return env


def _run(py: Path, tmp: Path, *args: str) -> subprocess.CompletedProcess[str]:
    exe = py.parent / ("fazhi-desk.exe" if os.name == "nt" else "fazhi-desk")
    return subprocess.run([str(exe), *args], capture_output=True, text=True, cwd=tmp, env=_clean_env(tmp),
                          timeout=300)


def test_the_program_comes_from_the_wheel(installed, tmp_path):
    r = subprocess.run([str(installed), "-c", "import fazhi_desk, fazhi_desk.paths as p; "
                        "print(fazhi_desk.__file__); print(p.resource_path('catalogues'))"],
                       capture_output=True, text=True, cwd=tmp_path, env=_clean_env(tmp_path))
    assert r.returncode == 0, r.stderr
    module, catalogues = r.stdout.splitlines()
    venv_root = installed.parent.parent
    assert Path(module).is_relative_to(venv_root), module
    assert Path(catalogues).is_relative_to(venv_root) and Path(catalogues).is_dir(), catalogues


def test_installed_wheel_runs_the_commands(installed, tmp_path):
    data = tmp_path / "data"
    d = ("--data-dir", str(data))

    r = _run(installed, tmp_path, "--version")
    assert r.returncode == 0 and r.stdout.strip(), r.stderr
    r = _run(installed, tmp_path, "--help")
    assert r.returncode == 0 and "report" in r.stdout and "catalogue" in r.stdout, r.stderr

    r = _run(installed, tmp_path, "--self-test")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "✗" not in r.stdout and "自检通过" in r.stdout, r.stdout

    r = _run(installed, tmp_path, *d, "profile", "set", "--office", "乾佑街道办事处", "--county", "柞水县")
    assert r.returncode == 0, r.stdout + r.stderr
    r = _run(installed, tmp_path, *d, "status", "SZ2015-04-01", "--year", "2026", "--status", "进行中",
             "--owner", "王敏")
    assert r.returncode == 0, r.stdout + r.stderr

    r = _run(installed, tmp_path, *d, "list", "--year", "2026")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert any(ln.startswith("SZ2015-04-01") and "进行中" in ln for ln in lines), r.stdout[-500:]
    assert any(ln.startswith("ZS2022-") for ln in lines), r.stdout[-500:]
    total = int(lines[-1].removeprefix("共").removesuffix("项").strip())
    assert total > 100, lines[-1]

    out = tmp_path / "年度报告.xlsx"
    r = _run(installed, tmp_path, *d, "report", "--year", "2026", "--out", str(out))
    assert r.returncode == 0, r.stdout + r.stderr
    wb = load_workbook(out, read_only=True)
    assert len(wb.sheetnames) >= 2
    wb.close()

    tpl = tmp_path / "目录模板.xlsx"
    r = _run(installed, tmp_path, *d, "catalogue", "export", str(tpl))
    assert r.returncode == 0, r.stdout + r.stderr
    assert tpl.stat().st_size > 0
