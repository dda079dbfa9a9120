"""Heat (热度) of an event on a 0..100 scale: how far and how fast it spreads.

    heat = 30 · s(posts, 50)                  how many posts carry the event
         + 20 · s(boards − 1, 4)              on how many boards beyond the first
         + 35 · s(replies + likes / 2, 2000)  how much people engage with it
         + 15 · s((posts − 1) / hours, 10)    how fast new posts arrive (hours ≥ 1)

where s(x, cap) = min(1, ln(1 + x) / ln(1 + cap)) grows quickly for the first few posts,
replies or boards and saturates at ``cap``. A single post without replies scores about 5; an
event on 5 boards with 50 posts, 2,000 interactions and 10 new posts an hour scores 100.
``classifier.severity`` raises a 一般 / 较大 emergency by one level from heat ``HEAT_RAISE``
(75) on.
"""

from __future__ import annotations

import math
from typing import Final

WEIGHTS: Final = {"posts": 30.0, "boards": 20.0, "engagement": 35.0, "speed": 15.0}
CAPS: Final = {"posts": 50.0, "boards": 4.0, "engagement": 2000.0, "speed": 10.0}


def _s(x: float, cap: float) -> float:
    if x <= 0:
        return 0.0
    return min(1.0, math.log1p(x) / math.log1p(cap))


def heat_parts(
    *, posts: int, boards: int, replies: int, likes: int, span_hours: float
) -> dict[str, float]:
    """The four weighted parts of ``heat_score`` (for the evidence shown to a duty officer)."""
    posts = max(posts, 0)
    speed = (posts - 1) / max(span_hours, 1.0) if posts > 1 else 0.0
    raw = {
        "posts": _s(posts, CAPS["posts"]),
        "boards": _s(max(boards - 1, 0), CAPS["boards"]),
        "engagement": _s(max(replies, 0) + max(likes, 0) / 2, CAPS["engagement"]),
        "speed": _s(speed, CAPS["speed"]),
    }
    return {name: round(WEIGHTS[name] * value, 2) for name, value in raw.items()}


def heat_score(*, posts: int, boards: int, replies: int, likes: int, span_hours: float) -> float:
    """Heat of an event, 0..100 (see the module notes for the formula)."""
    parts = heat_parts(
        posts=posts, boards=boards, replies=replies, likes=likes, span_hours=span_hours
    )
    return round(min(100.0, sum(parts.values())), 2)
