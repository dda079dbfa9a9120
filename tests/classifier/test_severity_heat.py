"""Heat of an event (0..100)."""

from __future__ import annotations

import pytest

from classifier.heat import heat_parts, heat_score


def test_single_quiet_post_is_cold() -> None:
    assert heat_score(posts=1, boards=1, replies=0, likes=0, span_hours=0) < 10


def test_saturates_at_100() -> None:
    assert heat_score(posts=500, boards=9, replies=10_000, likes=5_000, span_hours=2) == 100


@pytest.mark.parametrize("field", ["posts", "boards", "replies", "likes"])
def test_grows_with_each_signal(field: str) -> None:
    base = {"posts": 3, "boards": 1, "replies": 5, "likes": 5, "span_hours": 10.0}
    more = dict(base, **{field: int(base[field]) * 4})
    assert heat_score(**more) > heat_score(**base)  # type: ignore[arg-type]


def test_faster_spread_is_hotter() -> None:
    slow = heat_score(posts=10, boards=2, replies=50, likes=0, span_hours=48)
    fast = heat_score(posts=10, boards=2, replies=50, likes=0, span_hours=2)
    assert fast > slow


def test_parts_add_up_and_negative_input_is_harmless() -> None:
    parts = heat_parts(posts=20, boards=3, replies=500, likes=1000, span_hours=3)
    assert set(parts) == {"posts", "boards", "engagement", "speed"}
    assert heat_score(posts=20, boards=3, replies=500, likes=1000, span_hours=3) == pytest.approx(
        sum(parts.values()), abs=0.02
    )
    assert heat_score(posts=0, boards=0, replies=-5, likes=-5, span_hours=-1) == 0
