"""A post's labels: topic, handling type, severity, the suspected-rumour flag and the places
of the jurisdiction it names.

The service's analysis stage and ``yuqing analyze`` both label posts through ``label_posts``,
so one post gets the same labels and places either way. The routing decision, which needs the
SLA engine's directory, is joined on by the shell (``yuqing.pipeline``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from classifier.candidates import Candidate, of_assessment
from classifier.grading import GradingTables
from classifier.heat import heat_score
from classifier.locality import Locality
from classifier.model import PostClassifier
from classifier.rumour import RumourFlag, assess_rumour
from classifier.severity import SeverityAssessment, assess
from classifier.types import Label, PostText
from domain.vocabulary import HANDLING_TYPES, RUMOUR_CLEAR, RUMOUR_FLAG, Severity

# text -> the places it names (villages, roads, communities of the jurisdiction)
PlaceFinder = Callable[[str], Sequence[str]]


@dataclass(frozen=True)
class PostInput:
    """What the analysis reads of a post."""

    title: str
    content: str
    replies: int = 0
    likes: int = 0
    board_type: str | None = None  # the board's own handling type (typeName), when it has one
    board_unit: str | None = None  # the board's 处理部门 column: read by routing, not here

    @property
    def text(self) -> str:
        return f"{self.title}\n{self.content}"


@dataclass(frozen=True)
class PostLabels:
    topic: Label
    handling: Label  # the model's prediction, kept for review and retraining
    severity: SeverityAssessment
    rumour: RumourFlag
    places: tuple[str, ...]
    # the board's own type when it gives one, else the prediction; None for an emergency
    handling_type: str | None

    @property
    def is_emergency(self) -> bool:
        return self.severity.level != Severity.ROUTINE.value

    @property
    def candidate(self) -> Candidate | None:
        """待核实: the major grade a ruled-out or ambiguous figure would give, if any."""
        return of_assessment(self.severity)

    def labels(self) -> list[Label]:
        """The labels stored for the post (and for an event it starts): topic, handling type
        (not for an emergency), severity and the rumour flag."""
        handling = [self.handling] if self.handling_type is not None else []
        return [
            self.topic,
            *handling,
            severity_label(self.severity),
            rumour_label(self.rumour),
        ]


def severity_label(s: SeverityAssessment) -> Label:
    evidence = {**s.evidence, "emergency_type": s.emergency_type}
    return Label("severity", s.level, s.score, evidence, False, s.model_version)


def rumour_label(r: RumourFlag) -> Label:
    label = RUMOUR_FLAG if r.suspected else RUMOUR_CLEAR
    return Label("rumour", label, r.score, r.evidence, r.suspected, r.model_version)


def label_posts(
    classifier: PostClassifier,
    posts: Sequence[PostInput],
    *,
    places: PlaceFinder | None = None,
    grading: GradingTables | None = None,
    locality: Locality | None = None,
) -> list[PostLabels]:
    """Label a batch, in order. A post's own replies and likes count as its heat, which can
    raise a borderline emergency; without ``places`` no post names a place. ``grading`` is
    the configured grading tables (None: the shipped national tables); ``locality`` tells the
    jurisdiction's places from those elsewhere (None: only generic words such as 外地)."""
    predicted = classifier.predict([PostText(p.title, p.content) for p in posts])
    out: list[PostLabels] = []
    for post, (topic, handling) in zip(posts, predicted, strict=True):
        heat = heat_score(
            posts=1, boards=1, replies=post.replies, likes=post.likes, span_hours=1.0
        )
        board_type = post.board_type if post.board_type in HANDLING_TYPES else None
        severity = assess(
            post.title, post.content, heat=heat, grading=grading, locality=locality
        )
        emergency = severity.level != Severity.ROUTINE.value
        out.append(
            PostLabels(
                topic=topic,
                handling=handling,
                severity=severity,
                rumour=assess_rumour(post.title, post.content),
                places=tuple(places(post.text)) if places is not None else (),
                handling_type=None if emergency else board_type or handling.label,
            )
        )
    return out
