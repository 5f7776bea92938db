# capplan HTTP service. Build: docker build -t capplan .   Run: docker run -p 8000:8000 capplan
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# Dependencies come from pyproject.toml; only what the installed package needs is copied.
COPY pyproject.toml README.md ./
COPY api_schemas ./api_schemas
COPY solver ./solver
COPY checker ./checker
COPY service ./service
RUN pip install . \
    && useradd --create-home --uid 10001 --shell /usr/sbin/nologin capplan

USER capplan

EXPOSE 8000

# The slim image has no curl: Python checks liveness itself (on CAPPLAN_PORT when it is changed).
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('CAPPLAN_PORT', '8000') + '/healthz', timeout=4)"]

# The port is the settings default (8000, as exposed); CAPPLAN_PORT changes it for the server and the check alike.
CMD ["capplan", "serve", "--host", "0.0.0.0"]
