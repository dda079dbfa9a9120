"""The guarded retraining loop: a worse model is refused, rollback works, runs are idempotent,
and the digest's appendix says what changed.

Models are trained for real on a small data folder built from the hand-written handling set
(the same folder the ``yuqing train`` tests use); the database is a real SQLite file.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session, sessionmaker

from classifier.model import ModelError, active_model_dir, load_classifier
from classifier.registry import Registry
from classifier.retrain import Correction, RetrainPolicy, decide, retrain, split_holdout
from classifier.text import read_handling_csv
from classifier.types import PostText
from domain.settings import Settings
from storage import models
from storage.enums import ReviewStatus
from storage.models import Base
from tests.classifier.test_analyze_cli import ROOT, _data_dir, _run, _topic_of
from yuqing.digest.model_changes import model_changes
from yuqing.retraining import run_retraining

T0 = datetime(2026, 3, 1, 19, 0, tzinfo=UTC)  # a Sunday night, 03:00 in Asia/Shanghai
POLICY = RetrainPolicy(holdout=0.2, min_holdout=5, tolerance=0.01)


def _nonsense() -> list[Correction]:
    """Corrections that teach nonsense: questions "corrected" to 建言, 街道 posts to 交通运输."""
    rows = read_handling_csv(ROOT / "tests" / "data" / "handling_train.csv")
    out = [
        Correction("handling", r.post, "建言", T0 - timedelta(hours=i), f"h{i}")
        for i, r in enumerate(rows)
        if r.label == "咨询"
    ]
    out += [
        Correction("topic", r.post, "交通运输", T0 - timedelta(hours=i), f"t{i}")
        for i, r in enumerate(rows)
        if _topic_of(r.post.content) == "城乡建设"
    ]
    return out


def test_decide_refuses_a_model_worse_beyond_the_tolerance() -> None:
    old = {"tipdm_test": 0.90, "threads_eval_topic": 0.75}
    assert decide({"tipdm_test": 0.895, "threads_eval_topic": 0.80}, old, 0.01) == (True, [])
    ok, reasons = decide({"tipdm_test": 0.87, "threads_eval_topic": 0.80}, old, 0.01)
    assert not ok and reasons == ["tipdm_test: 0.870 < active 0.900"]
    # a split the active model was never scored on cannot block
    assert decide({"corrections_topic": 0.1}, old, 0.0) == (True, [])


def test_the_newest_corrections_are_held_out() -> None:
    rows = [
        Correction("topic", PostText(f"t{i}", ""), "交通运输", T0 + timedelta(minutes=i), str(i))
        for i in range(50)
    ]
    train, held = split_holdout(list(reversed(rows)), RetrainPolicy(holdout=0.1, min_holdout=20))
    assert [e.post.title for e in held["topic"]] == [f"t{i}" for i in range(30, 50)]
    assert len(train["topic"]) == 30 and held["handling"] == train["handling"] == []
    few = split_holdout(rows[:10], RetrainPolicy(holdout=0.2, min_holdout=20))
    assert len(few[1]["topic"]) == 2  # fewer than twice the minimum: the share alone


def test_worse_model_refused_idempotent_and_rollback(tmp_path: Path, settings: Settings) -> None:
    data = _data_dir(tmp_path)
    registry = Registry(tmp_path / "var" / "models")

    first = retrain(registry, data, [], T0, policy=POLICY)
    # the shipped model knows nothing of the small folder's made-up labels: the first is better
    assert first.status == "activated", first.reasons
    assert registry.active() == first.candidate
    assert active_model_dir(tmp_path / "var") == registry.path(first.candidate)

    again = retrain(registry, data, [], T0 + timedelta(days=7), policy=POLICY)
    assert again.status == "unchanged" and again.candidate is None
    assert [v.name for v in registry.versions()] == [first.candidate]
    assert len(registry.runs()) == 1

    worse = retrain(registry, data, _nonsense(), T0 + timedelta(days=14), policy=POLICY)
    assert worse.status == "refused", worse.scores
    assert any(r.startswith(("tipdm_test", "threads_eval")) for r in worse.reasons)
    assert worse.previous == first.candidate
    assert registry.active() == first.candidate  # the active model is kept
    kept = {v.name: v for v in registry.versions()}
    assert set(kept) == {first.candidate, worse.candidate} and kept[first.candidate].active
    assert kept[worse.candidate].corrections["handling"] > 0
    # the same corrections again: nothing is trained twice
    assert retrain(registry, data, _nonsense(), T0 + timedelta(days=21), policy=POLICY).status == (
        "unchanged"
    )

    # a person activates the refused version anyway, then rolls back with one command
    assert worse.candidate is not None and first.candidate is not None
    registry.activate(worse.candidate, now=T0 + timedelta(days=15), reason="by hand")
    result = _run(["classify", "activate", first.candidate], tmp_path)
    assert result.exit_code == 0, result.output
    assert f"active model: {first.candidate} (was {worse.candidate})" in result.output
    assert load_classifier(active_model_dir(tmp_path / "var")).version == first.candidate
    listing = _run(["classify", "models", "--json"], tmp_path)
    rows = [json.loads(line) for line in listing.output.splitlines()]
    assert [r["active"] for r in rows if r["version"] == first.candidate] == [True]
    assert {"tipdm_test", "threads_eval_topic"} <= set(rows[0]["scores"])
    _service_switches_without_restart(
        settings.model_copy(update={"var_dir": tmp_path / "var"}), registry, worse.candidate
    )
    bad = _run(["classify", "activate", "no-such-version"], tmp_path)
    assert bad.exit_code == 2 and "no model version" in bad.output
    with pytest.raises(ModelError):
        registry.path("../escape")

    # what changed, for the digest's appendix
    changes = model_changes(tmp_path / "var", T0 - timedelta(days=1), T0 + timedelta(days=30))
    assert [c.what for c in changes] == [
        "启用新模型",
        "未启用新模型（比现用模型差）",
        "人工切换模型",
    ]
    assert changes[1].version == worse.candidate and changes[1].previous == first.candidate
    assert any(line.startswith("TipDM 测试集（领域）") for line in changes[1].detail)
    assert model_changes(tmp_path / "var", T0 + timedelta(days=40), T0 + timedelta(days=47)) == []
    from zoneinfo import ZoneInfo

    from yuqing.templating import html_environment, text_environment

    ctx = {"model_changes": changes, "tz": ZoneInfo("Asia/Shanghai")}
    text = text_environment().get_template("digest/model_changes.txt").render(ctx)
    assert "附：模型更新" in text and f"03-02 03:00 启用新模型：{first.candidate}" in text
    html = html_environment().get_template("digest/model_changes.html").render(ctx)
    assert 'id="model-changes"' in html and html.count("<li>") == 3
    empty = {"model_changes": [], "tz": ZoneInfo("Asia/Shanghai")}
    assert text_environment().get_template("digest/model_changes.txt").render(empty) == ""

    # with a registry in use, `yuqing train` adds its model there and activates it
    trained = _run(["train", "--data-dir", str(data)], tmp_path)
    assert trained.exit_code == 0, trained.output
    assert registry.active() not in (first.candidate, worse.candidate)
    assert len(registry.versions()) == 3


def _service_switches_without_restart(
    settings: Settings, registry: Registry, other: str
) -> None:
    """The service's analysis job uses the active version, and a version activated while it
    runs is used by its next run."""
    from yuqing import jobs
    from yuqing.bootstrap import App, init_database
    from yuqing.runtime import Runtime, install, uninstall

    active = registry.active()
    assert active is not None and active != other
    app = App.open(settings)
    try:
        init_database(app)
        rt = Runtime(app)
        install(rt)
        try:
            jobs.analyze_pending(wait=True)
            assert rt.analyzer.models.classifier.version == active
            first = rt.analyzer
            jobs.analyze_pending(wait=True)
            assert rt.analyzer is first  # nothing changed: nothing rebuilt
            registry.activate(other, now=T0 + timedelta(days=31), reason="by hand")
            jobs.analyze_pending(wait=True)
            assert rt.analyzer.models.classifier.version == other
            registry.activate(active, now=T0 + timedelta(days=31), reason="by hand")
            jobs.analyze_pending(wait=True)
            assert rt.analyzer.models.classifier.version == active
        finally:
            uninstall()
    finally:
        app.close()


def test_run_retraining_reads_corrections_from_the_database(
    tmp_path: Path, settings: Settings
) -> None:
    data = _data_dir(tmp_path)
    settings = settings.model_copy(
        update={"classifier": settings.classifier.model_copy(update={"training_data": str(data)})}
    )
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    engine = create_engine(f"sqlite:///{tmp_path / 'corr.db'}")
    Base.metadata.create_all(engine)
    sessions = sessionmaker(engine)
    rows = read_handling_csv(ROOT / "tests" / "data" / "handling_train.csv")[:30]
    with Session(engine) as session:
        session.add(models.Source(id="s", name="s", spider="gov_board", url="http://127.0.0.1/"))
        for i, r in enumerate(rows):
            post = models.Post(
                source_id="s",
                external_id=str(i),
                url="http://127.0.0.1/",
                title=r.post.title,
                content=r.post.content,
                first_seen_at=T0,
                last_seen_at=T0,
                content_hash=str(i),
            )
            session.add(post)
            session.flush()
            for status, label in ((ReviewStatus.MACHINE, "建言"), (ReviewStatus.CORRECTED, r.label)):
                session.add(
                    models.Classification(
                        post_id=post.id,
                        kind="handling",
                        label=label,
                        score=1.0,
                        model_version="x",
                        status=status,
                        created_at=T0,
                        reviewed_at=T0 + timedelta(minutes=i),
                    )
                )
        session.commit()
    result = run_retraining(settings, sessions, T0)
    assert result.corrections["handling"] == {"train": 24, "held_out": 6}
    assert result.corrections["topic"] == {"train": 0, "held_out": 0}
    assert "corrections_handling" in result.scores
    assert run_retraining(settings, sessions, T0 + timedelta(days=7)).status == "unchanged"
    engine.dispose()


def test_the_retraining_job_is_scheduled_weekly_and_can_be_turned_off(settings: Settings) -> None:
    from yuqing.scheduler import job_specs

    (spec,) = [s for s in job_specs(settings) if s.id == "retrain_models"]
    assert spec.func == "yuqing.jobs:retrain_models"
    assert "day_of_week='sun'" in str(spec.trigger) and "hour='3'" in str(spec.trigger)
    off = settings.model_copy(
        update={"classifier": settings.classifier.model_copy(update={"retrain": False})}
    )
    assert "retrain_models" not in {s.id for s in job_specs(off)}
