"""The office profile (乡镇/街道 name, county, 法制办 contact, the sign-off names of the annual report), the
office code (单位编码) and the documents that bind the office (适用文件).

The office code is the 18-character 统一社会信用代码 (checked with its check
character, GB 32100-2015) or a code the county issues (单位编码: letters, digits
and "-"). It is on every row of the annual report, and the county's roll-up
refuses the same code twice, so a return sent again under another name is
caught. It is kept in the ``setting`` table (key :data:`OFFICE_CODE_KEY`), beside
the one profile row.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Iterable, Sequence

from fazhi_desk.changes import Changes
from fazhi_desk.domain.model import SourceDocument

from fazhi_desk.errors import UserError
from fazhi_desk.store.db import Store
from fazhi_desk.store.models import Profile, Setting

OFFICE_CODE_KEY = "profile.office_code"
SINCE_KEY = "profile.since_year"  # 开始使用年度: the first year the office keeps its records here


@dataclass(frozen=True)
class OfficeProfile:
    office_name: str = ""
    county: str = ""
    contact: str = ""
    phone: str = ""
    leader: str = ""  # 单位负责人
    deputy: str = ""  # 分管领导
    preparer: str = ""  # 填报人
    binding_documents: tuple[str, ...] | None = None  # 适用文件 (文件代码); None: not chosen, every document binds
    office_code: str = ""  # 统一社会信用代码 or the county's 单位编码
    since_year: int | None = None  # 开始使用年度 (None: not given; nothing is judged as before it)

    @property
    def is_set(self) -> bool:
        return bool(self.office_name.strip())

    def binds(self, doc_code: str) -> bool:
        """Whether the document counts for this office (every document does until the office chooses)."""
        return self.binding_documents is None or doc_code in self.binding_documents

    @property
    def changes(self) -> Changes:
        """A saved profile: the title, and (its 适用文件 decide what counts) every view."""
        return Changes(profile=True, catalogue=True)


def parse_binding(text: str) -> tuple[str, ...] | None:
    """The stored 适用文件 ("" = not chosen)."""
    if not text:
        return None
    try:
        codes = json.loads(text)
    except ValueError:
        return None
    return tuple(str(c) for c in codes) if isinstance(codes, list) else None


_AREA_SUFFIX = re.compile(r"(自治县|自治旗|县|市|区|旗|特区|林区)$")


def area_stem(county: str) -> str:
    """"柞水县" → "柞水", "苏州市吴中区" → "吴中", "苏州市" → "苏州": the name an issuing body of that area carries."""
    c = re.sub(r"\s+", "", county)
    c = re.sub(r"^.*?(?:省|自治区)", "", c)
    for sep in ("市", "州", "盟"):  # the last level named: 苏州市吴中区 → 吴中区
        k = c.rfind(sep, 0, len(c) - 1)
        if k >= 0 and len(c) - k - 1 >= 2:
            c = c[k + 1:]
    return _AREA_SUFFIX.sub("", c)


def area_stems(county: str) -> list[str]:
    """The office's area and the areas above it that issue documents: "苏州市吴中区" → ["吴中", "苏州"]."""
    c = re.sub(r"\s+", "", county)
    c = re.sub(r"^.*?(?:省|自治区)", "", c)
    out = [area_stem(c)]
    for sep in ("市", "州", "盟"):
        k = c.find(sep)
        if 2 <= k < len(c) - 1:
            out.append(c[:k])
    return [x for x in dict.fromkeys(out) if len(x) >= 2]


def propose_binding_documents(county: str, documents: Sequence[SourceDocument]) -> tuple[tuple[str, ...], bool]:
    """The documents whose issuing area matches the office's county, and whether any matched.

    A document matches when its 发文机关 or 文件名称 names the county or the city
    above it (柞水县 → 中共柞水县委…; 苏州市吴中区 → 苏州市人民政府). When none matches, every document is
    proposed and the second value is False, so the dialog can say so.
    """
    stems = area_stems(county)
    hit = tuple(d.code for d in documents if any(x in d.issuer or x in d.title for x in stems))
    if hit:
        return hit, True
    return tuple(d.code for d in documents), False


# Every profile field with its Chinese name (messages, forms, the report's sign-off block).
FIELD_NAMES: dict[str, str] = {
    "office_name": "乡镇/街道名称",
    "county": "所属县(市、区)",
    "contact": "联系人",
    "phone": "联系电话",
    "leader": "单位负责人",
    "deputy": "分管领导",
    "preparer": "填报人",
    "office_code": "单位编码",
}

_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_LOCAL_CODE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z-]{0,39}$")


def uscc_valid(code: str) -> bool:
    """Whether ``code`` is a well-formed 统一社会信用代码 (18 characters, check character right)."""
    if len(code) != 18 or any(c not in _USCC_CHARS for c in code):
        return False
    total = sum(_USCC_CHARS.index(c) * w for c, w in zip(code, _USCC_WEIGHTS))
    return _USCC_CHARS[(31 - total % 31) % 31] == code[17]


def normalise_office_code(text: str) -> str:
    """The office code as stored (upper case, no spaces), or a UserError saying what is wrong."""
    code = re.sub(r"\s+", "", text or "").upper()
    if not code:
        return ""
    if len(code) == 18 and code[:1].isdigit() and code[:2] != "00" and all(c in _USCC_CHARS for c in code):
        if not uscc_valid(code):
            raise UserError(f"单位编码\u201c{code}\u201d像是统一社会信用代码\uff0c但校验位不对\uff1b"
                            "请对照单位的统一社会信用代码证书逐位核对\uff08或填写县里分配的单位编码\uff09。")
        return code
    if not _LOCAL_CODE.match(code):
        raise UserError(f"单位编码\u201c{code}\u201d无效\uff1b请填写 18 位统一社会信用代码\uff0c"
                        "或县里分配的单位编码\uff08字母、数字和\u201c-\u201d\uff0c最多 40 个字符\uff09。")
    return code


def get_profile(store: Store) -> OfficeProfile:
    with store.session() as s:
        p = s.get(Profile, 1)
        if p is None:
            return OfficeProfile(since_year=read_since(s))
        code = s.get(Setting, OFFICE_CODE_KEY)
        return OfficeProfile(p.office_name, p.county, p.contact, p.phone, p.leader, p.deputy, p.preparer,
                             binding_documents=parse_binding(p.binding_documents),
                             office_code=code.value if code is not None else "", since_year=read_since(s))


def read_since(s) -> int | None:  # noqa: ANN001 - a Session
    """The office's 开始使用年度, or None when it was never given."""
    row = s.get(Setting, SINCE_KEY)
    try:
        return int(row.value) if row is not None and row.value else None
    except ValueError:
        return None


def set_since(store: Store, year: int | None) -> OfficeProfile:
    """Set (or clear, with None) the office's 开始使用年度.

    One-time items whose deadline falls before it are then shown once, grouped, for one answer
    (以前年度已完成 / 仍需完成) instead of being 逾期 in every year.
    """
    from fazhi_desk.domain.completion import check_year

    if year is not None:
        year = check_year(year)
    with store.transaction() as s:
        row = s.get(Setting, SINCE_KEY)
        value = "" if year is None else str(year)
        if row is None:
            s.add(Setting(key=SINCE_KEY, value=value))
        else:
            row.value = value
    return get_profile(store)


NO_PROFILE = ("尚未设置单位信息(乡镇/街道名称),报告无法注明报送单位。"
              "请先在“设置 → 单位信息”中填写(命令行:fazhi-desk profile set --office 名称 --county 县)。")


def check_profile(prof: OfficeProfile) -> OfficeProfile:
    """The one profile check before a report: the profile, or a UserError saying how to set it."""
    if not prof.is_set:
        raise UserError(NO_PROFILE)
    return prof


def require_profile(store: Store) -> OfficeProfile:
    """The stored office profile, checked (:func:`check_profile`)."""
    return check_profile(get_profile(store))


def set_profile(store: Store, **fields: str) -> OfficeProfile:
    allowed = set(FIELD_NAMES) | {"binding_documents", "since_year"}
    bad = set(fields) - allowed
    if bad:
        raise UserError(f"未知的单位信息字段\uff1a{'、'.join(sorted(bad))}")
    since = fields.pop("since_year", None)
    if since is not None:  # "" clears it
        try:
            since_year = int(str(since).strip()) if str(since).strip() else None
        except ValueError:
            raise UserError(f"开始使用年度\u201c{since}\u201d应为四位年份\uff0c如 2025。") from None
        prof = set_since(store, since_year)
        if not fields:
            return prof
    binding = fields.pop("binding_documents", None)
    code = fields.pop("office_code", None)
    if code is not None:
        code = normalise_office_code(code)
    for k, v in fields.items():
        if v is not None and len(v) > 200:
            raise UserError(f"单位信息“{FIELD_NAMES[k]}”过长\uff08最多 200 字\uff09。")
    with store.transaction() as s:
        p = s.get(Profile, 1)
        if p is None:
            p = Profile(id=1, binding_documents="", **{k: "" for k in FIELD_NAMES if k != "office_code"})
            s.add(p)
        for k, v in fields.items():
            if v is not None:
                setattr(p, k, v.strip())
        if code is not None:
            row = s.get(Setting, OFFICE_CODE_KEY)
            if row is None:
                s.add(Setting(key=OFFICE_CODE_KEY, value=code))
            else:
                row.value = code
        if binding is not None:
            p.binding_documents = _binding_json(s, binding)
        if not p.office_name:
            raise UserError("乡镇/街道名称不能为空。")  # rolls the transaction back
    return get_profile(store)


def _binding_json(s, codes: Iterable[str]) -> str:  # noqa: ANN001
    from sqlalchemy import select

    from fazhi_desk.store.models import Document

    installed = list(s.scalars(select(Document.code).order_by(Document.code)))
    chosen = [c.strip().upper() for c in codes if c.strip()]
    unknown = [c for c in chosen if c not in installed]
    if unknown:
        raise UserError(f"没有安装文件代码为“{'、'.join(unknown)}”的来源文件\uff08已安装\uff1a{'、'.join(installed) or '无'}\uff09。")
    return json.dumps([c for c in installed if c in chosen], ensure_ascii=False)


def set_binding(store: Store, code: str, binds: bool) -> OfficeProfile:
    """Add a document to the office's 适用文件 (or take it out); choosing starts from every document."""
    from sqlalchemy import select

    from fazhi_desk.store.models import Document

    with store.transaction() as s:
        p = s.get(Profile, 1)
        if p is None:
            p = Profile(id=1, binding_documents="", **{k: "" for k in FIELD_NAMES if k != "office_code"})
            s.add(p)
        current = parse_binding(p.binding_documents)
        if current is None:
            current = tuple(s.scalars(select(Document.code)))
        codes = set(current) | {code} if binds else set(current) - {code}
        p.binding_documents = _binding_json(s, codes)
    return get_profile(store)
