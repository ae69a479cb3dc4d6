from __future__ import annotations

import pytest

_ACCURACY_REPORT: list[str] = []


@pytest.fixture
def accuracy_report() -> list[str]:
    """Lines that the accuracy tests leave for the terminal summary (worst case per output)."""
    return _ACCURACY_REPORT


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _ACCURACY_REPORT:
        terminalreporter.section("worst error per activation and output (against mpmath)")
        for line in sorted(_ACCURACY_REPORT):
            terminalreporter.write_line(line)
