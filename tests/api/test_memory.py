"""Peak memory of one request is bounded by a multiple of its body, and nothing is kept after.

Each case runs in a fresh process, through the app as uvicorn calls it (the body in 64 KiB
messages), and reads the kernel's peak resident size (VmHWM, reset before the request) against
the warm size before it. The multiples are those the README declares: JSON 6x, for numbers as
serialisers write them and for the densest ("1.5," each, four bytes a number: the float64
arrays x and the result are four times the body; the arrays are read and the answer written
in slices), .npy 3x (the answer leaves in slices of the result).
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

_MEASURE = textwrap.dedent(
    """
    import asyncio, ctypes, gc, io, json, sys
    import numpy as np
    from service.config import Settings
    from service.main import create_app

    def status(field):
        for line in open("/proc/self/status"):
            if line.startswith(field):
                return int(line.split()[1]) * 1024

    def case(name):
        rng = np.random.default_rng(0)
        if name in ("ragged_json", "dense_json"):
            n = 24 * 2**20 // 4
            end = b"],[1]]}" if name == "ragged_json" else b"]]}"
            return b'{"x":[[' + b"1.5," * (n - 1) + b"1.5" + end, "application/json"
        if name == "json":
            return json.dumps({"x": rng.standard_normal((1000, 1000)).tolist()}).encode(), (
                "application/json")
        buffer = io.BytesIO()
        np.save(buffer, rng.standard_normal(10**7).astype(np.float32))
        return buffer.getvalue(), "application/x-npy"

    async def call(app, body, media_type):
        sent, status_code = 0, []
        async def receive():
            nonlocal sent
            chunk = body[sent : sent + 65536]
            sent += len(chunk)
            return {"type": "http.request", "body": chunk, "more_body": sent < len(body)}
        async def send(message):
            if message["type"] == "http.response.start":
                status_code.append(message["status"])
        scope = {
            "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
            "method": "POST", "scheme": "http", "path": "/api/v1/activations/tanh/evaluate",
            "raw_path": b"", "root_path": "", "query_string": b"",
            "headers": [(b"content-type", media_type.encode()),
                        (b"content-length", str(len(body)).encode())],
            "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 80),
        }
        await app(scope, receive, send)
        return status_code[0]

    async def main(name):
        app = create_app(Settings(compile_at_startup=False))
        body, media_type = case(name)
        for small in (b'{"x":[1.0]}', b'{"x":[1.0],"dtype":"float32"}'):
            await call(app, small, "application/json")
        gc.collect()
        ctypes.CDLL(None).malloc_trim(0)
        warm = status("VmRSS:")
        with open("/proc/self/clear_refs", "w") as refs:
            refs.write("5")
        code = await call(app, body, media_type)
        peak = status("VmHWM:")
        gc.collect()
        ctypes.CDLL(None).malloc_trim(0)
        kept = status("VmRSS:") - warm
        print(json.dumps({"status": code, "body": len(body), "peak": (peak - warm) / len(body),
                          "kept": kept / len(body)}))

    asyncio.run(main(sys.argv[1]))
    """
)


def _measure(case: str) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, "-c", _MEASURE, case],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    measured: dict[str, float] = json.loads(done.stdout.splitlines()[-1])
    return measured


@pytest.mark.skipif(not Path("/proc/self/clear_refs").exists(), reason="Linux's VmHWM reset")
@pytest.mark.parametrize(
    ("case", "status", "multiple"),
    [("ragged_json", 422, 6.0), ("dense_json", 200, 6.0), ("json", 200, 6.0), ("npy", 200, 3.0)],
)
def test_peak_memory_is_a_bounded_multiple_of_the_body(
    case: str, status: int, multiple: float
) -> None:
    measured = _measure(case)
    print(case, measured)
    assert measured["status"] == status
    assert measured["peak"] <= multiple
    assert measured["kept"] <= 0.1
