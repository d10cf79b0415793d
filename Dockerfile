# firstcontact: one worker (Telegram webhook and health check on port 8080) as a non-root,
# numeric user; data (secret key file, SQLite if used) on the /data volume. The referral
# directory lives in the database, seeded from the image's own flows/referrals.yaml.
# Build: docker build -t firstcontact .   Deployment: compose.yaml, docs/deployment.md.
#
# Base image: python:3.11.14-slim-bookworm by the digest of its multi-architecture index,
# looked up on 2026-11-29 (docs/deployment.md says where, and how to move it on).
ARG PYTHON_IMAGE=python:3.11.14-slim-bookworm@sha256:65a93d69fa75478d554f4ad27c85c1e69fa184956261b4301ebaf6dbb0a3543d

FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
# Every dependency at the locked version and hash (requirements.lock, made by .ci/lock).
COPY requirements.lock ./
RUN python -m venv /opt/venv \
    && /opt/venv/bin/pip install --no-cache-dir --require-hashes --no-deps -r requirements.lock
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY storage ./storage
RUN /opt/venv/bin/pip install --no-cache-dir --no-deps . \
    && /opt/venv/bin/pip check

FROM ${PYTHON_IMAGE}
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    FIRSTCONTACT_LISTEN=0.0.0.0 \
    FIRSTCONTACT_PORT=8080 \
    FIRSTCONTACT_DATA_DIR=/data \
    FIRSTCONTACT_FLOWS_DIR=/app/flows \
    FIRSTCONTACT_REFERRALS=/app/flows/referrals.yaml \
    FIRSTCONTACT_LOCALES_DIR=/app/locales
RUN groupadd --system --gid 10001 firstcontact \
    && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /data \
       --shell /usr/sbin/nologin firstcontact
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
COPY flows ./flows
COPY locales ./locales
# The referral directory lives in the database every worker shares (docs/referrals.md):
# /app/flows/referrals.yaml only seeds it, and a newer image's file replaces the seed as long
# as no coordinator has saved on top of it. Coordinators change it with
# `docker compose exec worker-1 firstcontact referrals set ...`, never by editing a file.
RUN install -d -o 10001 -g 10001 -m 0700 /data

USER 10001:10001
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-m", "bot.healthcheck"]
STOPSIGNAL SIGTERM
# Webhook mode (several workers behind one entry point); long polling is one process only:
# run the image with `firstcontact run` and no health check (docs/deployment.md).
CMD ["firstcontact", "run", "--webhook"]
