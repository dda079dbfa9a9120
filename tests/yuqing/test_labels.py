"""Every enum a person reads has its label in one place, and the places agree."""

from __future__ import annotations

from enum import StrEnum

import pytest

from domain.event_actions import EventAction
from domain.vocabulary import HANDLING_TYPES, HandlingType, Severity, UnitKind
from storage.enums import (
    AssignmentRole,
    AssignmentState,
    CrawlStatus,
    DeadlineState,
    EventState,
    OutboxState,
    ReviewStatus,
    Role,
)
from yuqing.digest.history import Status
from yuqing.digest.ledger import STATUS_LABELS
from yuqing.display import action_label

LABELLED: tuple[type[StrEnum], ...] = (
    EventState,
    AssignmentRole,
    AssignmentState,
    DeadlineState,
    ReviewStatus,
    OutboxState,
    Role,
    CrawlStatus,
    EventAction,
    Severity,
    HandlingType,
    UnitKind,
)


@pytest.mark.parametrize("enum", LABELLED, ids=lambda e: e.__name__)
def test_every_member_has_its_own_label(enum: type[StrEnum]) -> None:
    labels = [member.label for member in enum]  # type: ignore[attr-defined]
    assert all(isinstance(label, str) and label for label in labels)
    # two states that read the same could not be told apart on a page
    assert len(set(labels)) == len(labels)


def test_the_wording_duty_officers_read() -> None:
    assert DeadlineState.CLOSED_LATE.label == "超期完成"
    assert DeadlineState.MET.label == "按时完成"
    assert AssignmentRole.CO.label == "配合" and AssignmentRole.CO.task == "配合办理"
    assert [s.label for s in Severity] == ["特别重大", "重大", "较大", "一般", "常规"]


def test_a_window_closing_reads_the_same_in_its_state_the_timeline_and_the_digest() -> None:
    assert DeadlineState.MET.label == EventAction.MET.label == STATUS_LABELS[Status.MET]
    assert (
        DeadlineState.CLOSED_LATE.label
        == EventAction.CLOSED_LATE.label
        == STATUS_LABELS[Status.CLOSED_LATE]
    )
    assert STATUS_LABELS[Status.RUNNING] == DeadlineState.OPEN.label
    assert STATUS_LABELS[Status.CANCELLED] == DeadlineState.CANCELLED.label


def test_handling_types_are_the_vocabulary() -> None:
    assert HANDLING_TYPES == ("建言", "咨询", "投诉/求助")
    assert tuple(h.label for h in HandlingType) == HANDLING_TYPES


def test_timeline_shows_unknown_actions_as_stored() -> None:
    assert action_label("acknowledged") == "签收"
    assert action_label("state_changed") == "状态变更"
    assert action_label("from_a_newer_version") == "from_a_newer_version"
