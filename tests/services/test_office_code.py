"""The office code (单位编码): a 统一社会信用代码 checked by its check character, or the county's code; kept
with the profile (setting table), shown back, written on every row of the return."""

from __future__ import annotations

import pytest

from fazhi_desk.errors import UserError
from fazhi_desk.services.profile import get_profile, normalise_office_code, set_profile, uscc_valid


def _valid_uscc() -> str:
    from fazhi_desk.services import profile as P

    body = "91611024MA6Y0ABC1"
    total = sum(P._USCC_CHARS.index(c) * w for c, w in zip(body, P._USCC_WEIGHTS))
    return body + P._USCC_CHARS[(31 - total % 31) % 31]


def test_uscc_check_character():
    code = _valid_uscc()
    assert uscc_valid(code)
    wrong = code[:-1] + ("0" if code[-1] != "0" else "1")
    assert not uscc_valid(wrong)
    with pytest.raises(UserError, match="校验位不对"):
        normalise_office_code(wrong)
    assert normalise_office_code(" " + code.lower() + " ") == code
    assert normalise_office_code("zs-yp-001") == "ZS-YP-001"
    with pytest.raises(UserError, match="单位编码.*无效"):
        normalise_office_code("营盘镇")


def test_the_code_is_kept_with_the_profile(store):
    set_profile(store, office_name="营盘镇", county="柞水县", office_code="ZS-YP-001")
    assert get_profile(store).office_code == "ZS-YP-001"
    set_profile(store, contact="李四")  # other fields leave it alone
    assert get_profile(store).office_code == "ZS-YP-001"
    with pytest.raises(UserError):
        set_profile(store, office_code="不合法 的编码")
    assert get_profile(store).office_code == "ZS-YP-001"
    set_profile(store, office_code="")
    assert get_profile(store).office_code == ""


def test_cli_profile_code(store, capsys):
    from fazhi_desk.cli import run

    home = str(store.data.root)
    store.close()
    assert run(["--data-dir", home, "profile", "set", "--office", "营盘镇", "--code", "zs-yp-001"]) == 0
    assert run(["--data-dir", home, "profile", "show"]) == 0
    assert "单位编码:ZS-YP-001" in capsys.readouterr().out.replace("\uff1a", ":")
