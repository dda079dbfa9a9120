"""A digest of a week that has not ended tells what has happened so far, and says so; merged
and dropped events are nobody's breach."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from domain.settings import Settings
from storage.enums import DeadlineState, EventState, Severity
from tests.digest import dataset
from tests.digest.conftest import Built
from tests.digest.dataset import L
from tests.digest.htmltables import parse
from yuqing.digest.figures import WeekFigures
from yuqing.digest.render import build_digest_email, render_digest_text, week_figures

NOW = L(19, 12)  # Thursday noon of W47, the week not over


def _merged_breach(s: Session) -> int:
    """An event given to 区环保局 whose 签收 window passed unmet, then merged into another
    event on the same day: its assignment and its breach must not count."""
    ev = dataset.event(s, "重复的环境投诉", "环境保护", Severity.GENERAL, L(17, 9))
    dataset.post(s, ev, L(17, 9), "投诉/求助")
    a = dataset.assign(s, ev, "hbj", L(17, 9))
    d = dataset.clock(s, ev, "acknowledge", L(17, 9), L(17, 11), unit="hbj", assignment=a)
    dataset.breach(s, d, (1, L(17, 11)))
    d.state = DeadlineState.CANCELLED
    ev.state = EventState.MERGED
    dataset.log(s, L(17, 12), ev.id, "event", ev.id, "merged", None, {"into": 1})
    return ev.id


def test_an_unfinished_week_is_taken_as_of_now_and_says_so(
    built: Built, settings: Settings
) -> None:
    with built.sessions() as s:
        at_end = week_figures(settings, s, dataset.WEEK)
        so_far = week_figures(settings, s, dataset.WEEK, NOW)
        html = build_digest_email(settings, s, dataset.WEEK, NOW).html
        text = render_digest_text(settings, s, dataset.WEEK, NOW)
        finished = build_digest_email(settings, s, dataset.WEEK).html
    assert at_end.complete and not so_far.complete
    assert so_far.as_of == NOW
    # breaches whose deadline falls after Thursday noon are listed at the week's end only
    later = [b for b in at_end.breaches if b.deadline_at >= NOW]
    assert later, "the data set has breaches after Thursday noon"
    assert all(b.deadline_at < NOW for b in so_far.breaches)
    assert {b.clock_id for b in later}.isdisjoint(b.clock_id for b in so_far.breaches)
    # and every breach listed so far had really passed its deadline by then
    for b in so_far.breaches:
        assert b.late_by > timedelta(0) and b.deadline_at + b.late_by <= NOW + timedelta(seconds=1)
    # the digest says, at its top, that the week is not over
    assert "截至 11月19日 12:00，本周尚未结束" in html
    assert html.index('id="unfinished"') < html.index("一、本周概况")
    assert "截至 11月19日 12:00，本周尚未结束" in text
    assert 'id="unfinished"' not in finished
    assert parse(html)[1]["kpi-breaches"] == str(len(so_far.new_breaches))


def test_a_window_still_running_is_not_counted_against_the_unit(
    built: Built, settings: Settings
) -> None:
    """Mid-week, a 签收 whose window has not ended is neither done nor missed."""
    def jtj(figures: WeekFigures) -> tuple[int, int, int]:
        u = next((u for u in figures.units if u.unit_id == "jtj"), None)
        return (u.assignments, u.ack.done, u.ack.total) if u else (0, 0, 0)

    with built.sessions() as s:
        now_before, end_before = (
            jtj(week_figures(settings, s, dataset.WEEK, NOW)),
            jtj(week_figures(settings, s, dataset.WEEK)),
        )
        ev = dataset.event(s, "新交办的路灯投诉", "城乡建设", Severity.ROUTINE, L(19, 11))
        a = dataset.assign(s, ev, "jtj", L(19, 11))
        dataset.clock(s, ev, "acknowledge", L(19, 11), L(19, 13), unit="jtj", assignment=a)
        s.commit()
        now_after = jtj(week_figures(settings, s, dataset.WEEK, NOW))
        end_after = jtj(week_figures(settings, s, dataset.WEEK))
    # at noon: one more 交办, its 签收 still running, so the rate is untouched
    assert now_after == (now_before[0] + 1, now_before[1], now_before[2])
    # by the week's end the window has ended unmet: counted, and missed
    assert end_after == (end_before[0] + 1, end_before[1], end_before[2] + 1)


def test_a_merged_event_does_not_count(built: Built, settings: Settings) -> None:
    with built.sessions() as s:
        before = week_figures(settings, s, dataset.WEEK)
        merged = _merged_breach(s)
        s.commit()
        after = week_figures(settings, s, dataset.WEEK)
    assert all(b.event_id != merged for b in after.breaches)
    assert len(after.breaches) == len(before.breaches)
    hbj_before = next((u for u in before.units if u.unit_id == "hbj"), None)
    hbj_after = next((u for u in after.units if u.unit_id == "hbj"), None)
    assigned = hbj_before.assignments if hbj_before else 0
    assert (hbj_after.assignments if hbj_after else 0) == assigned
    assert after.totals.ack.total == before.totals.ack.total
    assert after.totals.breaches == before.totals.breaches
