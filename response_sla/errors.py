"""Errors of the SLA configuration files, reported with the file and the key at fault."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    where: str  # file
    key: str  # dotted key inside the file, "-" for the whole file
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.key}: {self.message}"


class SlaConfigError(ValueError):
    """A policy or calendar file is unusable; ``problems`` lists every mistake found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class TransitionRefused(ValueError):
    """The requested change does not apply to the clock in its current state (shown to people)."""
