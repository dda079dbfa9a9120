"""The routing and deadline fields ``yuqing analyze`` adds to each post."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from domain.settings import Settings
from response_sla.configured import from_settings
from response_sla.directory import Directory
from response_sla.preview import routing_fields
from response_sla.routing import route

CST = timezone(timedelta(hours=8))


def test_a_major_post_gets_coordinators_and_the_5h_and_24h_windows(settings: Settings) -> None:
    setup = from_settings(settings)
    directory = Directory.from_jurisdiction(settings.jurisdiction)
    start = datetime(2026, 11, 24, 10, 7, tzinfo=CST)
    decision = route(
        directory, title="海子街镇客车坠河", content="海子街镇新开田村一辆客车坠河，已造成11人死亡。",
        topic="交通运输", severity="重大", emergency_type="事故灾难")
    out = routing_fields(decision, setup, severity="重大", handling="投诉/求助", start=start)
    assert {"qzfb", "xcb"} <= set(out["coordinate_units"])
    assert out["lead_unit"] == "yjj"  # the emergency plan's lead for 事故灾难
    assert "haizijie" in out["co_units"]  # 属地
    assert out["routing_reasons"]
    due = {d["kind"]: d["due_at"] for d in out["deadlines"]}
    assert due["publish_info"] == "2026-11-24T15:07:00+08:00"
    assert due["press_conference"] == "2026-11-25T10:07:00+08:00"
    assert "respond" not in due


def test_an_ordinary_complaint_answers_within_48_hours_of_its_own_time(
    settings: Settings,
) -> None:
    setup = from_settings(settings)
    directory = Directory.from_jurisdiction(settings.jurisdiction)
    decision = route(directory, title="洪山社区垃圾无人清运",
                     content="洪山街道洪山社区垃圾池一周没人清运。", topic="城乡建设", severity="常规")
    out = routing_fields(decision, setup, severity="常规", handling="投诉/求助",
                         start=datetime(2026, 11, 24, 8, 30, tzinfo=CST))
    assert out["lead_unit"] == "hongshan"
    due = {d["kind"]: d["due_at"] for d in out["deadlines"]}
    assert due["respond"] == "2026-11-26T08:30:00+08:00"
    # 签收 on office hours: 08:30–10:30 of that Tuesday
    assert due["acknowledge"] == "2026-11-24T10:30:00+08:00"
    clocks = {d["kind"]: d["clock"] for d in out["deadlines"]}
    assert (clocks["acknowledge"], clocks["respond"]) == ("office", "natural")
