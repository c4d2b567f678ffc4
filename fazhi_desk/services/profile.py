"""The office profile (乡镇/街道 name, county, 法制办 contact, and the sign-off names of the annual report)."""

from __future__ import annotations

from dataclasses import dataclass

from fazhi_desk.errors import UserError
from fazhi_desk.store.db import Store
from fazhi_desk.store.models import Profile


@dataclass(frozen=True)
class OfficeProfile:
    office_name: str = ""
    county: str = ""
    contact: str = ""
    phone: str = ""
    leader: str = ""  # 单位负责人
    deputy: str = ""  # 分管领导
    preparer: str = ""  # 填报人

    @property
    def is_set(self) -> bool:
        return bool(self.office_name.strip())


# Every profile field with its Chinese name (messages, forms, the report's sign-off block).
FIELD_NAMES: dict[str, str] = {
    "office_name": "乡镇/街道名称",
    "county": "所属县(市、区)",
    "contact": "联系人",
    "phone": "联系电话",
    "leader": "单位负责人",
    "deputy": "分管领导",
    "preparer": "填报人",
}


def get_profile(store: Store) -> OfficeProfile:
    with store.session() as s:
        p = s.get(Profile, 1)
        if p is None:
            return OfficeProfile()
        return OfficeProfile(p.office_name, p.county, p.contact, p.phone, p.leader, p.deputy, p.preparer)


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
    allowed = set(FIELD_NAMES)
    bad = set(fields) - allowed
    if bad:
        raise UserError(f"未知的单位信息字段:{'、'.join(sorted(bad))}")
    for k, v in fields.items():
        if v is not None and len(v) > 200:
            raise UserError(f"单位信息“{FIELD_NAMES[k]}”过长(最多 200 字)。")
    with store.transaction() as s:
        p = s.get(Profile, 1)
        if p is None:
            p = Profile(id=1, **{k: "" for k in FIELD_NAMES})
            s.add(p)
        for k, v in fields.items():
            if v is not None:
                setattr(p, k, v.strip())
        if not p.office_name:
            raise UserError("乡镇/街道名称不能为空。")  # rolls the transaction back
    return get_profile(store)
