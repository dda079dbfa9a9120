"""``analyze_records`` and the commands: yuqing analyze, classify evaluate, train."""

from __future__ import annotations

import csv
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from classifier.analyze import RecordError, analyze_records
from classifier.model import PostClassifier, load_classifier
from classifier.text import read_handling_csv
from yuqing.cli import _register_subcommands, cli

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "config" / "yuqing.toml"
NOW = datetime(2026, 3, 2, 4, 0, tzinfo=UTC)

FIRE = "今天下午3点，七星关区碧阳街道某小区发生火灾，造成3人死亡，有知情人联系电话13812345678"
RECORDS: list[dict[str, Any]] = [
    {
        "id": "a",
        "title": "碧阳街道某小区发生火灾",
        "content": FIRE,
        "published_at": "2026-03-02T10:00",
        "source": "tieba",
        "replies": 30,
    },
    {
        "id": "b",
        "title": "转：碧阳街道某小区发生火灾",
        "content": FIRE,
        "published_at": "2026-03-02T11:00+08:00",
        "source": "forum",
        "likes": 12,
    },
    {
        "id": 3,
        "title": "请问低保怎么申请？",
        "content": "我叫张三，想咨询申请低保需要什么条件和材料？",
    },
]


@pytest.fixture(scope="module")
def model() -> PostClassifier:
    return load_classifier()


def test_analyze_records_labels_events_and_masking(model: PostClassifier) -> None:
    seen: list[tuple[Mapping[str, Any], dict[str, Any]]] = []

    def enrich(record: Mapping[str, Any], result: dict[str, Any]) -> None:
        seen.append((record, result))
        result["lead_unit"] = "test"

    out = analyze_records(RECORDS, classifier=model, now=NOW, enrich=enrich)
    assert [r["id"] for r in out] == ["a", "b", 3]
    for r in out:
        for key in (
            "id",
            "topic",
            "topic_score",
            "severity",
            "emergency_type",
            "handling",
            "evidence",
            "event_id",
            "rumour",
        ):
            assert key in r
        assert set(r["evidence"]) == {"topic", "handling", "severity", "rumour", "event"}
        assert r["lead_unit"] == "test"
    a, b, c = out
    assert a["event_id"] == b["event_id"] != c["event_id"]
    assert a["event_size"] == 2 and c["event_size"] == 1
    assert b["evidence"]["event"] and not a["evidence"]["event"]
    assert a["severity"] == "较大" and a["emergency_type"] == "事故灾难"
    assert a["event_severity"] == "较大"
    assert c["severity"] == "常规" and c["handling"] == "咨询"
    assert "13812345678" not in a["masked_excerpt"] and "138" in a["masked_excerpt"]
    assert "张三" not in c["masked_excerpt"]
    assert a["published_at"] == "2026-03-02T10:00:00+08:00"  # a naive time is Shanghai time
    assert c["published_at"] is None
    assert [rec["id"] for rec, _ in seen] == ["a", "b", 3]
    json.dumps(out, ensure_ascii=False)  # plain JSON values only


def test_an_emergency_has_no_handling_type(model: PostClassifier) -> None:
    """The poster asks the government to act; an 11-death crash is still no suggestion."""
    crash = {
        "id": "crash",
        "title": "海子街镇一客车侧翻坠入河道，已造成11人死亡",
        "content": "一辆客车侧翻坠入河道，已造成11人死亡、23人受伤。希望政府尽快公布情况！",
    }
    (out,) = analyze_records([crash], classifier=model, now=NOW)
    assert out["severity"] == "重大"
    assert out["handling"] is None and out["handling_score"] is None
    assert not out["handling_needs_review"]
    assert "突发事件" in out["evidence"]["handling"]


def test_a_lowered_major_figure_needs_verification(model: PostClassifier) -> None:
    records = [
        {"id": "debunk", "title": "网传化工厂爆炸死亡30人",
         "content": "网传朱昌镇化工厂爆炸死亡30人系谣言，经核实，事故造成3人死亡、5人受伤。"},
        {"id": "plain", "title": "两车相撞", "content": "碧阳大道两车相撞，2人受伤。"},
    ]
    debunk, plain = analyze_records(records, classifier=model, now=NOW)
    assert debunk["severity"] == "较大"  # the grade in force
    assert debunk["needs_verification"] is True
    assert debunk["candidate_severity"] == "特别重大"
    assert debunk["evidence"]["severity"]["verification"][0].startswith("帖中称已辟谣")
    assert plain["needs_verification"] is False and plain["candidate_severity"] is None
    assert "verification" not in plain["evidence"]["severity"]


@pytest.mark.parametrize(
    ("records", "message"),
    [
        ([{"title": "x", "content": "y"}], "record 1: missing id"),
        ([{"id": 1, "title": "x"}, {"id": 1, "content": "y"}], "record 2: id 1 repeats record 1"),
        ([{"id": 1, "title": "", "content": " "}], "empty title and content"),
        ([{"id": 1, "title": "x", "published_at": "yesterday"}], "record 1"),
        ([{"id": [1], "title": "x"}], "string or an integer"),
    ],
)
def test_bad_records_are_reported(
    model: PostClassifier, records: list[dict[str, Any]], message: str
) -> None:
    with pytest.raises(RecordError, match=message):
        analyze_records(records, classifier=model, now=NOW)


def _run(args: list[str], tmp_path: Path, stdin: str | None = None) -> Result:
    _register_subcommands()
    env = {"YUQING_VAR_DIR": str(tmp_path / "var")}
    return CliRunner().invoke(
        cli, ["--config", str(CONFIG), *args], input=stdin, env=env, catch_exceptions=False
    )


def test_analyze_command(tmp_path: Path) -> None:
    stdin = "\n".join(json.dumps(r, ensure_ascii=False) for r in RECORDS) + "\n\n"
    result = _run(["analyze", "--now", "2026-03-02T12:00"], tmp_path, stdin)
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert [r["id"] for r in lines] == ["a", "b", 3]
    assert lines[0]["event_id"] == lines[1]["event_id"]
    bad = _run(["analyze"], tmp_path, '{"id": 1, "title": "x"}\nnot json\n')
    assert bad.exit_code == 2 and "line 2: not JSON" in bad.output


def _write(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


def _topic_of(content: str) -> str:
    # labels for the mechanics only: which kind of place the post names
    return "城乡建设" if "街道" in content else "交通运输" if "镇" in content else "教育文体"


DOMAIN = {"城乡建设": "城建", "交通运输": "交通", "教育文体": "教育"}


def _data_dir(tmp_path: Path) -> Path:
    """A small data folder in both formats, built from the hand-written handling set."""
    rows = read_handling_csv(ROOT / "tests" / "data" / "handling_train.csv")
    data = tmp_path / "data"
    tip = [
        [
            f"t{i}",
            _topic_of(r.post.content),
            r.post.title,
            "2019/1/1 10:00:00",
            r.post.title + r.post.content,
        ]
        for i, r in enumerate(rows[:200])
    ]
    _write(data / "tipdm2020c/train.csv", ["id", "label", "title", "posted_at", "text"], tip[:150])
    _write(data / "tipdm2020c/test.csv", ["id", "label", "title", "posted_at", "text"], tip[150:])
    threads = [
        [
            str(i),
            "585",
            "board",
            r.post.title,
            r.label,
            DOMAIN[_topic_of(r.post.content)],
            "已办理",
            f"2022-{3 if i < 130 else 10:02d}-01 10:00",
            r.post.content,
            "0",
            "",
            "",
            "",
            "",
        ]
        for i, r in enumerate(rows[200:])
    ]
    header = [
        "tid",
        "fid",
        "forum_name",
        "subject",
        "type_name",
        "domain_name",
        "state",
        "created_at",
        "content",
        "fav_num",
        "reply_content",
        "reply_epoch",
        "reply_organization",
        "last_answer_at",
    ]
    _write(data / "people_liuyan_guizhou/threads.csv", header, threads)
    return data


def test_evaluate_command_json_and_table(tmp_path: Path) -> None:
    data = _data_dir(tmp_path)
    result = _run(
        ["classify", "evaluate", "--data", str(data / "tipdm2020c/test.csv"), "--json"], tmp_path
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["n"] == 50 and 0 <= payload["macro_f1"] <= 1 and 0 <= payload["accuracy"] <= 1
    assert payload["task"] == "topic" and payload["confusion"]
    threads = data / "people_liuyan_guizhou/threads.csv"
    result = _run(["classify", "evaluate", "--data", str(threads), "--task", "handling"], tmp_path)
    assert result.exit_code == 0, result.output
    assert "macro-F1" in result.output and "threads created from 2022-09-01" in result.output
    assert "n 120" in result.output  # only the evaluation part of the threads
    result = _run(
        ["classify", "evaluate", "--data", str(data / "tipdm2020c/test.csv"), "--task", "handling"],
        tmp_path,
    )
    assert result.exit_code == 2 and "topic labels only" in result.output


def test_train_writes_a_model_and_guards_the_active_one(tmp_path: Path) -> None:
    data = _data_dir(tmp_path)
    out = tmp_path / "model"
    result = _run(["train", "--data-dir", str(data), "--out", str(out)], tmp_path)
    assert result.exit_code == 0, result.output
    meta = json.loads((out / "metadata.json").read_text(encoding="utf-8"))
    assert meta["version"].startswith("clf-")
    assert meta["training_data"]["rows"] == {"topic": 150 + 130, "handling": 130 + 450}
    assert set(meta["metrics"]["evaluation"]) == {
        "tipdm_test",
        "threads_eval_topic",
        "threads_eval_handling",
    }
    model = load_classifier(out)
    assert model.version == meta["version"]

    # corrections that teach nonsense: questions "corrected" to 建言, 街道 posts to 交通运输
    from sqlalchemy import create_engine
    from sqlalchemy.orm import Session

    from storage import models
    from storage.enums import ReviewStatus
    from storage.models import Base

    (tmp_path / "var").mkdir(exist_ok=True)
    engine = create_engine(f"sqlite:///{tmp_path / 'var' / 'yuqing.db'}")
    Base.metadata.create_all(engine)
    rows = read_handling_csv(ROOT / "tests" / "data" / "handling_train.csv")
    wrong = [(r, "handling", "建言") for r in rows if r.label == "咨询"]
    wrong += [(r, "topic", "交通运输") for r in rows if _topic_of(r.post.content) == "城乡建设"]
    with Session(engine) as session:
        session.add(models.Source(id="s", name="s", spider="gov_board", url="http://127.0.0.1/"))
        for i, (r, kind, label) in enumerate(wrong):
            post = models.Post(
                source_id="s",
                external_id=str(i),
                url="http://127.0.0.1/",
                title=r.post.title,
                content=r.post.content,
                first_seen_at=NOW,
                last_seen_at=NOW,
                content_hash=str(i),
            )
            session.add(post)
            session.flush()
            session.add(
                models.Classification(
                    post_id=post.id,
                    kind=kind,
                    label=label,
                    score=1.0,
                    model_version="x",
                    status=ReviewStatus.CORRECTED,
                    created_at=NOW,
                )
            )
        session.commit()
    engine.dispose()
    before = (out / "metadata.json").read_bytes()
    result = _run(
        ["train", "--data-dir", str(data), "--out", str(out), "--include-corrections"], tmp_path
    )
    assert result.exit_code == 1, result.output
    n_topic = sum(kind == "topic" for _, kind, _ in wrong)
    assert f"corrections: {n_topic} topic, {len(wrong) - n_topic} handling" in result.output
    assert "tipdm_test: new macro-F1" in result.output and ", active " in result.output
    assert "the active model is kept" in result.output
    assert (out / "metadata.json").read_bytes() == before
