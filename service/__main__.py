"""``python -m service``: serve the app with uvicorn on the configured host and port."""

from functools import partial

import uvicorn

from service.api.http_protocol import HeadDeadlineProtocol
from service.config import get_settings

settings = get_settings()
uvicorn.run(
    "service.main:app",
    host=settings.host,
    port=settings.port,
    timeout_keep_alive=settings.keep_alive_timeout,
    http=partial(HeadDeadlineProtocol, head_timeout=settings.head_timeout),  # type: ignore[arg-type]
)
