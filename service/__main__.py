"""``python -m service``: serve the app with uvicorn on the configured host and port."""

import uvicorn

from service.config import get_settings

settings = get_settings()
uvicorn.run("service.main:app", host=settings.host, port=settings.port)
