from __future__ import annotations

import pytest

from service.numerics.catalog import Activation, declared
from service.numerics.types import ParamValue

_ACCURACY_REPORT: list[str] = []


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def accuracy_report() -> list[str]:
    """Lines that the accuracy tests leave for the terminal summary (worst case per output)."""
    return _ACCURACY_REPORT


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _ACCURACY_REPORT:
        terminalreporter.section("worst error per activation and output (against mpmath)")
        for line in sorted(_ACCURACY_REPORT):
            terminalreporter.write_line(line)


def parameter_sets(entry: Activation) -> list[dict[str, ParamValue]]:
    """The defaults ({}), then the variants the entry declares for the tests."""
    return [{}, *map(dict, entry.variants)]


def kinks_of(entry: Activation) -> list[float]:
    """The declared kinks of an entry, for its defaults and every variant, in one sorted list."""
    found = {
        kink
        for params in parameter_sets(entry)
        for kink in declared(entry.facts.kinks, entry.resolve(params))
    }
    return sorted(found)
