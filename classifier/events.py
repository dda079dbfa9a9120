"""Grouping posts about one matter into events.

A post joins an earlier post's event when, within ``window`` of it:

1. **near duplicate** — the Jaccard similarity of the character 3-gram sets of their first
   ``MAX_CHARS`` characters (without 转 / 【转帖】 / 回复 prefixes, spaces and punctuation) is at
   least ``threshold``: reposts, small edits. Candidates come from a MinHash LSH index (MinHash
   values computed with numpy for all shingles of a post at once, banded into hash tables); the
   similarity shown is the exact one; or
2. **same incident** — they share a *specific* place and emergency vocabulary of the same type
   (the same fire told differently on two boards); a township-level place (…镇, …乡, …街道)
   needs a shared emergency word; or
3. **same matter** — they share a specific place and the same topic, within 48 hours, or at
   any time in the window when the new post reads as a follow-up (后续, 更新, 进展, 再次反映 …);
4. **update of an incident** — the earlier post tells an incident (an emergency type from its
   severity assessment) and the new one updates it: the same kind of incident (the same
   emergency type, and incident families that meet, ``classifier.incidents``) at the same place
   or its surroundings (a village and the 乡镇 / 街道 it belongs to, ``areas``), with an update
   word (升至, 上升到, 最新, 续报, 又有 …) within ``follow_up_window``, or with changed casualty
   figures at a shared specific place within ``window``. Its wording may share nothing else.

Two incidents stay apart, whatever rule 2, 3 or 4 would say, when both name specific places and
none of them is shared (two villages of one town), when their incident families do not meet
(a crash and a fire in one village), or when the new post reports another incident (又发生一起).

A place is *broad* when it names a district, county, city or province (…区, …市) or is
listed in ``broad_places``: two complaints that only share the district's name never group by
rule 2 or 3.

The index is pure and in memory; the service rebuilds it from the last days of posts on
start. Times should be timezone-aware (naive ones are taken as UTC).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Hashable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final

import numpy as np

from classifier import incidents
from classifier import lexicon_severity as lex
from classifier.incidents import IncidentFacts

SHINGLE: Final = 3
MAX_CHARS: Final = 120  # reposts share their beginning; longer texts are cut for speed
MAX_PLACE_CANDIDATES: Final = 200  # newest posts per place checked by the place rules
EXACT_CANDIDATES: Final = 8  # LSH candidates whose exact Jaccard is computed
EMERGENCY_CHARS: Final = 300  # characters scanned for emergency vocabulary
SAME_TOPIC_WINDOW: Final = timedelta(hours=48)
FOLLOW_UP_WINDOW: Final = timedelta(days=7)  # an incident is still reported on days later

_REPOST_PREFIX: Final = re.compile(
    r"^(?:\s|【?(?:转帖|转载|转发|转自[^】]{0,20}|转|分享|repost)】?[:：]?|(?:re|回复|fw|fwd)[:：]|//@[^:：]{1,30}[:：])+",
    re.IGNORECASE,
)
_NOISE: Final = re.compile(r"[\s\W_]+")
_FOLLOW_UP: Final = re.compile(
    r"后续|更新|进展|最新消息|最新情况|续[:：]|追踪|跟进|再次反映|又一次|还是没|仍然没|至今没|第[二三四五]次反映|此前反映"
)
_BROAD_SUFFIX: Final = re.compile(r"(?:省|自治区|市|州|地区|盟|县|区|城区|全区|全市)$")
_NOT_BROAD_SUFFIX: Final = re.compile(
    r"(?:新区|园区|开发区|景区|小区|社区|校区|厂区|矿区|营区|片区|集市|菜市|超市|夜市|门市)$"
)
_TOWN_SUFFIX: Final = re.compile(r"(?:镇|乡|街道|街道办|办事处)$")

_BROAD: Final = "broad"
_TOWN: Final = "town"
_SPECIFIC: Final = "specific"
_GOLDEN: Final = np.uint32(0x9E3779B1)
_MIX2: Final = np.uint32(0x85EBCA77)
_MIX3: Final = np.uint32(0xC2B2AE3D)
_SEED: Final = 0x5EED


def _permutations(num_perm: int) -> tuple[np.ndarray, np.ndarray]:
    """Multiply-shift hash functions ``(a * h + b) >> 32`` (a odd): one per MinHash value."""
    rng = np.random.default_rng(_SEED)
    a = rng.integers(1, 2**63, size=num_perm, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
    b = rng.integers(0, 2**63, size=num_perm, dtype=np.uint64)
    return a, b


def minhash(hashes: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """MinHash values (uint32) of a set of 32-bit shingle hashes."""
    mixed = (hashes.astype(np.uint64)[:, None] * a + b) >> np.uint64(32)
    values: np.ndarray = mixed.min(axis=0).astype(np.uint32)
    return values


@dataclass(frozen=True)
class EventMatch:
    event_key: Hashable
    similarity: float
    reasons: tuple[str, ...]


@dataclass
class _Signature:
    text: str
    shingles: frozenset[int]
    values: np.ndarray | None  # MinHash values; None for a text without characters
    emergency: tuple[frozenset[str], frozenset[str]] | None = None  # types, words; on demand
    kinds: frozenset[str] | None = None  # incident families; on demand

    def emergency_vocabulary(self) -> tuple[frozenset[str], frozenset[str]]:
        if self.emergency is None:
            # an incident is named early in a post: its first sentences carry the vocabulary
            self.emergency = _emergency(self.text[:EMERGENCY_CHARS])
        return self.emergency

    def families(self) -> frozenset[str]:
        if self.kinds is None:
            self.kinds = incidents.families(self.text[:EMERGENCY_CHARS])
        return self.kinds


@dataclass
class _Post:
    key: Hashable
    published_at: datetime
    shingles: frozenset[int]
    signature: np.ndarray  # MinHash values, to rank many LSH candidates cheaply
    places: dict[str, str]  # place -> broad / town / specific
    topic: str | None
    emergency_types: frozenset[str]
    emergency_words: frozenset[str]
    areas: frozenset[str]  # the 乡镇 / 街道 its places belong to
    incident: IncidentFacts
    families: frozenset[str]


def normalize(text: str) -> str:
    """Text without repost prefixes, whitespace and punctuation, cut at ``MAX_CHARS``."""
    text = _REPOST_PREFIX.sub("", text[: MAX_CHARS * 2].strip())
    return _NOISE.sub("", text).lower()[:MAX_CHARS]


def shingle_hashes(text: str) -> np.ndarray:
    """32-bit hashes of the character 3-grams of normalized ``text`` (may repeat)."""
    norm = normalize(text)
    if not norm:
        return np.zeros(0, dtype=np.uint32)
    cp = np.frombuffer(norm.encode("utf-32-le"), dtype=np.uint32)
    if len(cp) < SHINGLE:
        return np.asarray([cp.sum() * _GOLDEN], dtype=np.uint32)
    mixed: np.ndarray = (cp[:-2] * _GOLDEN) ^ (cp[1:-1] * _MIX2) ^ (cp[2:] * _MIX3)
    return mixed


def jaccard(a: frozenset[int], b: frozenset[int]) -> float:
    if not a or not b:
        return 0.0
    inter = len(a & b)
    return inter / (len(a) + len(b) - inter)


def place_level(place: str, broad_places: Collection[str] = ()) -> str:
    """broad (district and above), town (镇 / 乡 / 街道) or specific (village, road, landmark)."""
    if len(place) <= 1 or place in broad_places:
        return _BROAD
    if _BROAD_SUFFIX.search(place) and not _NOT_BROAD_SUFFIX.search(place):
        return _BROAD
    if _TOWN_SUFFIX.search(place):
        return _TOWN
    return _SPECIFIC


def _emergency(text: str) -> tuple[frozenset[str], frozenset[str]]:
    types: set[str] = set()
    words: set[str] = set()
    for m in lex.TERM_RE.finditer(text):
        sense = lex.term_sense(text, m.group(0), m.start(), m.end())
        if sense is None or sense[1] == lex.WEAK:
            continue
        types.add(sense[0])
        words.add(m.group(0))
    return frozenset(types), frozenset(words)


def _apart(levels: Mapping[str, str], kinds: frozenset[str], post: _Post) -> bool:
    """Two matters, whatever else the posts share: each names specific places and none is
    shared (two villages of one town), or both tell incidents and of different families (a
    crash and a fire)."""
    mine = {p for p, level in levels.items() if level == _SPECIFIC}
    theirs = {p for p, level in post.places.items() if level == _SPECIFIC}
    if mine and theirs and not mine & theirs:
        return True
    return bool(kinds and post.families and not kinds & post.families)


def _utc(dt: datetime) -> datetime:
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt


def _hours(delta: timedelta) -> str:
    hours = abs(delta.total_seconds()) / 3600
    return f"{hours:.0f} h" if hours >= 1 else f"{hours * 60:.0f} min"


class EventIndex:
    """Posts of the last days, searchable for the event a new post belongs to."""

    def __init__(
        self,
        *,
        threshold: float = 0.5,
        window: timedelta = timedelta(days=3),
        num_perm: int = 64,
        broad_places: Collection[str] = (),
        areas: Mapping[str, Collection[str]] | None = None,
        follow_up_window: timedelta = FOLLOW_UP_WINDOW,
    ) -> None:
        """``areas``: for a place or a 乡镇 / 街道 name, the 乡镇 / 街道 it belongs to (the
        surroundings of rule 4); without it only places named alike meet."""
        self.threshold = threshold
        self.window = window
        self.follow_up_window = max(follow_up_window, window)
        self.num_perm = num_perm
        self.broad_places = frozenset(broad_places)
        self.areas: dict[str, frozenset[str]] = {
            place: frozenset(of) for place, of in (areas or {}).items()
        }
        # 8 bands of 2 rows: a pair at Jaccard 0.5 becomes a candidate with p ≈ 0.90, at 0.6
        # with p ≈ 0.97, at 0.7 with p ≈ 0.995; candidates are then checked exactly. Unrelated
        # posts share almost no 3-grams (about 0.3 candidates per query on 5,600 real
        # messages), so few bands keep the index cheap without losing reposts.
        rows = 2 if num_perm >= 4 else 1
        self._bands = max(1, min(8, num_perm // rows))
        self._rows = rows
        self._a, self._b = _permutations(num_perm)
        self._buckets: list[dict[int, set[Hashable]]] = [{} for _ in range(self._bands)]
        self._band_keys: dict[Hashable, list[int]] = {}
        self._posts: dict[Hashable, _Post] = {}
        self._event_of: dict[Hashable, Hashable] = {}
        self._members: dict[Hashable, set[Hashable]] = {}
        self._by_place: dict[str, list[Hashable]] = {}  # in insertion order
        self._by_area: dict[str, list[Hashable]] = {}  # in insertion order
        # the signature of the last text seen: add() usually follows match() on the same text
        self._last: _Signature | None = None

    def __len__(self) -> int:
        return len(self._posts)

    def event_of(self, post_key: Hashable) -> Hashable | None:
        return self._event_of.get(post_key)

    def _signature(self, text: str) -> _Signature:
        if self._last is not None and self._last.text == text:
            return self._last
        hashes = shingle_hashes(text)
        values = minhash(hashes, self._a, self._b) if len(hashes) else None
        sig = _Signature(text, frozenset(hashes.tolist()), values)
        self._last = sig
        return sig

    def _band_keys_of(self, values: np.ndarray) -> list[int]:
        """One key per band: the band's MinHash values packed into one integer."""
        used = np.ascontiguousarray(values[: self._bands * self._rows], dtype=np.uint32)
        if self._rows == 2:
            keys: list[int] = used.view(np.uint64).tolist()
        else:
            keys = used.tolist()
        return keys

    def _candidates(self, values: np.ndarray) -> set[Hashable]:
        found: set[Hashable] = set()
        for band, key in zip(self._buckets, self._band_keys_of(values), strict=True):
            hit = band.get(key)
            if hit:
                found |= hit
        return found

    # ------------------------------------------------------------------ queries
    def match(
        self,
        text: str,
        *,
        published_at: datetime,
        places: Collection[str] = (),
        topic: str | None = None,
        incident: IncidentFacts | None = None,
    ) -> EventMatch | None:
        """The event the post belongs to, with the reasons, or None for a new event.
        ``incident``: what the post's severity assessment found (type, casualty figures)."""
        if not self._posts:
            return None
        when = _utc(published_at)
        sig = self._signature(text)
        shingles = sig.shingles
        best: tuple[float, int, Hashable, tuple[str, ...]] | None = None

        if sig.values is not None:
            candidates = [
                self._posts[key]
                for key in self._candidates(sig.values)
                if abs(self._posts[key].published_at - when) <= self.window
            ]
            if len(candidates) > EXACT_CANDIDATES:
                # many look-alikes (a copied template): keep those with the best MinHash estimate
                estimates = (np.stack([p.signature for p in candidates]) == sig.values).sum(1)
                order = np.argsort(-estimates, kind="stable")[:EXACT_CANDIDATES]
                candidates = [candidates[i] for i in order]
            for post in candidates:
                sim = jaccard(shingles, post.shingles)
                if sim >= self.threshold and (best is None or sim > best[0]):
                    reason = f"近似重复 (Jaccard {sim:.2f}) of post {post.key}"
                    best = (sim, 3, post.key, (reason,))
        if best is not None:
            return EventMatch(self._event_of[best[2]], round(best[0], 3), best[3])

        levels = {p: place_level(p, self.broad_places) for p in places}
        local = [p for p, level in levels.items() if level != _BROAD]
        if not local or incidents.reports_new_incident(text[:EMERGENCY_CHARS]):
            return None
        etypes, ewords = sig.emergency_vocabulary()
        kinds = sig.families()
        # ordinary complaints name vehicles and fires too: families part incidents only
        told = kinds if etypes or (incident is not None and incident.is_incident) else frozenset()
        follow_up = _FOLLOW_UP.search(text)
        # newest posts first; the first one that meets the strongest rule wins
        found: tuple[int, Hashable, str] | None = None
        seen: set[Hashable] = set()
        for place in local:
            for key in reversed(self._by_place.get(place, [])[-MAX_PLACE_CANDIDATES:]):
                if key in seen or key not in self._posts:
                    continue
                seen.add(key)
                post = self._posts[key]
                delta = when - post.published_at
                if abs(delta) > self.window or _apart(levels, told, post):
                    continue
                shared = [p for p in local if p in post.places]
                specific = [p for p in shared if levels[p] == _SPECIFIC]
                where = "、".join(specific or shared)
                common_words = ewords & post.emergency_words
                if etypes & post.emergency_types and (specific or common_words):
                    vocab = "、".join(sorted(common_words or (ewords | post.emergency_words))[:4])
                    reason = (
                        f"same place {where} + emergency vocabulary ({vocab}) "
                        f"within {_hours(delta)} of post {key}"
                    )
                    found = (2, key, reason)
                    break
                if found or not specific or topic is None or topic != post.topic:
                    continue
                if abs(delta) <= SAME_TOPIC_WINDOW:
                    reason = (
                        f"same place {where} + same topic {topic} "
                        f"within {_hours(delta)} of post {key}"
                    )
                    found = (1, key, reason)
                elif follow_up:
                    reason = (
                        f"follow-up ({follow_up.group(0)}) on same place {where} + "
                        f"same topic {topic} of post {key}"
                    )
                    found = (1, key, reason)
                if found and not etypes:
                    break  # no emergency words: nothing stronger can follow
            if found and (found[0] == 2 or not etypes):
                break
        if (found is None or found[0] < 2) and incident is not None:
            update = self._update_of(text, when, levels, kinds, incident)
            if update is not None:
                found = (2, *update)
        if found is None:
            return None
        _, key, reason = found
        sim = jaccard(shingles, self._posts[key].shingles)
        return EventMatch(self._event_of[key], round(sim, 3), (reason,))

    def _areas_of(self, places: Iterable[str]) -> frozenset[str]:
        out: set[str] = set()
        for p in places:
            out |= self.areas.get(p, frozenset())
        return frozenset(out)

    def _area_names(self, levels: Mapping[str, str], post: _Post, common: frozenset[str]) -> str:
        """The places of either post in the shared surroundings, 乡镇 / 街道 first."""
        names = [p for p in (*levels, *post.places) if self.areas.get(p, frozenset()) & common]
        names.sort(key=lambda p: (place_level(p, self.broad_places) != _TOWN, p))
        return "、".join(dict.fromkeys(names)) or "、".join(sorted(common))

    def _update_of(
        self,
        text: str,
        when: datetime,
        levels: Mapping[str, str],
        kinds: frozenset[str],
        incident: IncidentFacts,
    ) -> tuple[Hashable, str] | None:
        """Rule 4: the newest incident post this one updates, and why. A post that tells no
        incident of its own ("碧阳湖落水的两人已打捞上岸") updates one when it reads as an update
        and names the same kind of incident."""
        word = incidents.update_word(text)
        if not incident.is_incident and (word is None or not kinds):
            return None
        specific = {p for p, level in levels.items() if level == _SPECIFIC}
        areas = self._areas_of(p for p, level in levels.items() if level != _BROAD)
        keys: list[Hashable] = []
        for place in specific:
            keys += self._by_place.get(place, [])[-MAX_PLACE_CANDIDATES:]
        if word is not None:
            for area in areas:
                keys += self._by_area.get(area, [])[-MAX_PLACE_CANDIDATES:]
        newest = sorted(
            {k for k in keys if k in self._posts},
            key=lambda k: self._posts[k].published_at,
            reverse=True,
        )
        for key in newest:
            post = self._posts[key]
            delta = when - post.published_at
            if delta < timedelta(0) and abs(delta) > self.window:
                continue
            if not post.incident.is_incident or _apart(levels, kinds, post):
                continue
            # the same kind of incident: the same emergency type, or families that meet (a
            # follow-up about the crowd at a crash is still the crash)
            same_type = incident.emergency_type == post.incident.emergency_type
            if not (incident.is_incident and same_type) and not kinds & post.families:
                continue
            shared = sorted(specific & {p for p, lv in post.places.items() if lv == _SPECIFIC})
            changed = incident.changed_from(post.incident)
            common = areas & post.areas
            if word is not None and delta <= self.follow_up_window and (shared or common):
                where = "、".join(shared) or self._area_names(levels, post, common)
                news = f"; {incidents.figure_text(changed)}" if changed else ""
                what = post.incident.emergency_type
                return key, (
                    f"update ({word}) of the {what} at {where} "
                    f"{_hours(delta)} after post {key}{news}"
                )
            if changed and shared and kinds & post.families and abs(delta) <= self.window:
                return key, (
                    f"changed figures ({incidents.figure_text(changed)}) of the "
                    f"{incident.emergency_type} at {'、'.join(shared)} "
                    f"{_hours(delta)} after post {key}"
                )
        return None

    # ------------------------------------------------------------------ updates
    def add(
        self,
        post_key: Hashable,
        event_key: Hashable,
        text: str,
        *,
        published_at: datetime,
        places: Collection[str] = (),
        topic: str | None = None,
        incident: IncidentFacts | None = None,
    ) -> None:
        """Index a post as a member of ``event_key`` (a post added again is replaced)."""
        if post_key in self._posts:
            self._remove(post_key)
        sig = self._signature(text)
        levels = {p: place_level(p, self.broad_places) for p in places}
        # the vocabulary matters only to the place rules, which need a non-broad place
        empty: frozenset[str] = frozenset()
        etypes, ewords = (
            sig.emergency_vocabulary()
            if any(level != _BROAD for level in levels.values())
            else (empty, empty)
        )
        incident = incident or IncidentFacts()
        local = any(level != _BROAD for level in levels.values())
        areas = self._areas_of(p for p, level in levels.items() if level != _BROAD)
        post = _Post(
            post_key,
            _utc(published_at),
            sig.shingles,
            sig.values if sig.values is not None else np.zeros(0, dtype=np.uint32),
            levels,
            topic,
            etypes,
            ewords,
            areas,
            incident,
            sig.families() if local else frozenset(),
        )
        self._posts[post_key] = post
        self._event_of[post_key] = event_key
        self._members.setdefault(event_key, set()).add(post_key)
        for place, level in levels.items():
            if level != _BROAD:
                self._by_place.setdefault(place, []).append(post_key)
        if incident.is_incident:
            # only incidents are updated by rule 4: ordinary posts stay out of the areas
            for area in areas:
                self._by_area.setdefault(area, []).append(post_key)
        if sig.values is not None:
            keys = self._band_keys_of(sig.values)
            self._band_keys[post_key] = keys
            for band, key in zip(self._buckets, keys, strict=True):
                band.setdefault(key, set()).add(post_key)

    def merge(self, from_event: Hashable, into_event: Hashable) -> None:
        """Move every post of ``from_event`` into ``into_event`` (a person merged two events)."""
        if from_event == into_event:
            return
        moved = self._members.pop(from_event, set())
        for key in moved:
            self._event_of[key] = into_event
        if moved:
            self._members.setdefault(into_event, set()).update(moved)

    def prune(self, before: datetime) -> None:
        """Forget posts published before ``before``."""
        cutoff = _utc(before)
        old = [k for k, p in self._posts.items() if p.published_at < cutoff]
        for key in old:
            self._remove(key, from_places=False)
        if old:
            for table in (self._by_place, self._by_area):
                for place in list(table):
                    keys = [k for k in table[place] if k in self._posts]
                    if keys:
                        table[place] = keys
                    else:
                        del table[place]

    def _remove(self, post_key: Hashable, *, from_places: bool = True) -> None:
        post = self._posts.pop(post_key)
        event = self._event_of.pop(post_key)
        members = self._members.get(event)
        if members is not None:
            members.discard(post_key)
            if not members:
                del self._members[event]
        if from_places:
            for table, names in ((self._by_place, post.places), (self._by_area, post.areas)):
                for place in names:
                    keys = table.get(place)
                    if keys is not None:
                        keys[:] = [k for k in keys if k != post_key]
                        if not keys:
                            del table[place]
        for band, key in zip(self._buckets, self._band_keys.pop(post_key, ()), strict=False):
            members = band.get(key)
            if members is not None:
                members.discard(post_key)
                if not members:
                    del band[key]
