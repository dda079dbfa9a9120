"""Routing figures on the labelled routing set, or on any file with the same columns.

The set (``tests/data/routing_set.csv``, written for this project) has one citizen post a row
with the lead unit and the co-units a 宣传部 duty officer would choose. Rows ``r…`` were written
while the first rules were settled, ``h…`` after them, ``p…`` for the rules on the role of a
mention and on who must be told by kind (half of them paraphrase the other half's situations
with other places, units and wording). The role and kind rules were then refined, by class,
on the misses of the whole set, ``h…`` and ``p…`` included: none of these rows measures text
the rules have not seen. Rows ``q…`` test the second round of rules (bare town names, rumours
asked about, poisoning by grade, crowds, a business's regulator, a hospital's or station's own
conduct) in wording of their own; they were labelled before they were run (first run: lead
1.000, co-unit recall 0.956, exact 0.912 on 34 rows), and two of them (q013, q026) were
relabelled when the conventions on building-site wages and on schools were settled.

``tests/data/routing_blind5.csv`` (96 posts, ids ``R5-…``) was written by an outside reviewer
from the domain notes, the seed documents and the configuration only, and first scored as an
unseen set. Its misses were then studied and the second round of rules was written, by class,
from them: it is **development data** now, reported as its own row (``blind5``), and no longer
measures text the rules have not seen.

``tests/data/routing_blind6.csv`` (113 posts, ids ``R6-…``) was written by another outside
reviewer from the domain notes, the seed documents and the configuration (not the conventions
in the README), first scored unseen (lead 0.655, co-unit recall 0.636, exact 0.478), and the
third round of rules was written, by class, from its misses: rows ``s…`` of the labelled set
test that round in wording of their own (labelled before they were run; first run of
s001–s018: lead 0.500, co-unit recall 0.333, exact 0.167; s020, written after the rule on a
景区, was right on its first run). It is development data now, reported as
its own row (``blind6``). Where its writer follows another convention than the README's and
the README's was kept, the row keeps the writer's label and is listed in
``BLIND6_OTHER_CONVENTION``; row ``blind6*`` scores the set without them. An outside set
scored with ``--file`` is the honest measure.

``tests/data/routing_blind7.csv`` (105 posts, ids ``R7-…``) was written by a third outside
reviewer who had also read the README's conventions; it was first scored unseen by the
third round's rules (lead 0.829, co-unit recall 0.793, exact 0.733) and the fourth round was
written, by class, from its misses: rows ``t…`` of the labelled set test that round in wording
of their own (labelled before they were run; first run of t001–t012: lead 0.417, co-unit
recall 0.467, exact 0.167). It is development data now (rows ``blind7`` and ``blind7*``, the
latter without ``BLIND7_OTHER_CONVENTION``).

``tests/data/routing_blind8.csv`` (100 posts, ids ``R8-…``) was written by a fourth outside
reviewer with the README's conventions in hand and scored once, unseen, by the rules that
studied blind7: lead 0.830, co-unit recall 0.838, exact 0.720 (the routing before the role and
kind rules: 0.550, 0.432, 0.350). Nobody has studied its misses; row ``blind8``.

The fire rescue team, the natural resources, forestry and agriculture departments and the
power company joined the sample directory after all five sets were written. Rows of the
labelled set and of blind5–7 whose label they change were relabelled (note ``改标(新增单位)``):
a stand-in the writer used for a missing unit (the 区政府办, the 房征局), a matter sent to the
属地 for want of the unit, a fire, forest fire or landslide now told to 消防, 林业 or 自然资源,
a fire hazard with two terms of the 消防 派单目录, a rumour about a matter one of them answers
for. blind8's labels were not read and name none of them.

``tests/data/routing_blind9.csv`` (110 posts, ids ``R9-…``) was written by a fifth outside
reviewer with the README's conventions and the sample directory (the new units included) in
hand, and scored once, unseen: lead 0.955, co-unit recall 0.966, exact 0.900 (the rules before
bare town names had to begin a word and noise was read without the word: 0.955, 0.966, 0.891).
Its misses were listed, not studied; row ``blind9``, kept out of ``all`` like blind8.

Figures:

- lead accuracy — the routed lead is the expected one;
- co-unit recall — the share of all expected co-units that the routing names as co-units;
- co-unit exact — the routed co-unit set is exactly the expected one.

Usage:
    python -m bench.routing_eval                    # the labelled set by group, blind5-7
    python -m bench.routing_eval --file other.csv   # an outside set with the same columns
    python -m bench.routing_eval --errors           # list the misses
    python -m bench.routing_eval --json
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from domain.settings import load_settings  # noqa: E402
from response_sla.directory import Directory  # noqa: E402
from response_sla.routing import Routing, route  # noqa: E402

SET = ROOT / "tests" / "data" / "routing_set.csv"
BLIND5 = ROOT / "tests" / "data" / "routing_blind5.csv"  # the outside set, now development data
BLIND6 = ROOT / "tests" / "data" / "routing_blind6.csv"  # the second outside set, likewise
BLIND7 = ROOT / "tests" / "data" / "routing_blind7.csv"  # the third outside set, likewise
BLIND8 = ROOT / "tests" / "data" / "routing_blind8.csv"  # the fourth, scored once, not studied
BLIND9 = ROOT / "tests" / "data" / "routing_blind9.csv"  # the fifth, likewise
# blind6 rows whose label follows a convention other than the README's, which was kept (the
# 属地 of one place leads 物业, 低保, 留守儿童 and 扶贫 matters the README gives the department;
# 水务 leads 停水; poisoning graded 较大 led by 市场监管; no 属地 beside a business complaint; a
# rumour led by the department of its subject; 交警 for traffic lights; the 区政府办 as lead
# or co-unit; and the co-units the README's rules on told-by-kind do not name)
BLIND6_OTHER_CONVENTION = frozenset(
    {
        "R6-001", "R6-002", "R6-008", "R6-016", "R6-019", "R6-023", "R6-024", "R6-034",
        "R6-037", "R6-040", "R6-041", "R6-045", "R6-063", "R6-066", "R6-068",
        "R6-069", "R6-077", "R6-079", "R6-084", "R6-089", "R6-090", "R6-093", "R6-094",
        "R6-095", "R6-102", "R6-103", "R6-104", "R6-106", "R6-107", "R6-108",
        "R6-109", "R6-113",
    }
)
# blind7 rows whose label follows a convention other than the README's, which was kept (路灯
# of one 街道 with 住建 told; the towns people moved from as parties; an ordinary fire led by
# the 属地; the 区政府办 as lead; 传销 without 市场监管; 扶贫 of one village led by the 属地
# although plainly the department's; a town's 征地补偿 led by 房征)
BLIND7_OTHER_CONVENTION = frozenset(
    {"R7-001", "R7-027", "R7-042", "R7-057", "R7-065", "R7-081", "R7-096", "R7-104"}
)
# the labelled set was written for the 七星关区 sample jurisdiction
SAMPLE_CONFIG = ROOT / "config" / "yuqing.toml"


@dataclass(frozen=True)
class Row:
    id: str
    title: str
    content: str
    topic: str | None
    severity: str
    lead: str
    co: frozenset[str]


@dataclass(frozen=True)
class Scores:
    n: int
    lead: float
    co_recall: float
    co_exact: float

    def as_json(self) -> dict[str, float | int]:
        return {
            "n": self.n,
            "lead_accuracy": round(self.lead, 3),
            "co_unit_recall": round(self.co_recall, 3),
            "co_unit_exact": round(self.co_exact, 3),
        }


def read_rows(path: Path) -> list[Row]:
    with path.open(encoding="utf-8", newline="") as fh:
        return [
            Row(
                r["id"],
                r["title"],
                r["content"],
                r.get("topic") or None,
                r.get("severity") or "常规",
                r["lead_unit"],
                frozenset(u for u in (r.get("co_units") or "").split(";") if u),
            )
            for r in csv.DictReader(fh)
        ]


def route_row(directory: Directory, row: Row) -> Routing:
    return route(
        directory, title=row.title, content=row.content, topic=row.topic, severity=row.severity
    )


def score(directory: Directory, rows: Iterable[Row]) -> Scores:
    rows = list(rows)
    if not rows:
        return Scores(0, 0.0, 0.0, 0.0)
    lead = exact = expected = found = 0
    for r in rows:
        x = route_row(directory, r)
        lead += x.lead == r.lead
        exact += frozenset(x.co_units) == r.co
        expected += len(r.co)
        found += len(r.co & set(x.co_units))
    recall = found / expected if expected else 1.0
    return Scores(len(rows), lead / len(rows), recall, exact / len(rows))


def groups(rows: list[Row]) -> dict[str, list[Row]]:
    out: dict[str, list[Row]] = {"all": rows}
    for prefix in sorted({r.id[:1] for r in rows}):
        out[f"{prefix}…"] = [r for r in rows if r.id.startswith(prefix)]
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--file", type=Path, help="score this file (same columns as the set)")
    ap.add_argument("--config", type=Path, default=SAMPLE_CONFIG, help="jurisdiction config")
    ap.add_argument("--errors", action="store_true", help="list every miss")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)

    settings = load_settings(args.config)
    directory = Directory.from_jurisdiction(settings.jurisdiction)
    rows = read_rows(args.file or SET)
    table = groups(rows) if args.file is None else {"all": rows}
    if args.file is None and BLIND5.exists():
        blind5 = read_rows(BLIND5)
        table["blind5"] = blind5
        rows = rows + blind5
    if args.file is None and BLIND6.exists():
        blind6 = read_rows(BLIND6)
        table["blind6"] = blind6
        table["blind6*"] = [r for r in blind6 if r.id not in BLIND6_OTHER_CONVENTION]
        rows = rows + blind6
    if args.file is None and BLIND7.exists():
        blind7 = read_rows(BLIND7)
        table["blind7"] = blind7
        table["blind7*"] = [r for r in blind7 if r.id not in BLIND7_OTHER_CONVENTION]
        rows = rows + blind7
    if args.file is None and BLIND8.exists():
        table["blind8"] = read_rows(BLIND8)  # kept out of "all": it measures unseen text
    if args.file is None and BLIND9.exists():
        table["blind9"] = read_rows(BLIND9)
    scores = {name: score(directory, part) for name, part in table.items()}
    if args.json:
        print(json.dumps({k: v.as_json() for k, v in scores.items()}, ensure_ascii=False))
    else:
        print(f"routing: {args.file or SET.relative_to(ROOT)}")
        print(f"{'rows':<8}{'n':>5}{'lead':>8}{'co recall':>11}{'co exact':>10}")
        for name, s in scores.items():
            print(f"{name:<8}{s.n:>5}{s.lead:>8.3f}{s.co_recall:>11.3f}{s.co_exact:>10.3f}")
    if args.errors:
        for r in rows:
            x = route_row(directory, r)
            if x.lead != r.lead or frozenset(x.co_units) != r.co:
                print(
                    f"{r.id} expected {r.lead} + {sorted(r.co)}; got {x.lead} + "
                    f"{sorted(x.co_units)} | {r.title}"
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
