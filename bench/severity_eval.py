"""Severity figures on the labelled sets and on ordinary citizen posts.

Labelled sets (``tests/data/severity_*.csv``, written for this project):

- ``dev`` — the rules are tuned on it;
- ``holdout`` — written before the per-kind rules; held out in the first round, development data
  since the second (its misses were studied by class);
- ``test`` — the older held-out set; development data since the second round as well;
- ``blind2``, ``blind3``, ``blind4`` — written by outsiders who never saw the rules, each
  scored once blind (major recall 0.838, 0.833 and 0.754), then studied class by class:
  development data since;
- ``written`` — 40 posts written for the fourth round in other words than blind4's, to test
  each class fixed there; the rules were adjusted on them, so development data too.

- ``blind5`` — written blind after blind4 was studied and scored once, unseen, by the rules
  that studied it (major recall 0.975, emergencies graded 常规 0.016, 常规 graded 重大+ 0.000);
  its misses have not been studied.
- ``blind6`` — 190 posts written blind by another outsider who saw no code, scored once unseen
  (major recall 0.797, 0.772 graded; non-major graded 重大+ 0.018; emergencies graded 常规 0.104;
  常规 graded 重大+ 0.054; level accuracy 0.832), then studied by class: development data since.

- ``blind7`` — 190 posts written blind by a third outsider who saw no code, scored once unseen
  (major recall 0.762, 0.762 graded; non-major graded 重大+ 0.000; emergencies graded 常规 0.126;
  常规 graded 重大+ 0.036; level accuracy 0.821); two classes of its misses studied since (crowds
  told by where they went or sat; slopes about to come down, with the people to be moved), the
  others not.

None of the others measures text the rules have not seen. A new blind set written by someone else is
the honest measure: score it with ``--file PATH`` (same columns as the sets here) before anyone
looks at its errors.

For each: how many major emergencies (特别重大 / 重大) are caught — graded 重大 or above, or
flagged with ``evidence["candidate_level"]`` at 重大 or above for a person to check (待核实) —,
how many non-major emergencies (一般 / 较大) are graded 重大 or above, how many emergencies are
graded 常规, how many 常规 posts are graded 重大 or above, and exact level and type accuracy.

Ordinary citizen posts (``../shared/data``, skipped when absent): the share graded 重大 or
above, the share only flagged as a 重大 candidate, and the share graded as any emergency. The
TipDM training split and the 人民网 threads before 2022-09-01 were looked at while tuning; the
TipDM test split and the threads from 2022-09-01 on were not.

Usage:
    .venv/bin/python -m bench.severity_eval            # a table per set
    .venv/bin/python -m bench.severity_eval --json     # one JSON object
    .venv/bin/python -m bench.severity_eval --sets dev --errors   # list the dev set's misses
    .venv/bin/python -m bench.severity_eval --file other.csv   # an outside set only
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from classifier.grading import GradingTables, load_grading  # noqa: E402
from classifier.locality import Locality  # noqa: E402
from classifier.severity import RANK, SeverityAssessment, assess  # noqa: E402
from domain.settings import load_settings  # noqa: E402

DATA = ROOT / "tests" / "data"
# the labelled sets were written for the 七星关区 sample: its places are here, the rest elsewhere
SAMPLE_CONFIG = ROOT / "config" / "yuqing.toml"
MAJOR = RANK["重大"]
LABELLED = ("dev", "holdout", "test", "blind2", "blind3", "blind4", "written", "blind5",
            "blind6", "blind7")
# the 人民网 threads created before this day were read while tuning; the later ones were not
THREADS_SPLIT = "2022-09-01"

Assess = Callable[[str, str], SeverityAssessment]


def shared_data() -> Path:
    shared = os.environ.get("YUQING_SHARED_DIR")
    return (Path(shared) if shared else ROOT.parent / "shared") / "data"


def labelled_rows(name: str) -> list[dict[str, str]]:
    return read_labelled(DATA / f"severity_{name}.csv")


def read_labelled(path: Path) -> list[dict[str, str]]:
    """Rows of a labelled file: id, title, content, level, emergency_type (note optional)."""
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def candidate_rank(result: SeverityAssessment) -> int:
    level = result.evidence.get("candidate_level")
    return RANK.get(str(level), 0) if level else 0


@dataclass(frozen=True)
class Miss:
    id: str
    gold: str
    got: str
    candidate: str
    text: str


def score_labelled(
    rows: Iterable[dict[str, str]], grade: Assess
) -> tuple[dict[str, float], list[Miss]]:
    n = majors = caught = graded_major = 0
    minor = minor_high = 0
    emergencies = emergencies_routine = type_ok = 0
    routine = routine_high = 0
    exact = 0
    misses: list[Miss] = []
    for row in rows:
        n += 1
        result = grade(row["title"], row["content"])
        gold, got, cand = RANK[row["level"]], RANK[result.level], candidate_rank(result)
        exact += gold == got
        if gold >= MAJOR:
            majors += 1
            graded_major += got >= MAJOR
            caught += got >= MAJOR or cand >= MAJOR
        elif gold > 0:
            minor += 1
            minor_high += got >= MAJOR
        else:
            routine += 1
            routine_high += got >= MAJOR
        if gold > 0:
            emergencies += 1
            emergencies_routine += got == 0
            type_ok += result.emergency_type == row["emergency_type"]
        if gold != got:
            misses.append(
                Miss(
                    row["id"],
                    row["level"],
                    result.level,
                    str(result.evidence.get("candidate_level", "")),
                    f"{row['title']}｜{row['content']}",
                )
            )
    figures = {
        "n": n,
        "major_n": majors,
        "major_recall": caught / majors if majors else 1.0,
        "major_recall_graded": graded_major / majors if majors else 1.0,
        "nonmajor_graded_major": minor_high / minor if minor else 0.0,
        "emergency_graded_routine": emergencies_routine / emergencies if emergencies else 0.0,
        "routine_graded_major": routine_high / routine if routine else 0.0,
        "level_accuracy": exact / n if n else 1.0,
        "type_accuracy": type_ok / emergencies if emergencies else 1.0,
    }
    return figures, misses


def ordinary_posts(folder: Path) -> dict[str, list[tuple[str, str]]]:
    """(title, content) of real citizen messages, by set."""
    sets: dict[str, list[tuple[str, str]]] = {}
    for name in ("train", "test"):
        with (folder / "tipdm2020c" / f"{name}.csv").open(encoding="utf-8", newline="") as fh:
            sets[f"tipdm_{name}"] = [(r["title"], r["text"]) for r in csv.DictReader(fh)]
    early: list[tuple[str, str]] = []
    late: list[tuple[str, str]] = []
    with (folder / "people_liuyan_guizhou" / "threads.csv").open(
        encoding="utf-8", newline=""
    ) as fh:
        for r in csv.DictReader(fh):
            (early if r["created_at"] < THREADS_SPLIT else late).append(
                (r["subject"], r["content"])
            )
    sets["threads_early"] = early
    sets["threads_late"] = late
    return sets


def score_ordinary(
    posts: list[tuple[str, str]], grade: Assess
) -> tuple[dict[str, float], list[Miss]]:
    major = candidate = flagged = 0
    alarms: list[Miss] = []
    for i, (title, content) in enumerate(posts):
        result = grade(title, content)
        rank = RANK[result.level]
        flagged += rank > 0
        major += rank >= MAJOR
        candidate += rank < MAJOR and candidate_rank(result) >= MAJOR
        if rank >= MAJOR or candidate_rank(result) >= MAJOR:
            alarms.append(
                Miss(
                    str(i),
                    "常规",
                    result.level,
                    str(result.evidence.get("candidate_level", "")),
                    f"{title}｜{content[:300]}",
                )
            )
    n = len(posts)
    return {
        "n": n,
        "graded_major": major / n if n else 0.0,
        "candidate_major": candidate / n if n else 0.0,
        "graded_emergency": flagged / n if n else 0.0,
    }, alarms


def _fmt(figures: dict[str, float]) -> str:
    return "  ".join(
        f"{k} {v:.3f}" if isinstance(v, float) else f"{k} {v}" for k, v in figures.items()
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sets", nargs="*", help="sets to score (default: all)")
    parser.add_argument("--file", type=Path, action="append", default=[],
                        help="also score this labelled CSV (same columns as tests/data/"
                             "severity_*.csv), e.g. an outside evaluation set; repeatable")
    parser.add_argument("--grading", type=Path, help="grading tables (default: shipped)")
    parser.add_argument("--config", type=Path, default=SAMPLE_CONFIG,
                        help="the jurisdiction whose places are here (default: the sample)")
    parser.add_argument("--json", action="store_true", help="one JSON object")
    parser.add_argument("--errors", action="store_true", help="list wrong levels and alarms")
    args = parser.parse_args(argv)

    tables: GradingTables | None = load_grading(args.grading) if args.grading else None
    locality = Locality.of(load_settings(args.config, environ={}).jurisdiction)

    def grade(title: str, content: str) -> SeverityAssessment:
        return assess(title, content, grading=tables, locality=locality)

    # --file alone scores that file only
    wanted = set(args.sets) if args.sets else (set() if args.file else None)
    out: dict[str, dict[str, float]] = {}
    errors: dict[str, list[Miss]] = {}
    for name in LABELLED:
        if wanted is None or name in wanted:
            out[name], errors[name] = score_labelled(labelled_rows(name), grade)
    for path in args.file:
        out[path.stem], errors[path.stem] = score_labelled(read_labelled(path), grade)
    folder = shared_data()
    if folder.is_dir():
        ordinary = ordinary_posts(folder)
        for name, posts in ordinary.items():
            if wanted is None or name in wanted:
                out[name], errors[name] = score_ordinary(posts, grade)
    if args.json:
        print(json.dumps({k: {m: round(v, 4) for m, v in f.items()} for k, f in out.items()}))
    else:
        for name, figures in out.items():
            print(f"{name:14} {_fmt(figures)}")
    if args.errors:
        for name, misses in errors.items():
            for m in misses:
                print(
                    f"{name} {m.id} gold {m.gold} got {m.got} cand {m.candidate or '-'}: {m.text}"
                )


if __name__ == "__main__":
    main()
