"""Batch analysis without a database: records in, one result per record out.

This is what ``yuqing analyze`` runs. Each record is a dict with ``id``, ``title``, ``content``
and optionally ``published_at`` (ISO 8601; without an offset it is Asia/Shanghai time),
``source``, ``replies`` and ``likes``. The result carries topic, handling type, severity and
emergency type, the suspected-false-information flag, the event the post belongs to within the
batch, masked text for display, and the evidence of every label. An emergency (一般 or above)
has no handling type (``handling`` null: 突发事件). A post whose figure would make it 重大 or
worse but that a cue lowered (past, elsewhere, drill, debunk, a doubted claim, an ambiguous
figure) has ``needs_verification`` true and ``candidate_severity``, the grade it would have, beside
``severity``, the grade in force; ``evidence.severity.verification`` names the cues (待核实).

Labels and places come from ``classifier.labelling.label_posts``, as in the service's
analysis stage. Routing and response windows are added by another layer: the shell's pipeline
builds the results itself (``read_records`` then ``results``), or a caller passes ``enrich``, a
function that receives each (record, result) pair after the result is complete and adds its
fields.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Hashable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, Final
from zoneinfo import ZoneInfo

from classifier.events import EventIndex
from classifier.grading import GradingTables
from classifier.heat import heat_score
from classifier.incidents import IncidentFacts
from classifier.labelling import PlaceFinder, PostInput, PostLabels, label_posts
from classifier.locality import Locality
from classifier.masking import mask_pii
from classifier.model import PostClassifier
from classifier.severity import SeverityAssessment, combine

SHANGHAI: Final = ZoneInfo("Asia/Shanghai")
# output only: China has kept UTC+8 without summer time since 1991, and a fixed offset
# converts many times faster than the zone database
_CST: Final = timezone(timedelta(hours=8))
EXCERPT_CHARS: Final = 200

# (record, result) -> None: adds fields (lead_unit, co_units, deadlines, …) to ``result``
Enrich = Callable[[Mapping[str, Any], dict[str, Any]], None]


class RecordError(ValueError):
    """A record that cannot be analysed; ``index`` is its position in the batch."""

    def __init__(self, index: int, message: str) -> None:
        super().__init__(f"record {index + 1}: {message}")
        self.index = index


@dataclass(frozen=True)
class Record:
    """One valid input record."""

    index: int
    id: Any
    title: str
    content: str
    published_at: datetime | None
    source: str
    replies: int
    likes: int
    raw: Mapping[str, Any]

    @property
    def text(self) -> str:
        return f"{self.title}\n{self.content}"

    @property
    def input(self) -> PostInput:
        return PostInput(self.title, self.content, replies=self.replies, likes=self.likes)


def parse_time(value: Any) -> datetime | None:
    """ISO 8601 (``Z`` allowed) → aware UTC datetime; naive times are Asia/Shanghai."""
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise ValueError(f"published_at must be an ISO 8601 string, not {type(value).__name__}")
    moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=SHANGHAI)
    return moment.astimezone(UTC)


def _count(value: Any, name: str) -> int:
    if value in (None, ""):
        return 0
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError(f"{name} must be a number")
    return max(0, int(float(value)))


def _read(index: int, record: Mapping[str, Any]) -> Record:
    if not isinstance(record, Mapping):
        raise RecordError(index, "not a JSON object")
    if record.get("id") in (None, ""):
        raise RecordError(index, "missing id")
    if isinstance(record["id"], bool) or not isinstance(record["id"], str | int):
        raise RecordError(index, "id must be a string or an integer")
    title, content = record.get("title") or "", record.get("content") or ""
    if not isinstance(title, str) or not isinstance(content, str):
        raise RecordError(index, "title and content must be strings")
    if not (title.strip() or content.strip()):
        raise RecordError(index, "empty title and content")
    try:
        return Record(
            index=index,
            id=record["id"],
            title=title,
            content=content,
            published_at=parse_time(record.get("published_at")),
            source=str(record.get("source") or ""),
            replies=_count(record.get("replies"), "replies"),
            likes=_count(record.get("likes"), "likes"),
            raw=record,
        )
    except ValueError as exc:
        raise RecordError(index, str(exc)) from exc


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(_CST).isoformat() if moment is not None else None


def read_records(records: Sequence[Mapping[str, Any]]) -> list[Record]:
    """Validate a batch; RecordError names the first bad record."""
    posts = [_read(i, r) for i, r in enumerate(records)]
    seen: dict[Any, int] = {}
    for p in posts:
        if p.id in seen:
            raise RecordError(p.index, f"id {p.id!r} repeats record {seen[p.id] + 1}")
        seen[p.id] = p.index
    return posts


def analyze_records(
    records: Sequence[Mapping[str, Any]],
    *,
    classifier: PostClassifier,
    now: datetime,
    places: PlaceFinder | None = None,
    broad_places: Collection[str] = (),
    areas: Mapping[str, Collection[str]] | None = None,
    grading: GradingTables | None = None,
    locality: Locality | None = None,
    enrich: Enrich | None = None,
) -> list[dict[str, Any]]:
    """Analyse one batch; results come back in the order of ``records``.

    ``places`` finds the jurisdiction's places in a text for the same-place event rules;
    without it only near-duplicates group. ``areas``: the 乡镇 / 街道 each place belongs to
    (``classifier.events.EventIndex``). ``grading`` and ``locality`` grade severity by the
    configured tables and the jurisdiction's here and elsewhere (None: the shipped tables,
    and only generic words such as 外地).
    """
    posts = read_records(records)
    labels = label_posts(
        classifier, [p.input for p in posts], places=places, grading=grading, locality=locality
    )
    return results(posts, labels, now=now, broad_places=broad_places, areas=areas, enrich=enrich)


def results(
    posts: Sequence[Record],
    labels: Sequence[PostLabels],
    *,
    now: datetime,
    broad_places: Collection[str] = (),
    areas: Mapping[str, Collection[str]] | None = None,
    enrich: Enrich | None = None,
) -> list[dict[str, Any]]:
    """One result per post, in order, from the posts (as ``read_records`` returns them) and
    their labels. Posts are grouped into events in order of publication (a post without a time
    counts as published at ``now``)."""
    if not posts:
        return []
    index = EventIndex(broad_places=broad_places, areas=areas)
    event_of: dict[int, Hashable] = {}
    reasons: dict[int, list[str]] = {}
    members: dict[Hashable, list[int]] = {}
    when = {p.index: p.published_at or now.astimezone(UTC) for p in posts}
    for p in sorted(posts, key=lambda q: (when[q.index], q.index)):
        found = labels[p.index].places
        topic = labels[p.index].topic.label
        incident = IncidentFacts.of(labels[p.index].severity)
        match = index.match(
            p.text, published_at=when[p.index], places=found, topic=topic, incident=incident
        )
        event: Hashable = match.event_key if match is not None else f"ev-{p.id}"
        if match is not None:
            reasons[p.index] = list(match.reasons)
        index.add(p.id, event, p.text, published_at=when[p.index], places=found, topic=topic,
                  incident=incident)
        event_of[p.index] = event
        members.setdefault(event, []).append(p.index)

    event_summary = {
        event: _event_summary([posts[i] for i in idx], [labels[i].severity for i in idx], when)
        for event, idx in members.items()
    }
    out: list[dict[str, Any]] = []
    for p in posts:
        event = event_of[p.index]
        result = _result(p, labels[p.index], event, event_summary[event], reasons.get(p.index, []))
        if enrich is not None:
            enrich(p.raw, result)
        out.append(result)
    return out


def _event_summary(
    posts: list[Record], severities: list[SeverityAssessment], when: dict[int, datetime]
) -> dict[str, Any]:
    times = [when[p.index] for p in posts]
    span_hours = (max(times) - min(times)).total_seconds() / 3600
    heat = heat_score(
        posts=len(posts),
        boards=len({p.source for p in posts}) or 1,
        replies=sum(p.replies for p in posts),
        likes=sum(p.likes for p in posts),
        span_hours=span_hours,
    )
    grade = combine(severities, heat=heat)
    return {
        "size": len(posts),
        "heat": heat,
        "severity": grade.level,
        "emergency_type": grade.emergency_type,
        "first_published_at": _iso(min(times)),
    }


def _result(
    p: Record,
    labels: PostLabels,
    event: Hashable,
    summary: dict[str, Any],
    event_reasons: list[str],
) -> dict[str, Any]:
    topic, handling, severity, rumour = (
        labels.topic, labels.handling, labels.severity, labels.rumour
    )
    typed = labels.handling_type is not None  # an emergency has no handling type
    candidate = labels.candidate
    severity_evidence = dict(severity.evidence)
    if candidate is not None:
        # the cues that lowered the figure, in the duty officer's words (待核实)
        severity_evidence["verification"] = candidate.reasons
    return {
        "id": p.id,
        "topic": topic.label,
        "topic_score": topic.score,
        "topic_needs_review": topic.needs_review,
        "handling": handling.label if typed else None,
        "handling_score": handling.score if typed else None,
        "handling_needs_review": handling.needs_review if typed else False,
        "severity": severity.level,
        "severity_score": severity.score,
        "needs_verification": candidate is not None,
        "candidate_severity": candidate.level if candidate is not None else None,
        "emergency_type": severity.emergency_type,
        "rumour": rumour.suspected,
        "rumour_score": rumour.score,
        "event_id": event,
        "event_size": summary["size"],
        "event_severity": summary["severity"],
        "event_emergency_type": summary["emergency_type"],
        "event_heat": summary["heat"],
        "published_at": _iso(p.published_at),
        "masked_title": mask_pii(p.title),
        # masked before cutting, so a number at the cut is still masked
        "masked_excerpt": mask_pii(p.content)[:EXCERPT_CHARS],
        "evidence": {
            "topic": topic.evidence,
            "handling": handling.evidence if typed else {"突发事件": f"不按{handling.label}处置"},
            "severity": severity_evidence,
            "rumour": rumour.evidence,
            "event": event_reasons,
        },
        "model_version": {
            "classifier": topic.model_version,
            "severity": severity.model_version,
            "rumour": rumour.model_version,
        },
    }
