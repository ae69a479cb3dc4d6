"""Every entry is described in every language, the translations match, and quoted numbers are true."""

from __future__ import annotations

import re

import pytest

from service import numerics
from service.numerics.analysis.properties import measure
from service.numerics.describe.description import continuity_label, describe
from service.numerics.describe.texts import LANGUAGES, Language, Text, text_of

NAMES = sorted(numerics.ACTIVATIONS)
_NUMBER = r"([−-]?\d+(?:\.\d+)?)"
# "mean ≈ 0.81" and "均值约为 0.81": a quoted mean of the outputs for standard normal inputs.
QUOTED_MEAN = {
    "en": re.compile(r"mean (?:\S+ )?≈ " + _NUMBER),
    "zh": re.compile(r"均值(?:约为 |为 \S+ ≈ )" + _NUMBER),
}
# Their variance, and the global minimum of f.
QUOTED_VARIANCE = {
    "en": re.compile(r"variance ≈ " + _NUMBER),
    "zh": re.compile("方差约为 " + _NUMBER),
}
QUOTED_MINIMUM = {
    "en": re.compile(r"minimum ≈ " + _NUMBER),
    "zh": re.compile("最小值约为 " + _NUMBER),
}
# Where |f'| stays under 1% of its maximum: "for x < −6.1", "beyond |x| ≈ 3", "x > 4.6 时".
QUOTED_SATURATION = {
    "en": re.compile(
        r"below 1% of its maximum (?:only )?(?:for x ([<>]) |beyond \|x\| [≈=] )" + _NUMBER
    ),
    "zh": re.compile(
        r"(?:x ([<>]) " + _NUMBER + r" (?:时|处)|\|x\| (?:大约)?超过约? " + _NUMBER + r" 后)"
        r"[^。]*不到最大值的 1%"
    ),
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


def _said(name: str, language: Language) -> Text:
    """The text as describe gives it for the defaults: its numbers filled in."""
    entry = numerics.get(name)
    text = describe(entry, entry.resolve({}), language).text
    assert text is not None
    return text


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", NAMES)
def test_quoted_means_are_the_measured_ones(name: str, language: Language) -> None:
    text = _said(name, language)
    entry = numerics.get(name)
    words = " ".join((text.description, *text.pros, *text.cons))
    quotes = {
        what: pattern[language].findall(words)
        for what, pattern in (
            ("mean", QUOTED_MEAN),
            ("variance", QUOTED_VARIANCE),
            ("minimum", QUOTED_MINIMUM),
        )
    }
    if entry.axiswise:
        assert not any(quotes.values()), "an axis-wise entry has no scalar f(x) to quote"
        return
    p = measure(entry, entry.resolve({}))
    minimum = p.global_minimum.value if p.global_minimum else None
    measured = {"mean": p.gaussian_mean, "variance": p.gaussian_variance, "minimum": minimum}
    for side, *numbers in QUOTED_SATURATION[language].findall(words):
        number = next(n for n in numbers if n)
        edges = {"<": [p.saturates_below], ">": [p.saturates_above]}.get(
            side, [p.saturates_below and -p.saturates_below, p.saturates_above]
        )
        decimals = len(number.split(".")[1]) if "." in number else 0
        for edge in edges:
            assert edge is not None, f"{name} ({language}) quotes a saturation it has not"
            assert round(edge, decimals) == float(number.replace("−", "-")), (
                f"{name} ({language}) quotes saturation at {number}"
            )
    for what, quoted in quotes.items():
        for number in quoted:
            value = measured[what]
            assert value is not None, f"{name} ({language}) quotes a {what} it has not"
            decimals = len(number.split(".")[1])
            assert round(value, decimals) == float(number.replace("−", "-")), (
                f"{name} ({language}) quotes {what} {number}"
            )


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_texts_quote_means(language: Language) -> None:
    quoted = {
        name
        for name in NAMES
        if QUOTED_MEAN[language].search(
            " ".join((*_said(name, language).pros, *_said(name, language).cons))
        )
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


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", NAMES)
def test_quoted_numbers_are_measured_not_typed(name: str, language: Language) -> None:
    template = text_of(name, language)
    assert template is not None
    words = " ".join((template.description, *template.pros, *template.cons))
    for pattern in (QUOTED_MEAN, QUOTED_VARIANCE, QUOTED_MINIMUM, QUOTED_SATURATION):
        assert not pattern[language].search(words), "a quoted number is a placeholder"


def test_texts_describe_the_defaults_whatever_the_parameters() -> None:
    entry = numerics.get("elu")
    assert describe(entry, {"alpha": 2.0}, "en").text == _said("elu", "en")
