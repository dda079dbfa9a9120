"""Grouping posts into events: near duplicates, same incident, same matter, follow-ups."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from classifier.events import EventIndex, normalize, place_level

T0 = datetime(2024, 7, 1, 8, 0, tzinfo=UTC)
FIRE = "德溪新区一栋高层住宅起火，目前已造成3人死亡，伤者众多，消防正在全力救援。"


@pytest.fixture
def index() -> EventIndex:
    idx = EventIndex()
    idx.add(1, "E1", FIRE, published_at=T0, places=["德溪新区"], topic="城乡建设")
    idx.add(
        2,
        "E2",
        "洪山社区3栋门口的垃圾一个星期没人清运，臭气熏天。",
        published_at=T0,
        places=["七星关区", "洪山社区"],
        topic="环境保护",
    )
    return idx


def test_repost_with_prefix_is_a_near_duplicate(index: EventIndex) -> None:
    m = index.match("【转帖】" + FIRE, published_at=T0 + timedelta(hours=1))
    assert m is not None and m.event_key == "E1"
    assert m.similarity >= 0.9
    assert m.reasons[0].startswith("近似重复 (Jaccard ")
    assert m.reasons[0].endswith("of post 1")


def test_small_edits_are_a_near_duplicate(index: EventIndex) -> None:
    edited = "转：德溪新区一栋高层住宅起火了！！目前已造成3人死亡，伤者众多，消防正在救援"
    m = index.match(edited, published_at=T0 + timedelta(hours=2))
    assert m is not None and m.event_key == "E1"


def test_same_incident_written_differently_on_another_board(index: EventIndex) -> None:
    other = "刚才路过德溪新区，那栋高楼着火了，烟好大，听说有人没跑出来。"
    m = index.match(other, published_at=T0 + timedelta(hours=3), places=["德溪新区"])
    assert m is not None and m.event_key == "E1"
    assert "same place 德溪新区 + emergency vocabulary" in m.reasons[0]


def test_same_specific_place_and_topic_within_48_hours(index: EventIndex) -> None:
    text = "洪山社区垃圾桶满了也没人管，苍蝇乱飞。"
    m = index.match(
        text, published_at=T0 + timedelta(hours=20), places=["洪山社区"], topic="环境保护"
    )
    assert m is not None and m.event_key == "E2"
    assert m.reasons == ("same place 洪山社区 + same topic 环境保护 within 20 h of post 2",)
    # a different topic at the same place is another matter
    assert (
        index.match(
            text, published_at=T0 + timedelta(hours=20), places=["洪山社区"], topic="交通运输"
        )
        is None
    )


def test_follow_up_after_48_hours_needs_a_follow_up_word(index: EventIndex) -> None:
    later = T0 + timedelta(hours=60)
    plain = "洪山社区的路灯坏了。"
    assert index.match(plain, published_at=later, places=["洪山社区"], topic="环境保护") is None
    follow = "后续：洪山社区的垃圾还是没人清运。"
    m = index.match(follow, published_at=later, places=["洪山社区"], topic="环境保护")
    assert m is not None and m.event_key == "E2"
    assert m.reasons[0].startswith("follow-up (后续)")


def test_broad_place_alone_never_groups(index: EventIndex) -> None:
    index.add(
        3,
        "E3",
        "七星关区的公交车太少了，希望增加班次。",
        published_at=T0,
        places=["七星关区"],
        topic="交通运输",
    )
    other = "七星关区的出租车经常拒载，希望管一管。"
    assert (
        index.match(
            other, published_at=T0 + timedelta(hours=1), places=["七星关区"], topic="交通运输"
        )
        is None
    )


def test_township_needs_a_shared_emergency_word() -> None:
    idx = EventIndex()
    idx.add(1, "E1", "鸭池镇石桥村今早发生山体滑坡，3人被埋。", published_at=T0, places=["鸭池镇"])
    same = "鸭池镇那边山体滑坡了，听说埋了人"
    other = "鸭池镇一辆货车侧翻，司机受伤。"
    m = idx.match(same, published_at=T0 + timedelta(hours=2), places=["鸭池镇"])
    assert m is not None and m.event_key == "E1"
    assert idx.match(other, published_at=T0 + timedelta(hours=2), places=["鸭池镇"]) is None


def test_window_limits_every_rule(index: EventIndex) -> None:
    late = T0 + timedelta(days=4)
    assert index.match(FIRE, published_at=late) is None
    assert index.match(FIRE, published_at=late, places=["德溪新区"]) is None


def test_merge_moves_posts_to_the_other_event(index: EventIndex) -> None:
    index.merge("E1", "E2")
    assert index.event_of(1) == "E2"
    m = index.match(FIRE, published_at=T0)
    assert m is not None and m.event_key == "E2"
    index.merge("E2", "E2")  # no-op
    assert index.event_of(2) == "E2"


def test_prune_forgets_old_posts(index: EventIndex) -> None:
    index.add(
        9,
        "E9",
        "碧阳大道路面塌陷，一辆车掉进坑里。",
        published_at=T0 + timedelta(days=2),
        places=["碧阳大道"],
    )
    index.prune(T0 + timedelta(days=1))
    assert len(index) == 1
    assert index.event_of(1) is None
    assert index.match(FIRE, published_at=T0) is None


def test_adding_a_post_again_replaces_it(index: EventIndex) -> None:
    index.add(1, "E7", FIRE, published_at=T0, places=["德溪新区"])
    assert len(index) == 2
    m = index.match(FIRE, published_at=T0)
    assert m is not None and m.event_key == "E7"


def test_unrelated_posts_do_not_group(index: EventIndex) -> None:
    text = "梨树镇中心小学门口放学时车辆很多，建议安排交警疏导。"
    assert index.match(text, published_at=T0, places=["梨树镇中心小学"], topic="交通运输") is None
    assert EventIndex().match(text, published_at=T0) is None  # empty index


def test_naive_times_are_taken_as_utc(index: EventIndex) -> None:
    m = index.match(FIRE, published_at=datetime(2024, 7, 1, 9, 0))
    assert m is not None and m.event_key == "E1"


def test_normalize_and_place_levels() -> None:
    assert normalize("【转帖】Re: 转：//@张三: 德溪新区 起火！") == "德溪新区起火"
    assert place_level("七星关区") == "broad"
    assert place_level("毕节市") == "broad"
    assert place_level("鸭池镇") == "town"
    assert place_level("碧阳街道") == "town"
    assert place_level("德溪新区") == "specific"
    assert place_level("洪山社区") == "specific"
    assert place_level("七星关", broad_places={"七星关"}) == "broad"


def test_many_posts_stay_fast() -> None:
    import time

    idx = EventIndex()
    start = time.perf_counter()
    for i in range(600):
        text = (
            f"第{i}号反映：{'麻园路' if i % 2 else '洪山路'}路灯不亮，编号{i * 7919}，请尽快维修。"
        )
        when = T0 + timedelta(minutes=i)
        m = idx.match(text, published_at=when, places=["麻园路"], topic="城乡建设")
        idx.add(
            i, m.event_key if m else i, text, published_at=when, places=["麻园路"], topic="城乡建设"
        )
    assert (time.perf_counter() - start) / 600 < 0.005


# ---------------------------------------------------------------- updates of an incident

from classifier.incidents import IncidentFacts  # noqa: E402

AREAS = {"海子街镇": ["haizijie"], "新开田村": ["haizijie"], "兴海路": ["haizijie"],
         "鸭池镇": ["yachi"], "石桥村": ["yachi"]}
CRASH = "今天上午新开田村附近一辆客车侧翻坠入河道，已造成3人死亡，现场还在搜救。"


def _crash_index() -> EventIndex:
    idx = EventIndex(areas=AREAS)
    idx.add(1, "E1", CRASH, published_at=T0, places=["海子街镇", "新开田村"],
            incident=IncidentFacts("事故灾难", frozenset({("deaths", 3.0)})))
    return idx


def test_an_update_in_other_words_joins_through_the_town() -> None:
    idx = _crash_index()
    update = "最新：海子街镇事故死亡人数升至13人"
    m = idx.match(update, published_at=T0 + timedelta(hours=5), places=["海子街镇"],
                  incident=IncidentFacts("事故灾难", frozenset({("deaths", 13.0)})))
    assert m is not None and m.event_key == "E1"
    assert m.reasons[0].startswith("update (最新) of the 事故灾难 at 海子街镇")
    assert "死亡 13 人" in m.reasons[0]
    # days later an update still joins; after the follow-up window it does not
    later = T0 + timedelta(days=6)
    assert idx.match(update, published_at=later, places=["海子街镇"],
                     incident=IncidentFacts("事故灾难")) is not None
    assert idx.match(update, published_at=T0 + timedelta(days=8), places=["海子街镇"],
                     incident=IncidentFacts("事故灾难")) is None


def test_updates_of_another_kind_place_or_incident_stay_apart() -> None:
    idx = _crash_index()
    at = T0 + timedelta(hours=2)
    accident = IncidentFacts("事故灾难", frozenset({("deaths", 2.0)}))
    # another town
    assert idx.match("最新：鸭池镇车祸死亡升至2人", published_at=at, places=["鸭池镇"],
                     incident=accident) is None
    # another kind of incident in the same town
    assert idx.match("最新：海子街镇一民房火灾死亡升至2人", published_at=at,
                     places=["海子街镇"], incident=accident) is None
    # another village of the same town
    assert idx.match("最新：兴海路车祸死亡升至2人", published_at=at,
                     places=["海子街镇", "兴海路"], incident=accident) is None
    # a second incident, said so
    assert idx.match("海子街镇又发生一起车祸，最新已有2人死亡", published_at=at,
                     places=["海子街镇"], incident=accident) is None


def test_changed_figures_at_the_same_village_join_without_an_update_word() -> None:
    idx = _crash_index()
    m = idx.match("新开田村客车坠河事故，11人遇难", published_at=T0 + timedelta(hours=3),
                  places=["新开田村"],
                  incident=IncidentFacts("事故灾难", frozenset({("deaths", 11.0)})))
    assert m is not None and m.event_key == "E1"


def test_a_market_is_no_city() -> None:
    assert place_level("海子街集市") == "specific"


def test_an_update_graded_as_another_type_joins_when_it_names_the_same_incident() -> None:
    """Relatives gathering after the crash may read as a crowd: the 客车 says it is the crash."""
    idx = _crash_index()
    crowd = IncidentFacts("社会安全事件", frozenset({("deaths", 13.0)}))
    m = idx.match("最新：海子街镇客车事故死亡升至13人，上百名家属聚集", places=["海子街镇"],
                  published_at=T0 + timedelta(hours=6), incident=crowd)
    assert m is not None and m.event_key == "E1"
    assert idx.match("最新：海子街镇上百名群众聚集堵路，3人受伤", places=["海子街镇"],
                     published_at=T0 + timedelta(hours=6), incident=crowd) is None
