"""How often 待核实 and false 重大 reach the duty officers, on ordinary posts and on the
non-major emergencies of the labelled sets.

A post reaches the duty officers as a major when the severity rules grade it 重大 or above, or
as 待核实 when a figure at 重大 or above was lowered by a cue (``classifier.candidates``). Both
interrupt someone; on posts that are no major emergency both are false alarms, and they must
stay rare:

- the 人民网 threads created from 2022-09-01 (``../shared/data``, read in place, skipped when
  absent; never looked at while tuning the severity rules): under 1 %;
- the non-major emergencies (一般 / 较大) of ``tests/data/severity_dev.csv``: under 5 %.

Usage:
    .venv/bin/python -m bench.verification_eval            # a line per set
    .venv/bin/python -m bench.verification_eval --list     # and the posts that alarm
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.severity_eval import (  # noqa: E402
    LABELLED,
    THREADS_SPLIT,
    labelled_rows,
    ordinary_posts,
    shared_data,
)
from classifier.candidates import of_assessment  # noqa: E402
from classifier.severity import RANK, assess  # noqa: E402

MAJOR = RANK["重大"]


@dataclass
class Alarms:
    n: int = 0
    major: int = 0  # graded 重大 or above
    verify: int = 0  # 待核实
    shown: list[str] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return (self.major + self.verify) / self.n if self.n else 0.0

    def line(self, name: str) -> str:
        return (
            f"{name:22} n {self.n:5d}  false 重大 {self.major:3d}  待核实 {self.verify:3d}  "
            f"together {self.rate:.2%}"
        )


def alarms(posts: Iterable[tuple[str, str, str]]) -> Alarms:
    """(id, title, content) of posts that are no major emergency."""
    out = Alarms()
    for key, title, content in posts:
        out.n += 1
        result = assess(title, content)
        candidate = of_assessment(result)
        if RANK[result.level] >= MAJOR:
            out.major += 1
            out.shown.append(f"{key} graded {result.level}: {title}｜{content[:120]}")
        elif candidate is not None:
            out.verify += 1
            cues = "; ".join(candidate.reasons)
            out.shown.append(f"{key} 待核实 {candidate.level} ({cues}): {title}｜{content[:120]}")
    return out


def threads_from_split(folder: Path) -> list[tuple[str, str, str]]:
    posts = ordinary_posts(folder)["threads_late"]
    return [(f"thread {i}", t, c) for i, (t, c) in enumerate(posts)]


def non_major_emergencies(name: str) -> list[tuple[str, str, str]]:
    return [
        (r["id"], r["title"], r["content"])
        for r in labelled_rows(name)
        if r["level"] in ("一般", "较大")
    ]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--list", action="store_true", help="list the posts that alarm")
    args = parser.parse_args(argv)
    sets: dict[str, list[tuple[str, str, str]]] = {}
    folder = shared_data()
    if folder.is_dir():
        sets[f"threads from {THREADS_SPLIT}"] = threads_from_split(folder)
    for name in LABELLED:
        sets[f"{name} non-major"] = non_major_emergencies(name)
    for name, posts in sets.items():
        found = alarms(posts)
        print(found.line(name))
        if args.list:
            for line in found.shown:
                print("   ", line)


if __name__ == "__main__":
    main()
