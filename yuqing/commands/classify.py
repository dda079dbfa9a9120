"""``yuqing train``, ``yuqing classify evaluate`` and ``yuqing analyze``."""

from __future__ import annotations

import json
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

import click

from yuqing.cli import Context, fail, pass_ctx

if TYPE_CHECKING:
    from classifier.model import PostClassifier
    from domain.settings import Settings

REPO_ROOT = Path(__file__).resolve().parents[2]


def register(cli: click.Group) -> None:
    cli.add_command(train)
    cli.add_command(classify_group)
    cli.add_command(analyze)


def default_data_dir() -> Path:
    """``$YUQING_SHARED_DIR/data``, else ``../shared/data`` beside the repository."""
    shared = os.environ.get("YUQING_SHARED_DIR")
    return (Path(shared) if shared else REPO_ROOT.parent / "shared") / "data"


def _train_target(settings: Settings) -> Path:
    """Where ``yuqing train`` writes by default: the active model, ``<var_dir>/model``."""
    from classifier.model import ACTIVE_DIR

    return settings.var_dir / ACTIVE_DIR


def _load(model_dir: Path | None, settings: Settings | None) -> PostClassifier:
    """The given model, else the active model when there is one, else the shipped default."""
    from classifier.model import ModelError, active_model_dir, load_classifier

    words: list[str] = []
    if settings is not None:
        from response_sla.directory import Directory

        words = Directory.from_jurisdiction(settings.jurisdiction).words()
        if model_dir is None:
            model_dir = active_model_dir(settings.var_dir)
    try:
        return load_classifier(model_dir, user_words=words)
    except ModelError as exc:
        fail(str(exc), 2)


def _settings_or_none(ctx: Context) -> Settings | None:
    return ctx.settings if ctx.config.is_file() else None


model_option = click.option(
    "--model",
    "model_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Model directory [default: the active model, else the shipped one].",
)


@click.command("train")
@click.option(
    "--data-dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Folder with tipdm2020c/ and people_liuyan_guizhou/ [default: ../shared/data].",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Model directory to write [default: <var_dir>/model, the active model].",
)
@click.option(
    "--include-corrections",
    is_flag=True,
    help="Also train on labels people corrected; keep the old model if the new one scores worse.",
)
@click.option("--seed", type=int, default=0, show_default=True)
@pass_ctx
def train(
    ctx: Context, data_dir: Path | None, out: Path | None, include_corrections: bool, seed: int
) -> None:
    """Train the topic and handling models and write a model directory with its metadata."""
    from classifier.model import DEFAULT_MODEL_DIR, ModelError, load_classifier, save_model
    from classifier.train import (
        build,
        compare,
        corrections_from_db,
        evaluate_splits,
        load_training_data,
    )

    data_dir = data_dir or default_data_dir()
    settings = _settings_or_none(ctx)
    registry_out: Any = None
    if out is None:
        if settings is None:
            fail("give --out DIR (no configuration file to find var_dir in)", 2)
        out = _train_target(settings)
        from classifier.registry import Registry

        registry = Registry.of(settings.var_dir)
        if registry.active() is not None:
            # the registry's active version is what the service reads: the new model joins it
            registry_out = registry
    corrections = None
    if include_corrections:
        if settings is None:
            fail("--include-corrections needs the configuration (database URL)", 2)
        from yuqing.bootstrap import App

        app = App.open(settings)
        try:
            with app.sessions() as session:
                corrections = corrections_from_db(session)
        finally:
            app.close()
        click.echo(
            f"corrections: {len(corrections['topic'])} topic, {len(corrections['handling'])} handling"
        )
    try:
        data = load_training_data(data_dir, corrections=corrections)
    except FileNotFoundError as exc:
        fail(f"{exc}; pass --data-dir", 2)
    rows = data.describe()["rows"]
    click.echo(
        f"training on {rows['topic']} topic and {rows['handling']} handling rows from {data_dir}"
    )
    classifier = build(data, now=datetime.now(UTC), seed=seed)
    new_scores = classifier.metadata["metrics"]["evaluation"]
    cv = classifier.metadata["metrics"]["cross_validation_macro_f1"]
    click.echo(f"cross-validated macro-F1 on the training rows: {json.dumps(cv)}")

    if include_corrections:
        active = out if (out / "metadata.json").is_file() else DEFAULT_MODEL_DIR
        if registry_out is not None:
            active = registry_out.active_dir() or active
        try:
            old = load_classifier(active)
            old_scores = evaluate_splits(old, data)
        except ModelError as exc:
            click.echo(f"active model unusable ({exc}); it will be replaced")
            old_scores = {}
        for split in new_scores:
            before = old_scores.get(split, {}).get("macro_f1")
            click.echo(
                f"{split}: new macro-F1 {new_scores[split]['macro_f1']:.4f}"
                + (f", active {before:.4f}" if before is not None else "")
            )
        worse = compare(new_scores, old_scores)
        if worse:
            fail(
                f"the new model scores worse than the active model ({active}) on "
                f"{', '.join(worse)}; the active model is kept",
                1,
            )
    else:
        for split, m in new_scores.items():
            click.echo(
                f"{split}: macro-F1 {m['macro_f1']:.4f}, accuracy {m['accuracy']:.4f}, n {m['n']}"
            )
    if registry_out is not None:
        name = registry_out.add(classifier.models, classifier.metadata)
        registry_out.activate(name, now=datetime.now(UTC), reason="yuqing train")
        click.echo(f"model {name} kept in {registry_out.root} and activated")
        return
    save_model(out, classifier.models, classifier.metadata)
    click.echo(f"model {classifier.version} written to {out}")


@click.group("classify")
def classify_group() -> None:
    """Topic and handling-type models; the duty officers' 待核实 answers for the severity rules."""


@classify_group.command("evaluate")
@click.option(
    "--data",
    "data",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    required=True,
    help="A TipDM-format CSV (topic) or 人民网 threads.csv.",
)
@click.option(
    "--task", type=click.Choice(["topic", "handling"]), default="topic", show_default=True
)
@model_option
@click.option(
    "--since",
    default=None,
    help="Threads only: created on or after this date [default: 2022-09-01, the evaluation split].",
)
@click.option(
    "--all-dates", is_flag=True, help="Threads only: every thread, training part included."
)
@click.option("--json", "as_json", is_flag=True, help="One JSON object instead of a table.")
@pass_ctx
def evaluate(
    ctx: Context,
    data: Path,
    task: str,
    model_dir: Path | None,
    since: str | None,
    all_dates: bool,
    as_json: bool,
) -> None:
    """Per-class metrics, macro-F1 and the confusion matrix of a model on labelled data."""
    from classifier.evaluate import score
    from classifier.text import (
        THREADS_EVAL_FROM,
        DataFormatError,
        read_threads,
        read_tipdm,
        sniff_format,
    )

    try:
        fmt = sniff_format(data)
    except DataFormatError as exc:
        fail(str(exc), 2)
    if fmt == "tipdm":
        if task != "topic":
            fail(f"{data}: the TipDM format has topic labels only", 2)
        examples = read_tipdm(data)
        scope = "all rows"
    else:
        start = None if all_dates else (since or THREADS_EVAL_FROM)
        examples = read_threads(data, task=task, since=start)
        scope = f"threads created from {start}" if start else "all threads"
    if not examples:
        fail(f"{data}: no labelled rows for {task}", 2)
    classifier = _load(model_dir, _settings_or_none(ctx))
    predicted = classifier.predict_task(task, [ex.post for ex in examples])
    metrics = score(
        [ex.label for ex in examples], [p.label for p in predicted], classifier.models[task].labels
    )
    if as_json:
        payload: dict[str, Any] = {
            **metrics.summary(),
            "task": task,
            "data": str(data),
            "scope": scope,
            "model_version": classifier.version,
        }
        click.echo(json.dumps(payload, ensure_ascii=False))
        return
    click.echo(f"{task} on {data} ({scope}), model {classifier.version}")
    click.echo(metrics.report())


def _registry(ctx: Context) -> Any:
    from classifier.registry import Registry

    return Registry.of(ctx.settings.var_dir)


@classify_group.command("models")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@pass_ctx
def list_models(ctx: Context, as_json: bool) -> None:
    """The kept model versions, oldest first; * marks the active one."""
    from classifier.model import active_model_dir

    registry = _registry(ctx)
    versions = registry.versions()
    in_use = active_model_dir(ctx.settings.var_dir)
    if as_json:
        for v in versions:
            click.echo(
                json.dumps(
                    {
                        "version": v.name,
                        "created_at": v.created_at,
                        "active": v.active,
                        "scores": v.scores(),
                        "corrections": v.corrections,
                    },
                    ensure_ascii=False,
                )
            )
        return
    if not versions:
        click.echo("no kept versions")
    for v in versions:
        scores = "  ".join(f"{k} {s:.3f}" for k, s in sorted(v.scores().items()))
        corr = (
            f"  corrections topic {v.corrections.get('topic', 0)}, "
            f"handling {v.corrections.get('handling', 0)}"
            if v.corrections
            else ""
        )
        click.echo(f"{'*' if v.active else ' '} {v.name}  {v.created_at[:19]}  {scores}{corr}")
    if registry.active() is None:
        click.echo(f"in use: {in_use if in_use is not None else 'the shipped default model'}")


@classify_group.command("activate")
@click.argument("version")
@pass_ctx
def activate(ctx: Context, version: str) -> None:
    """Make a kept model version the active one (also to roll back); a running service
    switches to it at its next analysis run (every few seconds), without a restart."""
    from classifier.model import ModelError, load_classifier

    registry = _registry(ctx)
    try:
        if not registry.has(version):
            kept = ", ".join(v.name for v in registry.versions()) or "none"
            fail(f"no model version {version!r} (kept: {kept})", 2)
        load_classifier(registry.path(version))  # refuse a version that cannot be loaded
        previous = registry.activate(version, now=datetime.now(UTC), reason="by hand")
    except ModelError as exc:
        fail(str(exc), 2)
    click.echo(f"active model: {version}" + (f" (was {previous})" if previous else ""))


@classify_group.command("retrain")
@pass_ctx
def retrain_command(ctx: Context) -> None:
    """Run the guarded retraining now: train on the shipped data plus corrections, keep the
    new version, and activate it only if it is not worse than the active model."""
    from yuqing.bootstrap import App
    from yuqing.retraining import run_retraining

    app = App.open(ctx.settings)
    try:
        try:
            result = run_retraining(ctx.settings, app.sessions, datetime.now(UTC))
        except FileNotFoundError as exc:
            fail(f"{exc}; set [classifier] training_data", 2)
    finally:
        app.close()
    for split, s in sorted(result.scores.items()):
        old = s.get("old")
        click.echo(
            f"{split}: new macro-F1 {s['new']:.4f}" + (f", active {old:.4f}" if old is not None else "")
        )
    click.echo(result.line())
    if result.status == "refused":
        raise SystemExit(1)


@classify_group.command("export-reviews")
@click.option(
    "--format", "fmt", type=click.Choice(["csv", "jsonl"]), default="csv", show_default=True
)
@click.option(
    "--out",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="File to write [default: standard output].",
)
@click.option("--since", default=None, help="Answers given on or after this date (YYYY-MM-DD).")
@click.option("--until", default=None, help="Answers given before this date (YYYY-MM-DD).")
@pass_ctx
def export_reviews(
    ctx: Context, fmt: str, out: Path | None, since: str | None, until: str | None
) -> None:
    """The duty officers' 待核实 answers as labelled examples for the severity rules.

    One row per confirmation or dismissal: the post's title and text (personal data masked),
    the grade the person found (level), the candidate grade, the grade before, the decision,
    its reason, the cues of the severity rules, who answered and when (Asia/Shanghai).
    """
    from zoneinfo import ZoneInfo

    from yuqing.bootstrap import App
    from yuqing.reviews import reviews, write

    settings = ctx.settings
    tz = ZoneInfo(settings.timezone)
    bounds = [_day(v, name, tz) for v, name in ((since, "--since"), (until, "--until"))]
    app = App.open(settings)
    try:
        with app.sessions() as session:
            rows = reviews(session, tz, since=bounds[0], until=bounds[1])
    finally:
        app.close()
    if out is None:
        n = write(rows, sys.stdout, fmt)
    else:
        out.parent.mkdir(parents=True, exist_ok=True)
        with out.open("w", encoding="utf-8", newline="") as fh:
            n = write(rows, fh, fmt)
        click.echo(f"{n} reviews written to {out}", err=True)


def _day(value: str | None, name: str, tz: Any) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value).replace(tzinfo=tz)
    except ValueError:
        fail(f"{name}: not a date (YYYY-MM-DD): {value!r}", 2)


@click.command("analyze")
@model_option
@click.option(
    "--now",
    "now_text",
    default=None,
    help="The time of the analysis (ISO 8601) for posts without published_at [default: now].",
)
@pass_ctx
def analyze(ctx: Context, model_dir: Path | None, now_text: str | None) -> None:
    """Read posts as JSON lines on stdin; write one JSON line of labels per post.

    Input fields: id, title, content, and optionally published_at, source, replies, likes.
    Posts of one input that form one event share an event_id.
    """
    from classifier.analyze import RecordError, analyze_records, parse_time

    now = datetime.now(UTC)
    if now_text:
        try:
            parsed = parse_time(now_text)
        except ValueError:
            fail(f"--now: not an ISO 8601 time: {now_text!r}", 2)
        assert parsed is not None
        now = parsed
    records = _read_json_lines(sys.stdin)
    settings = _settings_or_none(ctx)
    try:
        if settings is None:
            results = analyze_records(records, classifier=_load(model_dir, None), now=now)
        else:
            results = _analyze_configured(records, settings, model_dir, now)
    except RecordError as exc:
        fail(str(exc), 2)
    out = sys.stdout
    for result in results:
        out.write(json.dumps(result, ensure_ascii=False, default=str) + "\n")
    out.flush()


def _analyze_configured(
    records: list[dict[str, Any]], settings: Settings, model_dir: Path | None, now: datetime
) -> list[dict[str, Any]]:
    """The service's own pipeline: the directory's places and routing, the policy's windows."""
    from classifier.grading import GradingError
    from classifier.model import ModelError
    from response_sla.configured import from_settings
    from yuqing.pipeline import Models, analyze_records

    try:
        models = Models.from_settings(settings, model_dir)
    except (ModelError, GradingError) as exc:
        fail(str(exc), 2)
    return analyze_records(records, models, from_settings(settings), now)


def _read_json_lines(stream: TextIO) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []
    for n, line in enumerate(stream, start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except ValueError as exc:
            fail(f"stdin line {n}: not JSON ({exc})", 2)
        if not isinstance(value, dict):
            fail(f"stdin line {n}: expected a JSON object", 2)
        records.append(value)
    return records
