"""What the user reads in the window and in messages has full-width punctuation next to Chinese text
(``tools/check_punctuation.py``), and the tool that keeps it so converts only what it should."""

from __future__ import annotations

import io
import subprocess
import sys
import tokenize
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

import check_punctuation as cp  # noqa: E402


def convert(src: str) -> str:
    """The first statement's string node(s) of ``src``, converted, as source."""
    lits = [cp.Literal(t) for t in tokenize.generate_tokens(io.StringIO(src).readline) if t.type == tokenize.STRING]
    cp.convert_node(lits)
    return " ".join(lit.head + "".join(body for _t, body in lit.parts) + lit.tail for lit in lits)


def test_the_programs_messages_have_full_width_punctuation():
    p = subprocess.run([sys.executable, str(ROOT / "tools" / "check_punctuation.py")], capture_output=True,
                       text=True, cwd=ROOT)
    assert p.returncode == 0, p.stdout[-3000:]


def test_what_is_converted_and_what_is_not():
    assert convert('"请填写:服务器地址(必填)。"') == '"请填写\\uff1a服务器地址\\uff08必填\\uff09。"'
    # a pair across a placeholder, a comma after one, a space beside the mark dropped
    assert convert('f"已损坏({bad}),请重试"') == 'f"已损坏\\uff08{bad}\\uff09\\uff0c请重试"'
    assert convert('f"操作人: {who}"') == 'f"操作人\\uff1a{who}"'
    # implicitly joined literals are one text: the comma at the end of the first touches the second
    assert convert('("没有写入," "请重试")') == '"没有写入\\uff0c" "请重试"'
    # Latin text, a time, a menu accelerator, code inside an f-string and regular expressions stay
    assert convert('"see (RFC 1), ok"') == '"see (RFC 1), ok"'
    assert convert('"9:30 开会"') == '"9:30 开会"'
    assert convert('"年度(&Y)"') == '"年度(&Y)"'
    assert convert("f\"{'(空)' if x else y}\"") == "f\"{'(空)' if x else y}\""
    assert convert('"(?:个)?内"') == '"(?:个)?内"'
    # a file dialog's filter keeps the brackets and separators Qt reads
    assert convert('"Excel 工作簿(*.xlsx);;所有文件(*)"') == '"Excel 工作簿(*.xlsx);;所有文件(*)"'
    # a colon after a bracket made full-width, or after one written as an escape, is next to Chinese punctuation
    assert convert('"地址(必填):"') == '"地址\\uff08必填\\uff09\\uff1a"'
    assert convert('"地址\\uff08必填\\uff09:"') == '"地址\\uff08必填\\uff09\\uff1a"'


def test_strings_matched_against_data_are_left_alone(tmp_path, monkeypatch):
    ui = tmp_path / "fazhi_desk" / "ui"
    ui.mkdir(parents=True)
    f = ui / "sample.py"
    f.write_text(
        '"""文档(说明):不改。"""\n'
        'import re\n'
        'A = "说明(一)"\n'
        'if x == "编号(ID)":\n'
        '    pass\n'
        'd = {"表头(旧)": 1}\n'
        'y = line.startswith("注:")\n'
        'z = re.compile("第(一)条")\n'
        'w = r"原样(保留)"\n', encoding="utf-8")
    core = tmp_path / "fazhi_desk" / "core.py"
    core.write_text('HEADER = "编号(ID)"\nraise UserError(f"找不到“{p}”(文件),请检查。")\n', encoding="utf-8")
    monkeypatch.setattr(cp, "ROOT", tmp_path)
    assert [line for line, _t in cp.check_file(f, fix=True)] == [3]
    assert f.read_text(encoding="utf-8").splitlines()[2] == 'A = "说明\\uff08一\\uff09"'
    assert [line for line, _t in cp.check_file(f)] == []
    assert [line for line, _t in cp.check_file(core, fix=True)] == [2]  # in core code, messages only
    assert core.read_text(encoding="utf-8").splitlines() == [
        'HEADER = "编号(ID)"', 'raise UserError(f"找不到“{p}”\\uff08文件\\uff09\\uff0c请检查。")']
