"""Follow-ups join their incident's event; near misses stay apart (tests/data/event_pairs.csv).

The pairs were written for this project in the ways people write on the boards: a first report
and, hours later and often on another board, an update in other words ("死亡人数升至11人",
"续报", "又有1人不治", a town named where the first post named a village); and near misses
that must stay two events — the same kind of incident in two villages, towns, roads or
communities the same evening, two kinds of incident at one place, "又发生一起", an update about
another place, a second incident days later. Each pair goes through ``yuqing analyze``'s own
pipeline with the sample jurisdiction, as one batch of two posts.
"""

from __future__ import annotations

import csv
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from domain.settings import Settings
from response_sla.configured import from_settings
from yuqing.pipeline import Models, analyze_records

PAIRS = Path(__file__).resolve().parents[1] / "data" / "event_pairs.csv"
T0 = datetime(2026, 7, 14, 11, 0, tzinfo=UTC)  # 19:00 in 七星关区


def pairs() -> list[dict[str, str]]:
    with PAIRS.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_the_pairs_are_well_formed() -> None:
    rows = pairs()
    assert len({r["id"] for r in rows}) == len(rows)
    counts = Counter(r["expect"] for r in rows)
    assert counts["same"] >= 60 and counts["apart"] >= 30
    assert set(counts) == {"same", "apart"}
    same = [r for r in rows if r["expect"] == "same"]
    # other boards and hours apart, as follow-ups come
    assert sum(r["first_source"] != r["second_source"] for r in same) == len(same)
    assert sum(float(r["hours_apart"]) >= 3 for r in same) >= 30


@pytest.fixture(scope="module")
def grouped(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[bool, list[Any]]]:
    from domain.settings import load_settings
    from tests.conftest import SAMPLE_CONFIG

    var = tmp_path_factory.mktemp("var")
    settings: Settings = load_settings(SAMPLE_CONFIG, environ={"YUQING_VAR_DIR": str(var)})
    models = Models.from_settings(settings)
    sla = from_settings(settings)
    out: dict[str, tuple[bool, list[Any]]] = {}
    for r in pairs():
        second_at = T0 + timedelta(hours=float(r["hours_apart"]))
        records = [
            {"id": "first", "title": r["first_title"], "content": r["first_content"],
             "source": r["first_source"], "published_at": T0.isoformat()},
            {"id": "second", "title": r["second_title"], "content": r["second_content"],
             "source": r["second_source"], "published_at": second_at.isoformat()},
        ]
        first, second = analyze_records(records, models, sla, second_at)
        out[r["id"]] = (first["event_id"] == second["event_id"], second["evidence"]["event"])
    return out


def test_every_follow_up_joins_its_event(grouped: dict[str, tuple[bool, list[Any]]]) -> None:
    follow_ups = [r["id"] for r in pairs() if r["expect"] == "same"]
    missed = [i for i in follow_ups if not grouped[i][0]]
    print(f"\nfollow-ups grouped: {len(follow_ups) - len(missed)}/{len(follow_ups)}")
    assert missed == []


def test_no_near_miss_is_merged(grouped: dict[str, tuple[bool, list[Any]]]) -> None:
    near = [r["id"] for r in pairs() if r["expect"] == "apart"]
    merged = {i: grouped[i][1] for i in near if grouped[i][0]}
    print(f"\nnear misses kept apart: {len(near) - len(merged)}/{len(near)}")
    assert merged == {}


def test_an_update_in_other_words_names_its_rule(
    grouped: dict[str, tuple[bool, list[Any]]],
) -> None:
    """Some follow-ups share no emergency word with their first report: the update rule."""
    updates = [i for i, (same, why) in grouped.items() if same and why[0].startswith("update (")]
    assert len(updates) >= 10
