"""Routing on the labelled set of 七星关区 posts (tests/data/routing_set.csv).

The set was written for this project: each row is a citizen post with the lead unit and co-units
a duty officer would assign. Rows ``r…`` were written while the rules were being settled; rows
``h…`` were written after the rules were fixed and never used to change them; rows ``p…`` cover
the role of a mention, who must be told by kind, multi-place matters and major events (half of
them paraphrase the others with other places, units and wording); rows ``q…`` test the second
round of rules in wording of their own, rows ``s…`` the third, rows ``t…`` the fourth.
``routing_blind5.csv``, ``routing_blind6.csv`` and ``routing_blind7.csv`` were written by
outside reviewers and first scored unseen; the second, third and fourth rounds were written
from their misses, so they are development data now. Run with ``-s`` to see the figures, or
``python -m bench.routing_eval`` for the table.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from bench.routing_eval import (
    BLIND6_OTHER_CONVENTION,
    BLIND7_OTHER_CONVENTION,
    Row,
    read_rows,
    route_row,
    score,
)
from domain.settings import Settings
from domain.vocabulary import TOPICS, is_major
from response_sla.directory import Directory
from tests.conftest import ROOT

SET = ROOT / "tests" / "data" / "routing_set.csv"
BLIND5 = ROOT / "tests" / "data" / "routing_blind5.csv"
BLIND6 = ROOT / "tests" / "data" / "routing_blind6.csv"
BLIND7 = ROOT / "tests" / "data" / "routing_blind7.csv"
BLIND8 = ROOT / "tests" / "data" / "routing_blind8.csv"
BLIND9 = ROOT / "tests" / "data" / "routing_blind9.csv"
COLUMNS = ["id", "title", "content", "topic", "severity", "lead_unit", "co_units", "note"]
SEVERITIES = {"特别重大", "重大", "较大", "一般", "常规"}
LEAD_FLOOR = 0.92  # measured 0.954 on 325 rows
RECALL_FLOOR = 0.85  # share of expected co-units named; measured 0.950
CO_FLOOR = 0.85  # exact co-unit set; measured 0.920
# the outside set (development data now): measured 0.938, 0.906, 0.854 (0.938, 0.888, 0.833
# before the fire rescue team, the land, forestry and agriculture departments and the power
# company joined the directory and the rows its writer gave to stand-ins were relabelled)
BLIND5_LEAD_FLOOR = 0.92
BLIND5_RECALL_FLOOR = 0.87
# the second outside set (development data now): measured 0.841, 0.804, 0.673; without the
# rows whose writer follows another convention (kept): 0.963, 0.942, 0.901
BLIND6_LEAD_FLOOR = 0.81
BLIND6_RECALL_FLOOR = 0.77
BLIND6_KEPT_LEAD_FLOOR = 0.92
BLIND6_KEPT_RECALL_FLOOR = 0.88
# the third outside set (development data now): measured 0.933, 0.924, 0.905; without the
# rows whose writer follows another convention (kept): 0.979, 0.964, 0.959
BLIND7_LEAD_FLOOR = 0.92
BLIND7_RECALL_FLOOR = 0.88
BLIND7_KEPT_LEAD_FLOOR = 0.95
BLIND7_KEPT_RECALL_FLOOR = 0.92


def _rows(path: Path) -> list[Row]:
    """The file's rows, after checking its columns (the bench's reader fills a missing
    severity in; a labelled file must not lack one)."""
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        assert reader.fieldnames == COLUMNS
        assert all(r["severity"] for r in reader)
    return read_rows(path)


@pytest.fixture(scope="module")
def rows() -> list[Row]:
    return _rows(SET)


@pytest.fixture
def directory(settings: Settings) -> Directory:
    return Directory.from_jurisdiction(settings.jurisdiction)


def test_the_set_is_well_formed(rows: list[Row], directory: Directory) -> None:
    assert len(rows) >= 100
    assert len({r.id for r in rows}) == len(rows)
    for r in rows:
        assert r.title and r.content, r.id
        assert r.topic is None or r.topic in TOPICS, r.id
        assert r.severity in SEVERITIES, r.id
        for uid in (r.lead, *r.co):
            directory.unit(uid)  # KeyError names an unknown unit
        assert r.lead not in r.co, r.id


def test_the_set_covers_every_rule(rows: list[Row], directory: Directory) -> None:
    local = {u.id for u in directory.units() if u.is_local}
    mentioned = {u for r in rows for u in (r.lead, *r.co)}
    assert local <= mentioned, f"no post about {sorted(local - mentioned)}"
    assert sum(is_major(r.severity) for r in rows) >= 5
    assert sum(r.lead == directory.fallback_unit for r in rows) >= 5
    assert sum(len(r.co & local) >= 2 for r in rows) >= 5  # several 属地
    assert sum(r.lead in local for r in rows) >= 30
    assert sum(r.id.startswith("h") for r in rows) >= 30
    assert sum(r.id.startswith("p") for r in rows) >= 100
    assert sum(r.id.startswith("q") for r in rows) >= 30
    assert sum(r.id.startswith("s") for r in rows) >= 18


def test_lead_unit_accuracy(directory: Directory) -> None:
    rows = read_rows(SET)
    every = score(directory, rows)
    later = score(directory, [r for r in rows if r.id.startswith("h")])
    print(
        f"\nrouting set: n={every.n} lead accuracy {every.lead:.3f}, co-unit recall "
        f"{every.co_recall:.3f}, co-units exact {every.co_exact:.3f}; rows written after the "
        f"rules (n={later.n}): lead {later.lead:.3f}, co-units exact {later.co_exact:.3f}"
    )
    assert every.lead >= LEAD_FLOOR
    assert every.co_recall >= RECALL_FLOOR
    assert every.co_exact >= CO_FLOOR


def test_major_events_are_coordinated(rows: list[Row], directory: Directory) -> None:
    for r in rows:
        x = route_row(directory, r)
        if is_major(r.severity):
            expected = {directory.government_office, directory.propaganda_unit} - {x.lead}
            assert set(x.coordinate) == expected, r.id
        else:
            assert x.coordinate == (), r.id


def test_fallback_is_always_flagged(rows: list[Row], directory: Directory) -> None:
    for r in rows:
        x = route_row(directory, r)
        if x.lead == directory.fallback_unit:
            assert x.low_confidence, r.id
        assert x.reasons, r.id


def test_the_outside_set(directory: Directory) -> None:
    rows = _rows(BLIND5)  # same columns as the labelled set
    assert len(rows) == 96
    for r in rows:
        for uid in (r.lead, *r.co):
            directory.unit(uid)
    s = score(directory, read_rows(BLIND5))
    print(f"\nblind5: lead {s.lead:.3f}, co-unit recall {s.co_recall:.3f}, exact {s.co_exact:.3f}")
    assert s.lead >= BLIND5_LEAD_FLOOR
    assert s.co_recall >= BLIND5_RECALL_FLOOR


def _outside_set(
    directory: Directory,
    path: Path,
    n: int,
    other: frozenset[str],
    floors: tuple[float, float, float, float],
) -> None:
    """An outside set whose rows of another convention are listed: scored whole and without
    them, each against its floors (lead, co-unit recall; the same without those rows)."""
    rows = _rows(path)
    assert len(rows) == n
    for r in rows:
        for uid in (r.lead, *r.co):
            directory.unit(uid)
    assert {r.id for r in rows} >= other
    s = score(directory, rows)
    kept = score(directory, [r for r in rows if r.id not in other])
    print(
        f"\n{path.stem}: lead {s.lead:.3f}, co-unit recall {s.co_recall:.3f}, "
        f"exact {s.co_exact:.3f}; without other conventions (n={kept.n}): {kept.lead:.3f}, "
        f"{kept.co_recall:.3f}, {kept.co_exact:.3f}"
    )
    lead, recall, kept_lead, kept_recall = floors
    assert s.lead >= lead
    assert s.co_recall >= recall
    assert kept.lead >= kept_lead
    assert kept.co_recall >= kept_recall


def test_the_second_outside_set(directory: Directory) -> None:
    _outside_set(directory, BLIND6, 113, BLIND6_OTHER_CONVENTION, (
        BLIND6_LEAD_FLOOR, BLIND6_RECALL_FLOOR, BLIND6_KEPT_LEAD_FLOOR, BLIND6_KEPT_RECALL_FLOOR))


def test_the_third_outside_set(directory: Directory) -> None:
    _outside_set(directory, BLIND7, 105, BLIND7_OTHER_CONVENTION, (
        BLIND7_LEAD_FLOOR, BLIND7_RECALL_FLOOR, BLIND7_KEPT_LEAD_FLOOR, BLIND7_KEPT_RECALL_FLOOR))


# (set, rows, lead floor, co-unit recall floor, exact floor), each at its unseen first score:
# - blind8 was scored once by rules that had never seen it (lead 0.830, co-unit recall 0.838,
#   exact 0.720) and its misses were not studied. Its labels were written before the fire
#   rescue team, the land, forestry and agriculture departments and the power company joined
#   the directory, and have not been read since: 0.820, 0.838, 0.680 with them.
# - blind9, written with the README's conventions and today's directory, was scored once by
#   rules that had never seen it (0.955, 0.966, 0.900); its misses were not studied.
UNSEEN = [(BLIND8, 100, 0.82, 0.82, 0.0), (BLIND9, 110, 0.95, 0.96, 0.90)]


@pytest.mark.parametrize(("path", "n", "lead", "recall", "exact"), UNSEEN,
                         ids=[p.stem for p, *_ in UNSEEN])
def test_the_outside_sets_scored_unseen(
    directory: Directory, path: Path, n: int, lead: float, recall: float, exact: float
) -> None:
    """The floors keep later changes from losing ground on text the rules were not written
    from."""
    rows = read_rows(path)
    assert len(rows) == n
    for r in rows:
        for uid in (r.lead, *r.co):
            directory.unit(uid)
    s = score(directory, rows)
    print(f"\n{path.stem}: lead {s.lead:.3f}, co-unit recall {s.co_recall:.3f}, "
          f"exact {s.co_exact:.3f}")
    assert s.lead >= lead
    assert s.co_recall >= recall
    assert s.co_exact >= exact
