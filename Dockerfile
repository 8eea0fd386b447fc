# Two images from one file: the default (last) stage is the web image; the
# `worker` stage adds LibreOffice for the pdf queue (docker-compose pdf-worker).
# Debian 12 (bookworm) as in CI: LibreOffice 7.4, whose layout the tests pin.
FROM python:3.11-slim-bookworm AS base
RUN apt-get update \
 && apt-get install -y --no-install-recommends fonts-liberation \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml README.md ./
COPY service ./service
COPY workers ./workers
COPY templates_docx ./templates_docx
COPY config ./config
# Alembic migrations: the web runs `python -m service.cli db upgrade` before gunicorn.
COPY migrations ./migrations
COPY alembic.ini ./
# Editable: the code stays in /app beside migrations/ and config/ (config.settings.ROOT).
RUN pip install --no-cache-dir -e .
ENV PYTHONUNBUFFERED=1

# The converter: LibreOffice Writer without X, driven over UNO by Debian's own
# python3 (python3-uno); poppler-utils renders page previews (pdftoppm).
FROM base AS worker
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libreoffice-writer-nogui python3-uno fonts-liberation poppler-utils \
 && rm -rf /var/lib/apt/lists/*
ENV VANBAN_UNO_PYTHON=/usr/bin/python3
CMD ["celery", "-A", "workers.celery_app", "worker", "--queues", "pdf", \
     "--pool", "threads", "--concurrency", "2", "--loglevel", "INFO"]

FROM base AS web
EXPOSE 8000
CMD ["gunicorn", "--bind", "0.0.0.0:8000", "--workers", "2", "--threads", "4", "service:create_app()"]
