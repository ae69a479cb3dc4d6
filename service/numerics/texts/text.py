"""The shape of what is said about one activation in one language."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Text"]


@dataclass(frozen=True, slots=True)
class Text:
    """A one-paragraph description, pros and cons in plain words, and a note on initialisation."""

    description: str
    pros: tuple[str, ...]
    cons: tuple[str, ...]
    initialisation: str
