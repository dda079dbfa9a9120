"""Value types shared by every part of the classifier.

They are frozen dataclasses so that they can be cached, compared in tests and turned into JSON
with ``dataclasses.asdict`` without surprises.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

LabelKind = Literal["topic", "handling", "severity", "rumour"]


@dataclass(frozen=True)
class PostText:
    """The two text fields every label is computed from."""

    title: str
    content: str

    @property
    def text(self) -> str:
        """Title and content joined the way the models see them."""
        return f"{self.title}\n{self.content}" if self.title else self.content


@dataclass(frozen=True)
class Label:
    """One label for one post, with what drove it so a person can check it.

    ``evidence`` holds plain JSON-friendly values (words, numbers, signal names); ``needs_review``
    marks low-confidence labels for a person to confirm.
    """

    kind: str  # "topic" | "handling" | "severity" | "rumour"
    label: str
    score: float
    evidence: dict[str, Any] = field(default_factory=dict)
    needs_review: bool = False
    model_version: str = ""
