"""Everything said about an activation: what is measured and declared, and its texts.

``describe`` gathers, for one set of parameters and one language, the measured properties,
the declared facts, the edge of chaos and the words of the texts (data files, one per
language, whose quoted numbers are filled in from the measurement).
"""

from service.numerics.describe.description import Description, continuity_label, describe
from service.numerics.describe.texts import (
    DEFAULT_LANGUAGE,
    LANGUAGES,
    NUMBERS,
    Language,
    Text,
    text_of,
    unmeasurable_note,
)

__all__ = [
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "NUMBERS",
    "Description",
    "Language",
    "Text",
    "continuity_label",
    "describe",
    "text_of",
    "unmeasurable_note",
]
