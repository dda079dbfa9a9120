"""待核实 in the weekly digest: questions asked, confirmed, dismissed, still waiting — taken
from the event log as of the end of the week, so a past week renders the same again."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from domain.settings import Settings
from storage.enums import Severity
from tests.digest import dataset
from tests.digest.conftest import Built
from tests.digest.dataset import END, L, event, log
from yuqing.digest.render import render_digest_text, week_figures
from yuqing.digest.verification import VerificationCounts, verification_counts


def _questions(s: Session) -> None:
    def asked(title: str, at: object) -> int:
        ev = event(s, title, "交通运输", Severity.LARGE, at)  # type: ignore[arg-type]
        log(s, at, ev.id, "event", ev.id, "verification_requested",  # type: ignore[arg-type]
            detail={"candidate": "重大"})
        return ev.id

    last_week = asked("上周提请、本周确认", L(15, 20))
    log(s, L(16, 9), last_week, "event", last_week, "verification_confirmed")
    dismissed = asked("本周提请、本周排除", L(17, 8))
    log(s, L(17, 9), dismissed, "event", dismissed, "verification_dismissed")
    asked("本周提请、周末仍待核实", L(20, 22))
    merged = asked("本周提请、后来并入", L(18, 10))
    log(s, L(18, 11), merged, "event", merged, "merged")
    answered_later = asked("本周提请、下周才确认", L(22, 20))
    log(s, L(24, 9), answered_later, "event", answered_later, "verification_confirmed")


def test_the_week_counts_questions_and_answers(
    sqlite_sessions: sessionmaker[Session], settings: Settings
) -> None:
    with sqlite_sessions.begin() as s:
        _questions(s)
    with sqlite_sessions() as s:
        week = verification_counts(s, L(16), END)
        assert week == VerificationCounts(asked=4, confirmed=1, dismissed=1, waiting=2)
        before = verification_counts(s, L(9), L(16))
        assert before == VerificationCounts(asked=1, confirmed=0, dismissed=0, waiting=1)
        # the answer given in the next week does not change this week's figures
        after = verification_counts(s, END, L(30))
        assert (after.asked, after.confirmed, after.waiting) == (0, 1, 1)


def test_the_digest_reports_them(built: Built, settings: Settings) -> None:
    with built.sessions.begin() as s:
        _questions(s)
    with built.sessions() as s:
        figures = week_figures(settings, s, dataset.WEEK)
        assert figures.verification.confirmed == 1
        text = render_digest_text(settings, s, dataset.WEEK)
    assert "待核实（疑似特别重大、重大）：本周提请核实 4 起，确认为重大 1 起，核实排除 1 起，周末仍待核实 2 起。" in text
