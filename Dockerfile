# The base is a build argument so the image also builds where Docker Hub cannot be reached
# (docker build --build-arg BASE=<a local image with python3 and venv>).
ARG BASE=python:3.12-slim
FROM ${BASE}

# OCI annotations; CI passes the revision (docker build --build-arg REVISION=$(git rev-parse HEAD)).
ARG VERSION=0.1.0
ARG REVISION=unknown
ARG SOURCE=https://github.com/activation-service/activation-service
LABEL org.opencontainers.image.title="Activation Service" \
      org.opencontainers.image.description="Evaluates, simulates and describes neural-network activation functions over HTTP." \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.source="${SOURCE}" \
      org.opencontainers.image.licenses="MIT"

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PATH=/opt/venv/bin:$PATH \
    PYTHONPATH=/app \
    ACTIVATION_SERVICE_HOST=0.0.0.0 \
    ACTIVATION_SERVICE_PORT=8000 \
    ACTIVATION_SERVICE_KERNEL_CACHE_DIR=/opt/kernel-cache \
    MPLCONFIGDIR=/tmp/matplotlib

# Dependencies first, exactly as locked (versions and hashes), so that a code change reuses
# this layer. requirements.lock is made from pyproject.toml by
#   uv pip compile pyproject.toml --generate-hashes --universal --python-version 3.11 -o requirements.lock
WORKDIR /app
COPY requirements.lock ./
RUN python3 -m venv /opt/venv \
 && pip install --require-hashes --no-deps -r requirements.lock

# The service runs from its source tree (no build step, nothing unlocked installed). At build
# time the sources are compiled to bytecode and every kernel into the cache, so that the
# container starts in seconds on a read-only root filesystem; only /tmp need be writable
# (matplotlib's font cache, a second's work, is made there). On a CPU of another kind than the
# builder's, the kernels compile at start-up instead, in memory.
COPY service ./service
RUN python3 -m compileall -q service \
 && python3 -m service compile-kernels \
 && useradd --system --uid 10001 --no-create-home service

USER 10001
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s --start-period=30s --retries=3 \
    CMD ["python3", "-c", "import os, urllib.request; urllib.request.urlopen(f'http://127.0.0.1:{os.environ[\"ACTIVATION_SERVICE_PORT\"]}/healthz', timeout=2)"]
CMD ["python3", "-m", "service"]
