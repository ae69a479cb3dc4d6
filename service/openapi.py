"""``python -m service.openapi``: the default app's OpenAPI schema as canonical JSON."""

from __future__ import annotations

import sys

import orjson

from service.config import Settings
from service.main import create_app


def schema_bytes() -> bytes:
    # Defaults only (no environment), so the committed schema does not depend on who exports it.
    app = create_app(Settings.model_construct())
    return orjson.dumps(app.openapi(), option=orjson.OPT_SORT_KEYS | orjson.OPT_INDENT_2) + b"\n"


if __name__ == "__main__":
    sys.stdout.buffer.write(schema_bytes())
