"""Severity on the labelled sets in tests/data (own writing, see the note column) and on real
citizen posts, with the figures of ``bench/severity_eval.py``.

The rules are tuned on severity_dev.csv. severity_holdout.csv (written before the per-kind
rules) and severity_test.csv were held out in the first round; their misses were then studied
class by class, so they are development data too and their figures are pinned like the dev set's.
None of them measures unseen text: a blind set written by someone else does
(``python -m bench.severity_eval --file``). Missing a real 特别重大 / 重大 event is the costliest
error, so the pinned figures are on that class: a major counts as caught when it is graded 重大
or above or flagged with ``candidate_level`` 重大 or above (待核实). Run with ``-s`` to see the
figures.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from bench.severity_eval import labelled_rows, ordinary_posts, score_labelled, score_ordinary
from classifier.severity import RANK
from tests.localities import sample_assess as assess  # the posts name the 七星关区 sample's places

TYPES = {"自然灾害", "事故灾难", "公共卫生事件", "社会安全事件"}


@pytest.mark.parametrize(("name", "at_least"), [("dev", 900), ("holdout", 150), ("test", 170)])
def test_sets_are_well_formed(name: str, at_least: int) -> None:
    rows = labelled_rows(name)
    assert len(rows) >= at_least
    assert len({r["id"] for r in rows}) == len(rows)
    levels = Counter(r["level"] for r in rows)
    assert set(levels) == set(RANK)  # every level present
    for row in rows:
        assert row["title"] and row["content"]
        if row["level"] == "常规":
            assert row["emergency_type"] == ""
        else:
            assert row["emergency_type"] in TYPES
    assert {r["emergency_type"] for r in rows} - {""} == TYPES
    assert sum("hard negative" in r["note"] for r in rows) >= 30


def test_held_out_posts_are_not_in_the_development_set() -> None:
    dev = {r["content"] for r in labelled_rows("dev")}
    for name in ("holdout", "test"):
        assert not dev & {r["content"] for r in labelled_rows(name)}


def test_dev_set_figures() -> None:
    figures, misses = score_labelled(labelled_rows("dev"), lambda t, c: assess(t, c))
    print("\nseverity dev set:", {k: round(v, 3) for k, v in figures.items()})
    # 1031 posts, 263 majors: every major caught, 2 wrong levels (D561, D619)
    assert figures["major_recall"] == 1.0, [m.id for m in misses]
    assert figures["nonmajor_graded_major"] == 0.0
    assert figures["emergency_graded_routine"] <= 0.005
    assert figures["routine_graded_major"] == 0.0
    assert figures["level_accuracy"] >= 0.995, [m.id for m in misses]
    assert figures["type_accuracy"] >= 0.98


@pytest.mark.parametrize(
    ("name", "recall", "level_accuracy"), [("holdout", 1.0, 0.985), ("test", 0.975, 0.94)]
)
def test_former_held_out_set_figures(name: str, recall: float, level_accuracy: float) -> None:
    """Seen since the second round. Most of the test set's remaining differences are labels
    older than the per-kind tables (``--errors`` lists them); the one major it misses, T150, is a
    reading the rules decline: "12名学生被烧伤，其中3人伤势严重" is 3 重伤 under the 条例, not 12.
    T157 (a forest fire that moved 1.3万 people) is caught as a candidate: the forest-fire plan
    grades no people moved. H084 (转移沿河群众) is graded again since a county's bare short name
    counts as elsewhere only where it stands as a place.
    """
    figures, misses = score_labelled(labelled_rows(name), lambda t, c: assess(t, c))
    print(f"\nseverity {name} set:", {k: round(v, 3) for k, v in figures.items()})
    assert figures["major_recall"] >= recall, [m.id for m in misses]
    assert figures["routine_graded_major"] == 0.0
    assert figures["level_accuracy"] >= level_accuracy, [m.id for m in misses]


def test_real_complaints_are_rarely_emergencies(shared_dir: Path) -> None:
    """Ordinary citizen messages (the TipDM training split, the early 人民网 threads)."""
    sets = ordinary_posts(shared_dir / "data")
    for name in ("tipdm_train", "threads_early"):
        figures, _ = score_ordinary(sets[name], lambda t, c: assess(t, c))
        print(f"\n{name}:", {k: round(v, 4) for k, v in figures.items()})
        assert figures["graded_major"] <= 0.002
        assert figures["candidate_major"] <= 0.01
        assert figures["graded_emergency"] <= 0.02


def test_second_blind_set_figures() -> None:
    """severity_blind2.csv was written by someone who never saw the rules; scored blind at major
    recall 0.838 (0.757 graded), it is development data since (its misses were studied by
    class). Pinned so that no later change loses what was won on it; the rows its writer read
    otherwise than ``config/grading.toml`` are not chased."""
    figures, misses = score_labelled(labelled_rows("blind2"), lambda t, c: assess(t, c))
    print("\nseverity blind2 set:", {k: round(v, 3) for k, v in figures.items()})
    assert figures["major_recall"] >= 0.985, [m.id for m in misses]
    assert figures["major_recall_graded"] >= 0.969
    assert figures["nonmajor_graded_major"] <= 0.005
    assert figures["emergency_graded_routine"] <= 0.051
    assert figures["routine_graded_major"] <= 0.03  # debunked claims fall since the fourth round
    assert figures["level_accuracy"] >= 0.93


def test_third_blind_set_figures() -> None:
    """severity_blind3.csv, written blind like the second: scored at major recall 0.833 (0.818
    graded) before its misses were studied by class (crowds counted as people count them, the
    ill told loosely, bodies fished out, building fires, counts in dialect). Seen since; pinned
    so that no later change loses what was won on it."""
    figures, misses = score_labelled(labelled_rows("blind3"), lambda t, c: assess(t, c))
    print("\nseverity blind3 set:", {k: round(v, 3) for k, v in figures.items()})
    assert figures["major_recall"] >= 0.98, [m.id for m in misses]
    assert figures["major_recall_graded"] >= 0.969
    assert figures["nonmajor_graded_major"] == 0.0
    assert figures["emergency_graded_routine"] <= 0.06
    assert figures["routine_graded_major"] <= 0.016
    assert figures["level_accuracy"] >= 0.915


def test_fourth_blind_set_figures() -> None:
    """severity_blind4.csv, written blind like the others: scored once at major recall 0.754
    (0.754 graded), emergencies graded 常规 0.084, 常规 graded 重大+ 0.056, before its misses were
    studied by class (deaths told as 走了 / 牺牲 / 没挺过来, losses in 个亿 or far from the fire
    word, crowds estimated later, the ill counted as a total or at two hospitals, events abroad
    or only felt here, forwarded claims called false, scare quotes and similes). Seen since;
    pinned so that no later change loses what was won on it."""
    figures, misses = score_labelled(labelled_rows("blind4"), lambda t, c: assess(t, c))
    print("\nseverity blind4 set:", {k: round(v, 3) for k, v in figures.items()})
    assert figures["major_recall"] >= 0.98, [m.id for m in misses]
    assert figures["nonmajor_graded_major"] == 0.0
    assert figures["emergency_graded_routine"] <= 0.03
    assert figures["routine_graded_major"] == 0.0
    assert figures["level_accuracy"] >= 0.95


def test_set_written_for_the_fourth_round() -> None:
    """severity_written.csv: posts written for the fourth round, in other words than blind4's,
    to test each class fixed there, in batches; each batch after the first was scored once
    before the changes it prompted (majors caught 12/15, 3/6, 3/5, 1/1, 5/6, 0/1) and its misses were then
    fixed by class. Development data."""
    rows = labelled_rows("written")
    assert len({r["id"] for r in rows}) == len(rows) >= 60
    assert all(r["level"] in RANK and r["content"] for r in rows)
    figures, misses = score_labelled(rows, lambda t, c: assess(t, c))
    print("\nseverity written set:", {k: round(v, 3) for k, v in figures.items()})
    # W120 (people "压了…在里面") and W140 (a count and its verb in different clauses) are the
    # majors still missed
    assert figures["major_recall"] >= 0.96, [m.id for m in misses]
    assert figures["nonmajor_graded_major"] == 0.0
    assert figures["routine_graded_major"] == 0.0
    assert figures["level_accuracy"] >= 0.95


def test_fifth_blind_set_scored_unseen() -> None:
    """severity_blind5.csv, written blind like the others after the rules that studied blind4,
    scored once and never studied: major recall 0.975 (0.975 graded), non-major graded 重大+
    0.000, emergencies graded 常规 0.016, 常规 graded 重大+ 0.000, level accuracy 0.979. (The
    rules before blind4 was studied scored 0.975, 0.000, 0.023, 0.017 and 0.968 on it: a set
    less hard than blind4.) The floors keep what unseen text showed."""
    figures, misses = score_labelled(labelled_rows("blind5"), lambda t, c: assess(t, c))
    print("\nseverity blind5 set:", {k: round(v, 3) for k, v in figures.items()})
    assert figures["major_recall"] >= 0.97, [m.id for m in misses]
    assert figures["nonmajor_graded_major"] <= 0.03
    assert figures["emergency_graded_routine"] <= 0.05
    assert figures["routine_graded_major"] <= 0.02


def test_sixth_blind_set_figures() -> None:
    """severity_blind6.csv, written blind by another outsider: scored once unseen at major
    recall 0.797 (0.772 graded), non-major graded 重大+ 0.018, emergencies graded 常规 0.104,
    常规 graded 重大+ 0.054, level accuracy 0.832, before its misses were studied by class
    (incidents days ago asked about, people moved from a named threat, burned areas and losses as
    written, crowds counted loosely, poisoning counts, claims called false, monthly statistics,
    questions about the reporting rule). Seen since; pinned so that no later change loses what
    was won on it; then people still down or still buried (B6-089, B6-094) and the fallen
    totalled by role (B6-039). Still missed: group fights the writer raised as violence (B6-099,
    B6-104) where the other sets do not, and two fires told with "那场" and no day, which are
    flagged 待核实 (B6-035, B6-049)."""
    figures, misses = score_labelled(labelled_rows("blind6"), lambda t, c: assess(t, c))
    print("\nseverity blind6 set:", {k: round(v, 3) for k, v in figures.items()})
    assert figures["major_recall"] >= 0.98, [m.id for m in misses]
    assert figures["major_recall_graded"] >= 0.96
    assert figures["nonmajor_graded_major"] == 0.0
    assert figures["emergency_graded_routine"] <= 0.02
    assert figures["routine_graded_major"] == 0.0
    assert figures["level_accuracy"] >= 0.975


def test_seventh_blind_set_figures() -> None:
    """severity_blind7.csv, written blind by a third outsider: scored once unseen at major
    recall 0.762 (0.762 graded), non-major graded 重大+ 0.000, emergencies graded 常规 0.126,
    常规 graded 重大+ 0.036, level accuracy 0.821. Two classes of its misses were studied since:
    crowds told by where they went or sat (涌到, 坐在国道上, 在区政府门口) and crowds that want
    说法; slopes about to come down (裂了, 掉石头, 在往下滑, 松土) with the people to be moved told
    plainly (要搬, 在搬). Its other misses are left for the next round: burned areas in 亩,
    losses and trapped miners told in new words, deaths told as not having got out, an
    accident years ago asked about, a film shoot."""
    figures, misses = score_labelled(labelled_rows("blind7"), lambda t, c: assess(t, c))
    print("\nseverity blind7 set:", {k: round(v, 3) for k, v in figures.items()})
    assert figures["major_recall"] >= 0.835, [m.id for m in misses]
    assert figures["nonmajor_graded_major"] == 0.0
    assert figures["emergency_graded_routine"] <= 0.075
    assert figures["routine_graded_major"] <= 0.04
    assert figures["level_accuracy"] >= 0.87
