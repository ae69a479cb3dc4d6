"""What is said about each activation, in every language the service speaks.

The words are data: one module per language, each a table keyed by activation name. Numbers
quoted in them are those the properties module measures.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final, Literal

from service.numerics.texts import en, zh
from service.numerics.texts.text import Text

__all__ = ["DEFAULT_LANGUAGE", "LANGUAGES", "TEXTS", "Language", "Text", "text_of"]

Language = Literal["en", "zh"]
LANGUAGES: Final[tuple[Language, ...]] = ("en", "zh")
DEFAULT_LANGUAGE: Final[Language] = "en"

TEXTS: Mapping[Language, Mapping[str, Text]] = MappingProxyType({"en": en.TEXTS, "zh": zh.TEXTS})


def text_of(name: str, language: Language) -> Text | None:
    return TEXTS[language].get(name)
