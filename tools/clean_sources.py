"""Build the cleaned source texts of the bundled catalogues from the collected seeds.

Build-time only (needs ``opencc``; the application never imports this)::

    python tools/clean_sources.py [--seeds /work/shared/seeds] [--check]

Writes ``resources/sources/SZ2015.txt`` and ``resources/sources/ZS2022.txt``:
UTF-8, Simplified Chinese, one line per paragraph (headings on their own line).

Every change to the document's own words is listed in a table below, applied
by exact match, and must match exactly the expected number of times, so a
changed seed fails loudly instead of being cleaned silently. The catalogue's
``document.notes`` repeat these tables in words.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = ROOT / "resources" / "sources"
DEFAULT_SEEDS = Path("/work/shared/seeds")

SZ_SEED = "004_f8a088fd3127e4c1.txt"
ZS_SEED = "003_4251554c2f5bbf56.txt"

# --- 苏府〔2015〕12号 ---------------------------------------------------------
# The seed is a document-sharing web page: page counters, uploader line,
# download links, repeated file-name titles before the text, site footer after.
# The document itself runs from its title line to "(此件公开发布)".
SZ_FIRST_LINE = "市政府关于进一步加强乡镇政府、街道办事处依法行政工作的意见"
SZ_LAST_LINE = "(此件公开发布)"
# The page splits the text one sentence per line; one sentence was cut in two
# at its colon. (old, new, expected count), applied to the joined text.
SZ_REPAIRS: list[tuple[str, str, int]] = [
    ("《决定》指出:\n“全面推进依法治国", "《决定》指出:“全面推进依法治国", 1),
]

# --- 柞法治委发〔2022〕4号 ----------------------------------------------------
# Mojibake: GBK bytes of the original decoded wrongly, some with a stray pinyin
# tail left behind by the pinyin annotator. Repaired from context, on the raw
# seed text (before pinyin is stripped, since two of them eat a "(").
ZS_MOJIBAKE: list[tuple[str, str, int]] = [
    # "大力提高执法执行力和公信力。县级一般实行“局队合一”体制": the 。 is lost too.
    ("公信力??h級一般", "公信力。縣級一般", 1),
    # "完善应急救援社会化有偿服务、物资装备征用补偿等机制"
    ("補償?shù)葯C制", "補償等機制", 1),
    # "依法纠正违法或不当的行政行为," and "纠正自身违法不当的行政行为,"
    ("不當?shù)男姓袨?,", "不當的行政行為,", 2),
    # "充分发挥政策制定者、相关领域专家和新闻媒体等作用"
    ("領(lǐng)域?qū)<液托侣劽襟w等作用", "領(lǐng)域專家和新聞媒體等作用", 1),
]
# Pinyin the page inserted after characters: 實(shí), 發(fā), 綠(lǜ).
PINYIN_RE = re.compile(r"\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]+\)")
# Words OpenCC t2s gets wrong (names, variants it does not know), fixed after it.
ZS_AFTER_T2S: list[tuple[str, str, int]] = [
    ("干佑街道", "乾佑街道", 1),  # place name: 乾佑 is not 干
    ("陜西", "陕西", 3),  # U+965C, a variant of 陝 that t2s leaves alone
    ("著力解决", "着力解决", 1),  # 著力 is 着力 in Simplified
]
# Web debris: a stray space, and the site's editor credit after the text.
ZS_DEBRIS: list[tuple[str, str, int]] = [
    ("》, 商洛市", "》,商洛市", 1),
]
ZS_DROP_LINES = {"文稿编辑:司法专审"}


def _apply(text: str, table: list[tuple[str, str, int]], what: str) -> str:
    for old, new, count in table:
        found = text.count(old)
        if found != count:
            raise SystemExit(f"{what}: expected {count}× {old!r}, found {found}; check the seed")
        text = text.replace(old, new)
    return text


def _lines(text: str) -> list[str]:
    """Non-empty lines, stripped of surrounding (incl. no-break) spaces."""
    out = []
    for line in text.splitlines():
        line = line.strip(" \t\u00a0\u3000\r")
        if line:
            out.append(line)
    return out


def _check_clean(text: str, name: str) -> None:
    bad = [c for c in ("?", "\ufffd") if c in text]
    if bad:
        raise SystemExit(f"{name}: damaged characters left: {bad}")
    if PINYIN_RE.search(text):
        raise SystemExit(f"{name}: pinyin left: {PINYIN_RE.search(text).group(0)}")


def clean_sz(raw: str) -> str:
    lines = _lines(raw)
    start = lines.index(SZ_FIRST_LINE)
    end = lines.index(SZ_LAST_LINE, start)
    text = "\n".join(lines[start : end + 1])
    text = _apply(text, SZ_REPAIRS, "SZ2015")
    _check_clean(text, "SZ2015")
    return text + "\n"


def clean_zs(raw: str) -> str:
    import opencc  # build-time only

    text = _apply(raw, ZS_MOJIBAKE, "ZS2022 mojibake")
    text = PINYIN_RE.sub("", text)
    text = opencc.OpenCC("t2s").convert(text)
    text = _apply(text, ZS_AFTER_T2S, "ZS2022 after t2s")
    text = _apply(text, ZS_DEBRIS, "ZS2022 debris")
    lines = [ln for ln in _lines(text) if ln not in ZS_DROP_LINES]
    text = "\n".join(lines)
    _check_clean(text, "ZS2022")
    return text + "\n"


def build(seeds: Path) -> dict[str, str]:
    return {
        "SZ2015.txt": clean_sz((seeds / SZ_SEED).read_text("utf-8")),
        "ZS2022.txt": clean_zs((seeds / ZS_SEED).read_text("utf-8")),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=Path, default=DEFAULT_SEEDS)
    ap.add_argument("--check", action="store_true", help="only compare with the files in resources/sources/")
    args = ap.parse_args(argv)
    outputs = build(args.seeds)
    stale = []
    for name, text in outputs.items():
        path = OUT_DIR / name
        if args.check:
            if not path.is_file() or path.read_text("utf-8") != text:
                stale.append(name)
        else:
            OUT_DIR.mkdir(parents=True, exist_ok=True)
            path.write_text(text, "utf-8", newline="\n")
            print(f"wrote {path.relative_to(ROOT)} ({len(text.splitlines())} lines)")
    if stale:
        print("out of date: " + ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
