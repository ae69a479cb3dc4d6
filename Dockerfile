# The base is a build argument so the image also builds where Docker Hub cannot be reached
# (docker build --build-arg BASE=<a local image with python3 and venv>).
ARG BASE=python:3.12-slim
FROM ${BASE}

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PATH=/opt/venv/bin:$PATH \
    ACTIVATION_SERVICE_HOST=0.0.0.0 \
    ACTIVATION_SERVICE_PORT=8000 \
    MPLCONFIGDIR=/opt/matplotlib

# Dependencies first, from pyproject.toml alone, so that a code change reuses this layer.
WORKDIR /app
COPY pyproject.toml ./
RUN python3 -m venv /opt/venv \
 && python3 -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > /tmp/requirements.txt \
 && pip install -r /tmp/requirements.txt \
 && rm /tmp/requirements.txt

COPY README.md ./
COPY service ./service
# matplotlib's font cache is built here, not on the first plot request.
RUN pip install --no-deps . \
 && useradd --system --uid 10001 --no-create-home service \
 && python3 -c "import matplotlib.font_manager" \
 && chown -R service "$MPLCONFIGDIR"

USER service
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s --retries=3 \
    CMD ["python3", "-c", "import os, urllib.request; urllib.request.urlopen(f'http://127.0.0.1:{os.environ[\"ACTIVATION_SERVICE_PORT\"]}/healthz', timeout=2)"]
CMD ["python3", "-m", "service"]
