"""Grading tables: the thresholds of each kind of emergency, read from a TOML file.

The tables are data a 宣传部 can check and override (``config/grading.toml``; the national
tables ship as ``classifier/grading.toml``, used when no file is given). Each row cites the
document and article it comes from, and that citation travels into the evidence of every
assessment the row decides.

``load_grading(path)`` reads and checks a file and raises ``GradingError`` listing every
problem with the file and the key (``kinds.earthquake.rows[3].when.magnitude``), so that
``yuqing config check`` can print them all at once.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Final

from classifier import lexicon_severity as lex
from domain.settings import Problem, Settings
from domain.vocabulary import EMERGENCY_TYPES, POPULATION_DENSITIES, Severity

SHIPPED: Final = Path(__file__).with_name("grading.toml")
DEFAULT_DENSITY: Final = "人口密集"  # unknown density leans up: the lower magnitudes apply

MEASURES: Final[dict[str, str]] = {
    "deaths": "死亡（含失踪）",
    "serious_injured": "重伤（含急性工业中毒）",
    "injured": "受伤（含轻伤）",
    "trapped": "被困 / 被埋",
    "evacuated": "疏散 / 转移 / 受威胁",
    "loss_yuan": "直接经济损失（元）",
    "sick": "中毒 / 发病",
    "crowd": "参与人数",
    "magnitude": "震级",
    "burned_ha": "受害森林面积（公顷）",
}
GRADES: Final = {
    s.value: s.rank for s in Severity if s is not Severity.ROUTINE
}  # 特别重大 4 … 一般 1


class GradingError(Exception):
    """The grading file is unusable; ``problems`` lists every mistake found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass(frozen=True)
class Row:
    level: str
    rank: int
    when: tuple[tuple[str, float], ...]
    basis: str
    terms: tuple[str, ...] = ()
    density: tuple[str, ...] = ()

    def applies(self, measures: Mapping[str, float], text: str, density: str) -> bool:
        if self.density and density not in self.density:
            return False
        if self.terms and not any(t in text for t in self.terms):
            return False
        return all(measures.get(m, 0.0) >= at_least for m, at_least in self.when)

    def describe(self, measures: Mapping[str, float]) -> str:
        """The row as a duty officer reads it: figures against thresholds, the level, the basis."""
        parts = [f"{MEASURES[m]} {_fmt(measures.get(m, 0.0))} ≥ {_fmt(v)}" for m, v in self.when]
        if self.terms:
            parts.append("、".join(self.terms))
        if self.density:
            parts.append("、".join(self.density) + "地区")
        return f"{'，'.join(parts)} → {self.level}（{self.basis}）"


@dataclass(frozen=True)
class KindTable:
    kind: str
    name: str
    emergency_type: str
    document: str
    rows: tuple[Row, ...]

    def matches(self, measures: Mapping[str, float], text: str, density: str) -> list[Row]:
        """Rows the figures reach, highest level first."""
        hit = [r for r in self.rows if r.applies(measures, text, density)]
        return sorted(hit, key=lambda r: -r.rank)


@dataclass(frozen=True)
class GradingTables:
    kinds: Mapping[str, KindTable]
    population_density: str = DEFAULT_DENSITY
    vulnerable_hurt: float = 2
    vulnerable_sick: float = 10
    crowd_blockade: bool = True
    source: str = field(default=str(SHIPPED), compare=False)

    def table(self, kind: str) -> KindTable:
        return self.kinds[kind]


def _fmt(value: float) -> str:
    if value >= 1e8 and value % 1e7 == 0:
        return f"{value / 1e8:g}亿"
    if value >= 1e4 and value % 1e3 == 0:
        return f"{value / 1e4:g}万"
    return f"{value:g}"


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _row(where: str, key: str, raw: Any, problems: list[Problem]) -> Row | None:
    if not isinstance(raw, dict):
        problems.append(Problem(where, key, "expected a table (a [[...rows]] entry)"))
        return None
    known = {"level", "when", "terms", "density", "basis", "note"}
    for extra in sorted(set(raw) - known):
        problems.append(
            Problem(where, f"{key}.{extra}", f"unknown key; expected one of {sorted(known)}")
        )
    ok = True
    level = raw.get("level")
    if level not in GRADES:
        problems.append(
            Problem(where, f"{key}.level", f"expected one of {list(GRADES)}, got {level!r}")
        )
        ok = False
    when_raw = raw.get("when", {})
    when: list[tuple[str, float]] = []
    if not isinstance(when_raw, dict):
        problems.append(Problem(where, f"{key}.when", "expected a table of figure = at least"))
        ok = False
    else:
        for measure, value in when_raw.items():
            if measure not in MEASURES:
                problems.append(
                    Problem(
                        where,
                        f"{key}.when.{measure}",
                        f"unknown figure; expected one of {list(MEASURES)}",
                    )
                )
                ok = False
            elif not _number(value) or value < 0:
                problems.append(
                    Problem(where, f"{key}.when.{measure}", f"expected a number ≥ 0, got {value!r}")
                )
                ok = False
            else:
                when.append((measure, float(value)))
    terms = raw.get("terms", [])
    if not isinstance(terms, list) or not all(isinstance(t, str) and t for t in terms):
        problems.append(Problem(where, f"{key}.terms", "expected a list of words"))
        ok = False
        terms = []
    density = raw.get("density", [])
    if not isinstance(density, list) or any(d not in POPULATION_DENSITIES for d in density):
        problems.append(
            Problem(
                where,
                f"{key}.density",
                f"expected a list of {list(POPULATION_DENSITIES)}, got {density!r}",
            )
        )
        ok = False
        density = []
    basis = raw.get("basis")
    if not isinstance(basis, str) or not basis.strip():
        problems.append(Problem(where, f"{key}.basis", "every row cites its document and article"))
        ok = False
    if ok and not when and not terms:
        problems.append(Problem(where, f"{key}.when", "a row needs a figure or a word to match"))
        ok = False
    if not ok:
        return None
    return Row(
        str(level), GRADES[str(level)], tuple(when), str(basis), tuple(terms), tuple(density)
    )


def _kind(where: str, kind: str, raw: Any, problems: list[Problem]) -> KindTable | None:
    key = f"kinds.{kind}"
    if not isinstance(raw, dict):
        problems.append(Problem(where, key, "expected a table"))
        return None
    known = {"name", "emergency_type", "document", "rows"}
    for extra in sorted(set(raw) - known):
        problems.append(
            Problem(where, f"{key}.{extra}", f"unknown key; expected one of {sorted(known)}")
        )
    before = len(problems)
    for name in ("name", "document"):
        if not isinstance(raw.get(name), str) or not raw[name].strip():
            problems.append(Problem(where, f"{key}.{name}", "expected a non-empty string"))
    etype = raw.get("emergency_type")
    if etype not in EMERGENCY_TYPES:
        problems.append(
            Problem(
                where,
                f"{key}.emergency_type",
                f"expected one of {list(EMERGENCY_TYPES)}, got {etype!r}",
            )
        )
    rows_raw = raw.get("rows")
    rows: list[Row] = []
    if not isinstance(rows_raw, list) or not rows_raw:
        problems.append(Problem(where, f"{key}.rows", "expected at least one [[rows]] entry"))
    else:
        for i, r in enumerate(rows_raw):
            row = _row(where, f"{key}.rows[{i}]", r, problems)
            if row is not None:
                rows.append(row)
    if len(problems) > before:
        return None
    return KindTable(kind, raw["name"], str(etype), raw["document"], tuple(rows))


def load_grading(
    path: Path | str | None = None, *, population_density: str | None = None
) -> GradingTables:
    """Read and check a grading file (default: the shipped national tables).

    ``population_density`` is the jurisdiction's class (``[jurisdiction] population_density``).
    Raises ``GradingError`` with every problem found, each naming the file and the key.
    """
    source = Path(path) if path else SHIPPED
    where = str(source)
    try:
        with source.open("rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        raise GradingError([Problem(where, "-", "file not found")]) from None
    except tomllib.TOMLDecodeError as exc:
        raise GradingError([Problem(where, "-", f"not valid TOML: {exc}")]) from None
    problems: list[Problem] = []
    for extra in sorted(set(data) - {"raises", "kinds"}):
        problems.append(Problem(where, extra, "unknown key; expected raises or kinds"))
    raises = data.get("raises", {})
    if not isinstance(raises, dict):
        problems.append(Problem(where, "raises", "expected a table"))
        raises = {}
    for extra in sorted(set(raises) - {"vulnerable_hurt", "vulnerable_sick", "crowd_blockade"}):
        problems.append(Problem(where, f"raises.{extra}", "unknown key"))
    for name, default in (("vulnerable_hurt", 2), ("vulnerable_sick", 10)):
        value = raises.get(name, default)
        if not _number(value) or value < 1:
            problems.append(
                Problem(where, f"raises.{name}", f"expected a number ≥ 1, got {value!r}")
            )
    if not isinstance(raises.get("crowd_blockade", True), bool):
        problems.append(Problem(where, "raises.crowd_blockade", "expected true or false"))
    kinds_raw = data.get("kinds")
    kinds: dict[str, KindTable] = {}
    if not isinstance(kinds_raw, dict):
        problems.append(Problem(where, "kinds", "expected a [kinds.<kind>] table per kind"))
        kinds_raw = {}
    for kind, raw in kinds_raw.items():
        if kind not in lex.KINDS:
            problems.append(
                Problem(where, f"kinds.{kind}", f"unknown kind; expected one of {list(lex.KINDS)}")
            )
            continue
        table = _kind(where, kind, raw, problems)
        if table is not None:
            kinds[kind] = table
    for kind in lex.KINDS:
        if kind not in kinds_raw:
            problems.append(Problem(where, f"kinds.{kind}", "missing: every kind needs a table"))
    density = population_density or DEFAULT_DENSITY
    if density not in POPULATION_DENSITIES:
        problems.append(
            Problem(
                where,
                "population_density",
                f"expected one of {list(POPULATION_DENSITIES)}, got {density!r}",
            )
        )
    if problems:
        raise GradingError(problems)
    return GradingTables(
        kinds=kinds,
        population_density=density,
        vulnerable_hurt=float(raises.get("vulnerable_hurt", 2)),
        vulnerable_sick=float(raises.get("vulnerable_sick", 10)),
        crowd_blockade=bool(raises.get("crowd_blockade", True)),
        source=where,
    )


@cache
def shipped_grading() -> GradingTables:
    """The national tables shipped with the classifier, for callers that pass none."""
    return load_grading(SHIPPED)


def grading_from_settings(settings: Settings) -> GradingTables:
    """The tables the configuration names (``[classifier] grading``; empty: the shipped ones),
    for the jurisdiction's population density. Raises ``GradingError``."""
    path = settings.classifier.grading or None
    return load_grading(path, population_density=settings.jurisdiction.population_density)
