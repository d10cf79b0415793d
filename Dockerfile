# firstcontact: the Telegram bot on SQLite in /data (mount a volume) or PostgreSQL via
# FIRSTCONTACT_DATABASE_URL. Build: docker build -t firstcontact .
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    FIRSTCONTACT_DATA_DIR=/data \
    FIRSTCONTACT_FLOWS_DIR=/app/flows \
    FIRSTCONTACT_REFERRALS=/app/flows/referrals.yaml \
    FIRSTCONTACT_LOCALES_DIR=/app/locales

WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY storage ./storage
COPY flows ./flows
COPY locales ./locales
RUN pip install --no-cache-dir . \
    && useradd --system --uid 10001 --home-dir /data firstcontact \
    && mkdir -p /data && chown firstcontact /data

USER firstcontact
VOLUME ["/data"]
EXPOSE 8080
# Polling by default; for webhooks: CMD ["firstcontact", "run", "--webhook"]
STOPSIGNAL SIGTERM
CMD ["firstcontact", "run"]
