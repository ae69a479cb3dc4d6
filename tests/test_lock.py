"""requirements.lock, which the image installs from, pins every dependency pyproject.toml names."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]


def _pins() -> dict[str, list[Version]]:
    pins: dict[str, list[Version]] = {}
    for match in re.finditer(
        r"^([A-Za-z0-9_.-]+)==([^\s;\\]+)", (ROOT / "requirements.lock").read_text(), re.M
    ):
        name = re.sub(r"[-_.]+", "-", match[1]).lower()
        pins.setdefault(name, []).append(Version(match[2]))
    return pins


def test_every_dependency_is_locked_within_its_range_with_hashes() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    pins = _pins()
    for line in pyproject["project"]["dependencies"]:
        requirement = Requirement(line)
        name = re.sub(r"[-_.]+", "-", requirement.name).lower()
        assert name in pins, f"{name} is not in requirements.lock: compile it again"
        for version in pins[name]:
            assert requirement.specifier.contains(version), f"{name}=={version} vs {requirement}"
    # uv's header names the command that made the file: comments are no entries.
    lines = (ROOT / "requirements.lock").read_text().splitlines()
    entries = re.split(r"\n(?=[A-Za-z0-9])", "\n".join(x for x in lines if not x.startswith("#")))
    assert all("--hash=sha256:" in entry for entry in entries if entry.strip())
