"""Name -> Activation, discovered: every module of every family folder is one entry.

The catalog is a package of family folders (``rectifiers/``, ``sigmoidal/``, ...), each holding
one module per activation that ends with ``ACTIVATION = Activation(...)``. Nothing lists them:
the registry walks the folders on first use, imports each module, takes its entry under the
module's name and gives it its folder's name as family (``self_gated`` is "self-gated").
Modules whose names start with ``_`` hold what several entries of a family share.
Aliases are declared in the entries; an alias never shadows a name.
"""

from __future__ import annotations

import dataclasses
import difflib
import importlib
import pkgutil
from collections.abc import Iterator, Mapping
from functools import cached_property

from service.numerics.catalog.entry import Activation
from service.numerics.exceptions import UnknownActivation

__all__ = ["Catalog", "discover"]


def discover(package: str) -> dict[str, Activation]:
    """Every entry in the family folders of ``package`` (all of its ``__path__``), by name."""
    root = importlib.import_module(package)
    found: dict[str, Activation] = {}
    for family in pkgutil.iter_modules(root.__path__):
        if not family.ispkg or family.name.startswith("_"):
            continue
        folder = importlib.import_module(f"{package}.{family.name}")
        for module in pkgutil.iter_modules(folder.__path__):
            if module.name.startswith("_"):
                continue
            declared = importlib.import_module(f"{folder.__name__}.{module.name}").ACTIVATION
            if not isinstance(declared, Activation) or declared.name != module.name:
                raise TypeError(
                    f"{folder.__name__}.{module.name}.ACTIVATION must be the Activation named"
                    f" {module.name!r}"
                )
            if declared.name in found:
                raise TypeError(f"two entries are named {declared.name!r}")
            family_name = family.name.replace("_", "-")
            found[declared.name] = dataclasses.replace(declared, family=family_name)
    return dict(sorted(found.items()))


class Catalog(Mapping[str, Activation]):
    """The entries found under ``package`` by canonical name, in alphabetical order, with their
    aliases; discovered on first use, so that importing the core imports no entry."""

    def __init__(self, package: str) -> None:
        self._package = package

    @cached_property
    def _entries(self) -> dict[str, Activation]:
        return discover(self._package)

    @cached_property
    def aliases(self) -> Mapping[str, str]:
        """Other libraries' names for the entries (torch.nn.functional, keras.activations,
        jax.nn): alias -> canonical name."""
        table = {alias: entry.name for entry in self.values() for alias in entry.aliases}
        shadowed = sorted(set(table) & set(self._entries))
        if shadowed:
            raise TypeError(f"aliases {shadowed} are names of other entries")
        return dict(sorted(table.items()))

    def __getitem__(self, name: str) -> Activation:
        return self._entries[name]

    def __contains__(self, name: object) -> bool:
        return name in self._entries

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def lookup(self, name: str) -> Activation:
        """The entry called ``name`` or one of its aliases; UnknownActivation suggests near names."""
        entry = self._entries.get(self.aliases.get(name, name))
        if entry is None:
            known = [*self._entries, *self.aliases]
            suggestions = difflib.get_close_matches(name.lower(), known, n=3, cutoff=0.5)
            raise UnknownActivation(name, suggestions)
        return entry

    def knows(self, name: str) -> bool:
        """Whether ``name`` is an entry's name or alias."""
        return name in self._entries or name in self.aliases
