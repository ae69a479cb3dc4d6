"""Adding an activation is one new module: the entry CONTRIBUTING.md walks through, put in a
family folder of its own outside the source tree, is discovered, evaluated (numpy and
compiled), described, simulated and served, with nothing else edited.

The folder joins the catalog the way a namespace package would, by extending the catalog
package's ``__path__``, in a fresh interpreter so that no other test sees the entry.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def _worked_example() -> str:
    """The entry module that CONTRIBUTING.md walks through: its first Python block."""
    guide = (ROOT / "CONTRIBUTING.md").read_text()
    start = guide.index("```python\n", guide.index("### 1. The module")) + len("```python\n")
    return guide[start : guide.index("```", start)]


CHECK = """
import asyncio, sys
import httpx
import numpy as np
import service.numerics.catalog as catalog

catalog.__path__.append(sys.argv[1])

from service import numerics
from service.main import create_app
from service.config import Settings
from service.numerics import describe, networks

entry = numerics.get("bent_identity")
assert entry.family == "experimental" and "bent_identity" in numerics.ACTIVATIONS

x = np.linspace(-50, 50, 10_001)
wide = numerics.evaluate(entry, x, params={}, outputs=["value", "gradient"])
narrow = numerics.evaluate(entry, x.astype(np.float32), params={}, outputs=["value", "gradient"])
assert entry.kernel({}) is not None
for output in ("value", "gradient"):
    np.testing.assert_allclose(narrow[output], wide[output], rtol=2e-7)
ends = np.array([-np.inf, np.inf])
for kernels in (True, False):
    limits = numerics.evaluate(entry, ends, params={}, outputs=["value", "gradient"], kernels=kernels)
    assert limits["value"].tolist() == [-np.inf, np.inf]
    assert limits["gradient"].tolist() == [0.5, 1.5]

described = describe.describe(entry, {}, "en")
measured = described.properties
assert measured is not None and measured.monotonic == "increasing"
assert (measured.range.low, measured.range.high) == (-np.inf, np.inf)
assert described.text is None

flow = networks.simulate(
    networks.Experiment(entry, {}, (16, 16, 16), batch=8, seed=0),
    networks.Limits(**{name: 10**9 for name in networks.Limits.__dataclass_fields__}),
)
assert len(flow.layers) == 3


async def served() -> None:
    app = create_app(Settings.model_construct(compile_at_startup=False))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        listed = (await client.get("/api/v1/activations")).json()["activations"]
        assert "bent_identity" in [a["name"] for a in listed]
        detail = await client.get("/api/v1/activations/bent_identity")
        assert detail.status_code == 200, detail.text
        answer = await client.post(
            "/api/v1/activations/bent_identity/evaluate", json={"x": [0.0, 3.0]}
        )
        assert answer.json()["value"] == [0.0, float(wide["value"][x == 3.0][0])], answer.text


asyncio.run(served())
print("ok")
"""


def test_a_new_entry_module_is_all_it_takes(tmp_path: Path) -> None:
    family = tmp_path / "experimental"
    family.mkdir()
    (family / "__init__.py").write_text('"""A family made for this test."""\n')
    (family / "bent_identity.py").write_text(_worked_example())
    done = subprocess.run(
        [sys.executable, "-c", CHECK, str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip().endswith("ok")
