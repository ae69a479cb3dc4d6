"""The kernels' on-disk cache: a second process loads what the first compiled."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from service.numerics.compiled import cache

# Compiles (or loads) three activations' kernels in a fresh process, and reports how numba
# got each loop and what the kernels computed.
_PROBE = """
import json, sys
from pathlib import Path
import numpy as np
from service import numerics

numerics.use_kernel_cache(Path(sys.argv[1]))
chosen = [numerics.get(name) for name in ("gelu", "hard_sigmoid", "softmax")]
numerics.compile_kernels(chosen)
x = np.linspace(-4, 4, 9, dtype=np.float32)
values = {
    a.name: numerics.evaluate(a, x.reshape(3, 3), params=a.resolve({}), outputs=["value"])["value"]
    .tolist()
    for a in chosen
}
from service.numerics.compiled.cache import _dispatchers
hits = sum(sum(d.stats.cache_hits.values()) for d in _dispatchers)
misses = sum(sum(d.stats.cache_misses.values()) for d in _dispatchers)
print(json.dumps({"hits": hits, "misses": misses, "values": values}))
"""


def _probe(directory: Path) -> dict[str, object]:
    result = subprocess.run(
        [sys.executable, "-c", _PROBE, str(directory)],
        capture_output=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])},
        timeout=300,
    )
    answer: dict[str, object] = json.loads(result.stdout)
    return answer


def test_a_second_process_loads_every_kernel_the_first_compiled(tmp_path: Path) -> None:
    first = _probe(tmp_path)
    assert first["hits"] == 0 and first["misses"] > 0
    (directory,) = tmp_path.iterdir()
    assert directory.name == cache.fingerprint()
    saved = sorted(p.name for p in directory.iterdir())
    second = _probe(tmp_path)
    assert second["misses"] == 0 and second["hits"] == first["misses"]
    assert second["values"] == first["values"]
    assert sorted(p.name for p in directory.iterdir()) == saved, "nothing saved again"


def test_a_cache_that_cannot_be_written_leaves_the_kernels_in_memory(tmp_path: Path) -> None:
    """As in a container with a read-only root filesystem and no cache baked in for this CPU:
    (as root, a read-only mode bit would not stop the writes, so a file stands in the way)."""
    (tmp_path / "file").write_text("")
    answer = _probe(tmp_path / "file" / "cache")
    assert answer["hits"] == 0 and answer["misses"] > 0


def test_the_fingerprint_names_the_sources_numba_and_python() -> None:
    assert cache.fingerprint() == cache.fingerprint()
    assert len(cache.fingerprint()) == 16
