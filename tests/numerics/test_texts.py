"""Every entry is described in every language, the translations match, and quoted numbers are true."""

from __future__ import annotations

import re

import pytest

from service import numerics
from service.numerics.description import continuity_label, describe
from service.numerics.properties import measure
from service.numerics.texts import LANGUAGES, TEXTS, text_of

NAMES = sorted(numerics.ACTIVATIONS)
# "mean ≈ 0.81" and "均值约为 0.81": a quoted mean of the outputs for standard normal inputs.
QUOTED_MEAN = {
    "en": re.compile(r"mean (?:\S+ )?≈ (-?\d+\.\d+)"),
    "zh": re.compile(r"均值(?:约为 |为 \S+ ≈ )(-?\d+\.\d+)"),
}


@pytest.mark.parametrize("name", NAMES)
def test_every_entry_is_described_in_every_language(name: str) -> None:
    texts = [text_of(name, language) for language in LANGUAGES]
    assert all(texts), f"{name} lacks a text in some language"
    english = texts[0]
    assert english is not None
    for text in texts:
        assert text is not None
        assert text.description and text.initialisation
        assert all(text.pros) and all(text.cons)
        assert (len(text.pros), len(text.cons)) == (len(english.pros), len(english.cons))
    chinese = text_of(name, "zh")
    assert chinese is not None and re.search(r"[\u4e00-\u9fff]", chinese.description)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", NAMES)
def test_quoted_means_are_the_measured_ones(name: str, language: str) -> None:
    text = TEXTS[language][name]  # type: ignore[index]
    entry = numerics.get(name)
    mean = measure(entry, entry.resolve({})).gaussian_mean
    for quoted in QUOTED_MEAN[language].findall(" ".join((*text.pros, *text.cons))):
        decimals = len(quoted.split(".")[1])
        assert round(mean, decimals) == float(quoted), f"{name} ({language}) quotes {quoted}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_texts_quote_means(language: str) -> None:
    quoted = {
        name
        for name, text in TEXTS[language].items()  # type: ignore[index]
        if QUOTED_MEAN[language].search(" ".join((*text.pros, *text.cons)))
    }
    assert quoted >= {"relu", "leaky_relu", "elu", "softplus", "gelu"}


def test_described_in_both_languages_with_the_same_facts() -> None:
    entry = numerics.get("elu")
    english = describe(entry, {"alpha": 2.0}, "en")
    chinese = describe(entry, {"alpha": 2.0}, "zh")
    assert english.properties is chinese.properties
    assert continuity_label(english.continuity or 0) == "C^0"
    assert english.text != chinese.text
    assert continuity_label(describe(entry, {"alpha": 1.0}, "en").continuity or 0) == "C^1"
