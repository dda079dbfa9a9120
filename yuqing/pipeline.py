"""One analysis pipeline: posts → labels, places and the routing decision.

``analyze_posts`` is a pure function of the posts and the models built once from the settings
(``Models``). The service's analysis stage and ``yuqing analyze`` both call it, so a post gets
the same topic, handling type, severity, rumour flag, places and units in either; the command
adds the response windows the policy would give (``analyze_records``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from classifier.analyze import read_records, results
from classifier.events import EventIndex
from classifier.grading import GradingTables, grading_from_settings
from classifier.labelling import PostInput, PostLabels, label_posts
from classifier.locality import Locality
from classifier.model import PostClassifier, active_model_dir, load_classifier
from domain.settings import Settings
from response_sla.configured import SlaSetup
from response_sla.directory import NAME, PLACE, Directory
from response_sla.preview import routing_fields
from response_sla.routing import Routing, route


@dataclass(frozen=True)
class Models:
    """What the analysis reads besides the posts, built once from the settings."""

    classifier: PostClassifier
    directory: Directory
    # the district's own names say nothing about which matter a post is about
    broad_places: tuple[str, ...]
    grading: GradingTables  # each kind of emergency graded by its own plan
    # the jurisdiction's places and every other division of China: an incident elsewhere is
    # kept and searchable but graded 常规 and routed nowhere
    locality: Locality
    # each place and 乡镇 / 街道 name → the 乡镇 / 街道 it belongs to: a follow-up naming the
    # town joins the incident first reported in one of its villages
    areas: dict[str, tuple[str, ...]]

    @classmethod
    def from_settings(cls, settings: Settings, model_dir: Path | None = None) -> Models:
        """The given model directory, else the active model, else the shipped one; raises
        ``classifier.model.ModelError`` when the model cannot be used and
        ``classifier.grading.GradingError`` when the grading tables cannot."""
        directory = Directory.from_jurisdiction(settings.jurisdiction)
        classifier = load_classifier(
            model_dir or active_model_dir(settings.var_dir), user_words=directory.words()
        )
        return cls(
            classifier,
            directory,
            broad_places(settings),
            grading_from_settings(settings),
            Locality.of(settings.jurisdiction),
            areas(directory),
        )

    def places(self, text: str) -> list[str]:
        """The places a text names, and the 乡镇 / 街道 it names (a place for events too)."""
        d = self.directory
        return [
            m.text
            for m in d.scan(text)
            if m.what == PLACE or (m.what == NAME and d.unit(m.unit_id).is_local)
        ]

    def event_index(self) -> EventIndex:
        """An empty event index that knows the jurisdiction's places."""
        return EventIndex(broad_places=self.broad_places, areas=self.areas)


def areas(directory: Directory) -> dict[str, tuple[str, ...]]:
    """Each name and place of a 乡镇 / 街道 → the ids of the 乡镇 / 街道 it belongs to (a river
    may run through several)."""
    out: dict[str, set[str]] = {}
    for unit in directory.units():
        if unit.is_local:
            for name in (*unit.names, *unit.places):
                out.setdefault(name, set()).add(unit.id)
    return {name: tuple(sorted(ids)) for name, ids in out.items()}


def broad_places(settings: Settings) -> tuple[str, ...]:
    j = settings.jurisdiction
    names = {j.name, j.full_name, j.name.removesuffix(j.level)}
    return tuple(sorted(n for n in names if len(n) >= 2))


@dataclass(frozen=True)
class PostAnalysis:
    labels: PostLabels
    routing: Routing  # who would answer the post if it starts an event


def analyze_posts(posts: Sequence[PostInput], models: Models) -> list[PostAnalysis]:
    """Labels, places and routing of each post, in order."""
    labels = label_posts(
        models.classifier,
        posts,
        places=models.places,
        grading=models.grading,
        locality=models.locality,
    )
    return [
        PostAnalysis(found, _route(models.directory, post, found))
        for post, found in zip(posts, labels, strict=True)
    ]


def _route(directory: Directory, post: PostInput, labels: PostLabels) -> Routing:
    return route(
        directory,
        title=post.title,
        content=post.content,
        topic=labels.topic.label,
        severity=labels.severity.level,
        board_unit=post.board_unit,
        emergency_type=labels.severity.emergency_type,
    )


def analyze_records(
    records: Sequence[Mapping[str, Any]], models: Models, engine: SlaSetup, now: datetime
) -> list[dict[str, Any]]:
    """``yuqing analyze`` with the configuration: each record's labels and event, its
    routing, and the windows its grade gets counted from its published time (``now`` when it
    has none)."""
    posts = read_records(records)
    analyses = analyze_posts([p.input for p in posts], models)
    out = results(
        posts,
        [a.labels for a in analyses],
        now=now,
        broad_places=models.broad_places,
        areas=models.areas,
    )
    for post, result, analysis in zip(posts, out, analyses, strict=True):
        result.update(
            routing_fields(
                analysis.routing,
                engine,
                severity=analysis.labels.severity.level,
                handling=analysis.labels.handling_type,
                start=post.published_at or now,
            )
        )
    return out
