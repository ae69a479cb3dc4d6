"""What is said about each activation, in every language the service speaks.

The words are data: one TOML file per language beside this module (en.toml, zh.toml), a table
per activation. Numbers they quote are measured, not typed: a placeholder such as
``{mean:.2f}`` or ``{saturates_below:.1f}`` stands for a measured property (NUMBERS names
them), filled in from the entry measured at its defaults, which the words describe, with
the minus sign of typeset text.
Other braces (``e^{x/α}``) are text.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Final, Literal

from service.numerics.exceptions import Unmeasurable

__all__ = [
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "NUMBERS",
    "Language",
    "Text",
    "text_of",
    "unmeasurable_note",
]

Language = Literal["en", "zh"]
LANGUAGES: Final[tuple[Language, ...]] = ("en", "zh")
DEFAULT_LANGUAGE: Final[Language] = "en"

NUMBERS: Final = ("mean", "variance", "minimum", "saturates_below", "saturates_above")
"""The measured numbers a text may quote: E f(z) and Var f(z) for z ~ N(0, 1), the global
minimum of f, and where |f'| falls under 1% of its maximum on either side."""
_PLACEHOLDER: Final = re.compile(r"\{(" + "|".join(NUMBERS) + r"):\.(\d+)f\}")


@dataclass(frozen=True, slots=True)
class Text:
    """A one-paragraph description, pros and cons in plain words, and a note on initialisation."""

    description: str
    pros: tuple[str, ...]
    cons: tuple[str, ...]
    initialisation: str

    def quotes(self) -> set[str]:
        """The measured numbers this text quotes."""
        return {m[1] for part in self._parts() for m in _PLACEHOLDER.finditer(part)}

    def filled(self, numbers: Mapping[str, float | None]) -> Text:
        """The text with every quoted number written out from ``numbers``."""

        def fill(part: str) -> str:
            return _PLACEHOLDER.sub(lambda m: _typeset(numbers[m[1]], int(m[2])), part)

        return Text(
            description=fill(self.description),
            pros=tuple(map(fill, self.pros)),
            cons=tuple(map(fill, self.cons)),
            initialisation=fill(self.initialisation),
        )

    def _parts(self) -> tuple[str, ...]:
        return (self.description, *self.pros, *self.cons, self.initialisation)


def _typeset(value: float | None, decimals: int) -> str:
    assert value is not None, "a text quotes only numbers its measurement has"
    return f"{value:.{decimals}f}".replace("-", "−")


@cache
def _load(language: Language) -> tuple[dict[str, Text], dict[str, str]]:
    source = resources.files(__package__).joinpath(f"{language}.toml").read_text("utf-8")
    data = tomllib.loads(source)
    texts = {
        name: Text(
            description=table["description"],
            pros=tuple(table["pros"]),
            cons=tuple(table["cons"]),
            initialisation=table["initialisation"],
        )
        for name, table in data["activations"].items()
    }
    return texts, data["unmeasurable"]


def text_of(name: str, language: Language) -> Text | None:
    """What is said about ``name`` in ``language``, its numbers still to be filled in."""
    return _load(language)[0].get(name)


def unmeasurable_note(reason: Unmeasurable, name: str, language: Language) -> str:
    """Why ``name`` has no measured properties, in ``language``."""
    return _load(language)[1][reason].format(name=name)
