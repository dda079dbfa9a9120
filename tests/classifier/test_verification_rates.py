"""待核实 stays rare: false 重大 plus 待核实 on posts that are no major emergency, with the
figures of ``bench/verification_eval.py`` (run it with ``--list`` to see the posts)."""

from __future__ import annotations

from pathlib import Path

from bench.verification_eval import alarms, non_major_emergencies, threads_from_split


def test_rare_on_the_non_major_emergencies_of_the_development_set() -> None:
    found = alarms(non_major_emergencies("dev"))
    print("\n" + found.line("dev non-major"))
    assert found.n >= 250
    assert found.rate < 0.05


def test_rare_on_the_people_threads_from_the_split(shared_dir: Path) -> None:
    found = alarms(threads_from_split(shared_dir / "data"))
    print("\n" + found.line("threads from 2022-09-01"))
    assert found.n >= 500
    assert found.rate < 0.01
