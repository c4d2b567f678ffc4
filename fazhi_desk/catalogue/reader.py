"""Reading a catalogue file a user picked: .xlsx template or canonical .json, told apart by content.

:func:`read_catalogue_file` checks size, looks at the file's first bytes (an
xlsx is a ZIP; an old .xls and a password-protected workbook are both OLE
compound files, told apart by the ``EncryptionInfo`` stream), and dispatches to
the Excel or JSON reader. Every refusal is a :class:`UserError` in Chinese.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Mapping

from fazhi_desk.catalogue.schema import Catalogue, load_catalogue_json
from fazhi_desk.errors import UserError

MAX_FILE_BYTES = 50 * 1024 * 1024
ZIP_MAGIC = b"PK\x03\x04"
CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _is_encrypted_cfb(path: Path) -> bool:
    """An OLE compound file holding an encrypted OOXML package (Excel/WPS "用密码进行加密")."""
    needle = "EncryptionInfo".encode("utf-16-le")
    needle2 = "EncryptedPackage".encode("utf-16-le")
    with path.open("rb") as f:
        data = f.read(MAX_FILE_BYTES)
    return needle in data or needle2 in data


def file_kind(path: Path) -> str:
    """"xlsx", "json", "xls", "encrypted" or "unknown", by content (extension only as a hint for JSON)."""
    with path.open("rb") as f:
        head = f.read(512)
    if head.startswith(ZIP_MAGIC):
        return "xlsx"
    if head.startswith(CFB_MAGIC):
        return "encrypted" if _is_encrypted_cfb(path) else "xls"
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped.startswith((b"{", b"[")) or path.suffix.lower() == ".json":
        return "json"
    return "unknown"


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def read_catalogue_file(path: Path | str, *, taken: Mapping[str, str] | None = None) -> list[Catalogue]:
    """Read and validate the catalogues in an .xlsx template or a .json catalogue file.

    ``taken``: indicator codes installed documents define (code → 文件代码), which another document may not use.
    """
    from fazhi_desk.catalogue.excel_reader import read_template

    path = Path(path)
    try:
        if not path.is_file():
            raise UserError(f"找不到文件“{path}”。请检查路径是否正确。")
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise UserError(
                f"文件“{path.name}”有 {size / 1024 / 1024:.1f} MB\uff0c超过 {MAX_FILE_BYTES // 1024 // 1024} MB 的上限\uff0c"
                "不像是检查目录。请确认选对了文件。"
            )
        if size == 0:
            raise UserError(f"文件“{path.name}”是空文件。请确认选对了文件。")
        kind = file_kind(path)
    except OSError as e:
        raise UserError(f"无法读取文件“{path}”\uff1a{e.strerror or e}。请检查文件是否存在、是否有读取权限。") from e
    if kind == "xlsx":
        return read_template(path, taken=taken)
    if kind == "json":
        return [load_catalogue_json(path, taken=taken)]
    if kind == "encrypted":
        raise UserError(
            f"无法读取“{path.name}”\uff1a工作簿设置了密码\uff0c请取消密码后另存\uff0c再导入"
            "\uff08Excel/WPS\uff1a文件 → 信息 → 保护工作簿 → 用密码进行加密\uff0c清空密码后保存\uff09。"
        )
    if kind == "xls":
        raise UserError(
            f"文件“{path.name}”是旧版 Excel 97-2003 格式\uff08.xls\uff09\uff0c程序只能读取 .xlsx。"
            "请在 Excel/WPS 中打开它\uff0c另存为“Excel 工作簿(*.xlsx)”后再导入。"
        )
    raise UserError(
        f"文件“{path.name}”既不是 Excel 工作簿\uff08.xlsx\uff09\uff0c也不是检查目录 JSON 文件。"
        "请选择县司法局下发的检查目录模板\uff08.xlsx\uff09或目录文件\uff08.json\uff09。"
    )
