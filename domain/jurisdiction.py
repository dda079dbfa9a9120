"""The jurisdiction a deployment serves: its units, their places and matters, its contacts."""

from __future__ import annotations

import re
from typing import Final, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from domain.divisions import Division, divisions
from domain.vocabulary import POPULATION_DENSITIES, TOPICS, UnitKind

# an address a mail server will take: something@a.domain, no spaces, one "@"
EMAIL_RE: Final = re.compile(r"^[^@\s]+@[^@\s.]+(?:\.[^@\s.]+)+$")


def check_email(value: str) -> str:
    if not EMAIL_RE.match(value):
        raise ValueError(f"not an email address: {value!r} (expected name@example.gov.cn)")
    return value


class Strict(BaseModel):
    """A configuration section: unknown keys are errors, values never change after loading."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Contact(Strict):
    name: str
    email: str
    title: str = ""

    @field_validator("email")
    @classmethod
    def _email(cls, v: str) -> str:
        return check_email(v)


class Unit(Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str = Field(min_length=2)
    short_names: list[str] = []
    aliases: list[str] = []
    kind: UnitKind
    parent: str | None = None
    emails: list[str] = Field(min_length=1)
    leader: Contact | None = None  # 分管领导, copied on escalations
    topics: list[str] = []  # 谁主管: topics this unit is competent for
    keywords: list[str] = []  # 派单目录: matters this unit handles (e.g. 低保, 渣土车)
    places: list[str] = []  # 属地: villages, communities, roads, landmarks

    @field_validator("emails")
    @classmethod
    def _emails(cls, v: list[str]) -> list[str]:
        for e in v:
            check_email(e)
        return v

    @field_validator("topics")
    @classmethod
    def _topics(cls, v: list[str]) -> list[str]:
        bad = [t for t in v if t not in TOPICS]
        if bad:
            raise ValueError(f"unknown topic(s) {bad}; expected one of {list(TOPICS)}")
        return v

    def all_names(self) -> list[str]:
        return [self.name, *self.short_names, *self.aliases]


class KindRule(Strict):
    """Who must be told about a kind of matter, whatever the post names (告知规则).

    A post that contains one of ``terms`` is of the kind: ``lead`` (when set) leads it and
    ``co_units`` assist. A lead with ``over_named = false`` gives way to a department the post
    names as the one involved (城管打人: 城管 leads, 公安 assists); ``lead_if_none`` leads only
    when no unit fits at all. ``basis`` is the rule's source, quoted in the routing reasons.
    """

    kind: str = Field(min_length=2)
    terms: list[str] = Field(min_length=1)
    # longer words that contain a term without being of the kind (小学生 is no 小学)
    unless: list[str] = []
    # words of which one must also appear (呕吐 is a poisoning only with something eaten)
    requires: list[str] = []
    # the department competent for the matter joins whatever its evidence (a crowd's grievance)
    with_competent: bool = False
    # grades it applies to; empty: every grade
    grades: list[Literal["特别重大", "重大", "较大", "一般", "常规"]] = []
    lead: str | None = None
    over_named: bool = False
    # leads only when no unit fits at all, instead of the fallback unit
    lead_if_none: str | None = None
    co_units: list[str] = []
    basis: str = Field(min_length=2)


class Jurisdiction(Strict):
    name: str
    full_name: str = ""
    level: Literal["区", "县", "县级市", "旗", "市辖区"] = "区"
    # 行政区划代码 (six digits): places the jurisdiction among China's divisions, so that its
    # province and prefecture give context and every other division is elsewhere
    code: str = Field(default="", pattern=r"^(?:\d{6})?$")
    fallback_unit: str  # 兜底 when no rule fits
    government_office: str  # 政府办公室: coordinates 特别重大 / 重大
    propaganda_unit: str  # 宣传部: coordinates 特别重大 / 重大, copied on escalations
    # who leads the response to a 特别重大 / 重大 emergency of each type (e.g. 事故灾难 → 应急管理局)
    emergency_leads: dict[
        Literal["自然灾害", "事故灾难", "公共卫生事件", "社会安全事件"], str
    ] = {}
    # 人口密集 / 人口较密集 / 其他 (《国家地震应急预案》 3.1): the magnitude that makes an
    # earthquake here 重大 at first judgement; unknown leans up to 人口密集
    population_density: str = "人口密集"
    duty_contacts: list[Contact] = Field(min_length=1)  # 宣传部 / 网信办 duty officers
    leadership: list[Contact] = Field(min_length=1)  # receives the weekly digest
    units: list[Unit] = Field(min_length=1)
    # office periods on working days, for SLA windows the policy runs on office hours
    office_hours: list[str] = ["08:30-12:00", "14:30-17:30"]
    # who must be told by kind of matter (不实信息 → 公安 + 网信, 食物中毒 → 市场监管 + 卫健 …)
    kind_rules: list[KindRule] = []

    @field_validator("population_density")
    @classmethod
    def _density(cls, v: str) -> str:
        if v not in POPULATION_DENSITIES:
            raise ValueError(f"unknown density {v!r}; expected one of {list(POPULATION_DENSITIES)}")
        return v

    @model_validator(mode="after")
    def _code(self) -> Jurisdiction:
        if self.code:
            d = divisions().get(self.code)
            if d is None or d.level != "county":
                raise ValueError(f"code {self.code!r} is no county-level division")
            if self.name not in (d.name, d.short):
                raise ValueError(f"code {self.code!r} is {d.name}, not {self.name}")
        return self

    @model_validator(mode="after")
    def _kind_rules(self) -> Jurisdiction:
        ids = {u.id for u in self.units}
        for rule in self.kind_rules:
            for uid in (rule.lead, rule.lead_if_none, *rule.co_units):
                if uid is not None and uid not in ids:
                    raise ValueError(f"kind_rules {rule.kind!r}: unknown unit {uid!r}")
        return self

    def division(self) -> Division | None:
        """The jurisdiction among China's divisions: by its code, else the one county-level
        division of its name whose province or prefecture its full name spells out."""
        table = divisions()
        if self.code:
            return table.get(self.code)
        found = [d for d in table.named(self.name) if d.level == "county"]
        if len(found) > 1:
            found = [
                d
                for d in found
                if all(a.name in self.full_name for a in table.ancestors(d.code)[1:])
            ]
        return found[0] if len(found) == 1 else None

    def unit(self, unit_id: str) -> Unit:
        for u in self.units:
            if u.id == unit_id:
                return u
        raise KeyError(unit_id)
