"""The weekly retraining step of the service, and where it finds its training data.

``run_retraining`` reads the corrections from the database and runs one guarded retraining
(``classifier.retrain.retrain``) against the model registry under ``var_dir``. The scheduler's
job and ``yuqing classify retrain`` both call it; running it twice with nothing new does
nothing the second time.
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from classifier.model import ACTIVE_DIR, METADATA
from classifier.registry import Registry
from classifier.retrain import RetrainPolicy, RetrainResult, corrections_from_db, retrain
from domain.settings import Settings

REPO_ROOT = Path(__file__).resolve().parents[1]


def training_data_dir(settings: Settings | None) -> Path:
    """``[classifier] training_data``, else ``$YUQING_SHARED_DIR/data``, else
    ``../shared/data`` beside the installation."""
    if settings is not None and settings.classifier.training_data:
        return Path(settings.classifier.training_data)
    shared = os.environ.get("YUQING_SHARED_DIR")
    return (Path(shared) if shared else REPO_ROOT.parent / "shared") / "data"


def policy(settings: Settings) -> RetrainPolicy:
    c = settings.classifier
    return RetrainPolicy(holdout=c.retrain_holdout, tolerance=c.retrain_tolerance)


def run_retraining(
    settings: Settings, sessions: sessionmaker[Session], now: datetime
) -> RetrainResult:
    with sessions() as session:
        corrections = corrections_from_db(session)
    single = settings.var_dir / ACTIVE_DIR
    return retrain(
        Registry.of(settings.var_dir),
        training_data_dir(settings),
        corrections,
        now,
        policy=policy(settings),
        active_dir=single if (single / METADATA).is_file() else None,
    )
