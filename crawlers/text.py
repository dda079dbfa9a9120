"""Small text and time helpers shared by the spiders and the pipelines."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")
_SPACE = re.compile(r"\s+")


def clean(text: str | None) -> str:
    """Visible text with non-breaking and full-width spaces folded and runs of whitespace
    collapsed; the characters themselves (全角 punctuation) are kept as the author wrote them."""
    if not text:
        return ""
    return _SPACE.sub(" ", text.replace("\u3000", " ").replace("\xa0", " ")).strip()


def clean_block(parts: list[str]) -> str:
    """Text from several nodes (paragraphs, <br> pieces): cleaned lines joined by newlines."""
    lines = [clean(p) for p in parts]
    return "\n".join(line for line in lines if line)


def content_hash(title: str, content: str) -> str:
    """sha256 of the normalised title and content, whitespace-insensitive, so a re-render of
    the same text does not count as a change."""
    norm = (_SPACE.sub("", unicodedata.normalize("NFKC", title)) + "\n"
            + _SPACE.sub("", unicodedata.normalize("NFKC", content)))
    return hashlib.sha256(norm.encode("utf-8")).hexdigest()


def from_epoch(value: object) -> datetime | None:
    """Epoch seconds (or milliseconds) as an aware UTC datetime; None when unusable."""
    try:
        number = float(str(value).strip())
    except (TypeError, ValueError):
        return None
    if number <= 0:
        return None
    if number > 1e11:  # milliseconds
        number /= 1000
    return datetime.fromtimestamp(number, UTC)


_DATE = re.compile(
    r"(?P<y>\d{4})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*日?"
    r"(?:\s*(?P<H>\d{1,2})\s*[:时]\s*(?P<M>\d{1,2})(?:\s*[:分]\s*(?P<S>\d{1,2}))?)?"
)
_SHORT_DATE = re.compile(r"^(?P<m>\d{1,2})-(?P<d>\d{1,2})$")
_CLOCK = re.compile(r"^(?P<H>\d{1,2}):(?P<M>\d{2})$")


def parse_local_time(text: str | None, now: datetime | None = None) -> datetime | None:
    """A board's local (Asia/Shanghai) time as aware UTC.

    Understands 2022-2-14 19:29:35, 2023年1月5日 10:20, 2024/08/05, and — with ``now`` given —
    the forum shorthands 8-6 (this year, or last year if that would be in the future) and 07:38
    (today).
    """
    if not text:
        return None
    text = clean(text)
    m = _DATE.search(text)
    if m:
        try:
            local = datetime(
                int(m["y"]), int(m["m"]), int(m["d"]),
                int(m["H"] or 0), int(m["M"] or 0), int(m["S"] or 0), tzinfo=SHANGHAI,
            )
        except ValueError:
            return None
        return local.astimezone(UTC)
    if now is None:
        return None
    today = now.astimezone(SHANGHAI)
    m = _SHORT_DATE.match(text)
    if m:
        try:
            local = today.replace(month=int(m["m"]), day=int(m["d"]), hour=0, minute=0,
                                  second=0, microsecond=0)
        except ValueError:
            return None
        if local > today + timedelta(days=1):
            local = local.replace(year=local.year - 1)
        return local.astimezone(UTC)
    m = _CLOCK.match(text)
    if m:
        local = today.replace(hour=int(m["H"]), minute=int(m["M"]), second=0, microsecond=0)
        return local.astimezone(UTC)
    return None


def to_int(text: object, default: int = 0) -> int:
    digits = re.sub(r"[^\d]", "", str(text or ""))
    return int(digits) if digits else default
