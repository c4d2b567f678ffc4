"""Where things live: the data directory and the bundled resources.

The data directory comes from, in order: ``--data-dir``, the ``FAZHI_DESK_HOME``
environment variable, the platform's user data directory (platformdirs; on
Windows that is %LOCALAPPDATA%, never the roaming profile).

Resources (catalogues, cleaned source texts, icons) are found through
:func:`resource_path`, which works from a source checkout, an installed wheel,
an editable install and a PyInstaller bundle.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from fazhi_desk.errors import UserError
from fazhi_desk.record import Record

ENV_HOME = "FAZHI_DESK_HOME"


def _resources_root() -> Path:
    """The folder holding ``catalogues/``, ``sources/`` and ``icons/``, wherever the program runs from.

    - frozen (PyInstaller): ``_MEIPASS/fazhi_desk/resources`` (build.spec puts them there);
    - installed from a wheel: ``site-packages/fazhi_desk/resources`` (pyproject maps the top-level
      ``resources/`` folder to the package ``fazhi_desk.resources``);
    - a source checkout or an editable install: ``resources/`` beside the ``fazhi_desk/`` package.

    ``fazhi_desk.resources`` has no ``__init__.py`` (``resources/`` is data, not code), so
    ``importlib.resources.files()`` gives a ``MultiplexedPath`` whose ``str()`` is not a path:
    the lookup therefore goes by the package's own location and never through ``str(files(...))``.
    """
    if getattr(sys, "frozen", False):
        return Path(getattr(sys, "_MEIPASS")) / "fazhi_desk" / "resources"
    package = Path(__file__).resolve().parent
    for candidate in (package / "resources", package.parent / "resources"):
        if (candidate / "catalogues").is_dir():
            return candidate
    return package / "resources"  # not found: callers report the missing file by this path


def resource_path(*parts: str) -> Path:
    """Path of a bundled resource, e.g. ``resource_path("catalogues", "SZ2015.json")``."""
    return _resources_root().joinpath(*parts)


def default_data_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir("fazhi-desk", appauthor=False, roaming=False))


def _is_network_path(p: Path) -> bool:
    s = str(p)
    if s.startswith("\\\\") or s.startswith("//"):
        return True
    if sys.platform == "win32" and len(s) >= 2 and s[1] == ":":
        try:
            import ctypes

            DRIVE_REMOTE = 4
            return ctypes.windll.kernel32.GetDriveTypeW(s[:2] + "\\") == DRIVE_REMOTE  # type: ignore[attr-defined]
        except Exception:  # pragma: no cover - best effort
            return False
    return False


class DataDir(Record):
    """The directories and files inside one data directory (a frozen Record: imported before the first paint)."""

    __slots__ = ("root",)
    root: Path

    def __init__(self, root: Path) -> None:
        self._init(root)

    @property
    def db(self) -> Path:
        return self.root / "fazhi-desk.sqlite3"

    @property
    def evidence(self) -> Path:
        return self.root / "evidence"

    @property
    def backups(self) -> Path:
        return self.root / "backups"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    @property
    def lock(self) -> Path:
        return self.root / "fazhi-desk.lock"

    @property
    def marker(self) -> Path:
        """The workspace marker: this directory's workspace id and whether its last session closed cleanly."""
        return self.root / "fazhi-desk.workspace.json"

    @property
    def evidence_id(self) -> Path:
        """The workspace id beside the evidence folder, written once: proves which database the evidence belongs to."""
        return self.root / "evidence.workspace-id"

    def ensure(self) -> "DataDir":
        if _is_network_path(self.root):
            raise UserError(
                f"数据目录“{self.root}”位于网络共享上。数据库放在网络盘上可能损坏。"
                "请改用本机磁盘上的目录\uff08例如默认目录\uff09。"
            )
        try:
            for d in (self.root, self.evidence, self.backups, self.logs):
                d.mkdir(parents=True, exist_ok=True)
        except PermissionError as e:
            raise UserError(
                f"无法在“{self.root}”创建数据目录\uff1a没有写入权限。请换一个有写入权限的目录\uff08--data-dir\uff09\uff0c"
                "或请管理员开放权限。"
            ) from e
        except OSError as e:
            raise UserError(f"无法创建数据目录“{self.root}”\uff1a{e.strerror or e}。请检查磁盘空间和权限。") from e
        return self


def resolve_data_dir(cli_value: str | os.PathLike[str] | None = None) -> DataDir:
    if cli_value:
        return DataDir(Path(cli_value).expanduser().resolve())
    env = os.environ.get(ENV_HOME)
    if env:
        return DataDir(Path(env).expanduser().resolve())
    return DataDir(default_data_dir())
