"""A town's bare name (市西 for 市西街道, 洪山 for 洪山街道) names the town where it begins a word,
not where it is the tail of another word (城市, 本市, a city elsewhere) and the head of the
next (西边, 东部)."""

from __future__ import annotations

import pytest

from domain.settings import Settings
from response_sla.directory import Directory, begins_word
from response_sla.routing import route


@pytest.fixture
def d(settings: Settings) -> Directory:
    return Directory.from_jurisdiction(settings.jurisdiction)


def _towns(d: Directory, text: str) -> set[str]:
    return {m.unit_id for m in d.scan(text) if d.unit(m.unit_id).is_local}


@pytest.mark.parametrize(
    "text",
    [
        "城市西边的垃圾站好久没人清运了",
        "本市东部新区的房价涨得太快",
        "全市西药店都在涨价",
        "我在长春市西湖路上被出租车拒载",
        "安顺市西秀区人社局一直不回复",
    ],
)
def test_a_bare_name_inside_other_words_names_no_town(d: Directory, text: str) -> None:
    assert _towns(d, text) == set(), text


@pytest.mark.parametrize(
    ("text", "town"),
    [
        ("市西的菜市场太脏了", "shixi"),
        ("周末去洪山那边玩，路上全是坑", "hongshan"),
        ("撒拉溪没有公交车，进城要走两个钟头", "salaxi"),
        ("我们麻园这边晚上路灯都不亮", "mayuan"),
        ("鸭池赶场天车子乱停", "yachi"),
    ],
)
def test_a_bare_name_that_begins_a_word_names_its_town(
    d: Directory, text: str, town: str
) -> None:
    assert town in _towns(d, text), text


def test_the_full_and_short_names_match_anywhere(d: Directory) -> None:
    # only derived bare names are held to word starts; configured names are taken as written
    assert "shixi" in _towns(d, "城市西街道办事处旁边的路坏了")
    x = route(d, title="城市西边的路坏了", content="城市西边的路坏了", topic=None,
              severity="常规")
    assert x.lead != "shixi"


def test_begins_word() -> None:
    assert begins_word("去洪山看看", 1)
    assert not begins_word("城市西边", 1)
    assert begins_word("城市西边", 0)
