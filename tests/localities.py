"""The localities of the sample configurations, built once for the whole test run."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from classifier.grading import GradingTables
from classifier.locality import Locality
from classifier.severity import SeverityAssessment, assess
from domain.settings import load_settings

ROOT = Path(__file__).resolve().parent.parent
QIXINGGUAN = ROOT / "config" / "yuqing.toml"
JIANNING = ROOT / "config" / "jianning.toml"


@lru_cache(maxsize=4)
def locality_of(config: Path) -> Locality:
    return Locality.of(load_settings(config, environ={}).jurisdiction)


def sample_locality() -> Locality:
    """The 七星关区 sample's: what the severity tests were written for."""
    return locality_of(QIXINGGUAN)


def sample_assess(
    title: str,
    content: str,
    *,
    heat: float = 0.0,
    grading: GradingTables | None = None,
) -> SeverityAssessment:
    """``assess`` as the 七星关区 sample reads places."""
    return assess(title, content, heat=heat, grading=grading, locality=sample_locality())
