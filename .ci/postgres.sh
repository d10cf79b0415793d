#!/usr/bin/env bash
# Make sure PostgreSQL answers on 127.0.0.1:5432 with trust auth and a `test` database,
# so the storage tests run against it instead of skipping. Safe to run again and again:
# a server that already answers is left alone.
set -euo pipefail

HOST=127.0.0.1
PORT=5432
DB=test
MARK="# firstcontact CI: trust local connections"

say() { echo "postgres.sh: $*"; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else sudo -u postgres "$@"; fi
}

reachable() {
  if command -v pg_isready >/dev/null 2>&1; then
    pg_isready -q -h "$HOST" -p "$PORT"
  else
    python3 -c "import socket, sys; socket.create_connection(('$HOST', $PORT), 2).close()" \
      2>/dev/null
  fi
}

newest_version() {
  ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1 || true
}

if reachable; then
  say "PostgreSQL already answers on $HOST:$PORT; nothing to do."
  exit 0
fi

if [ -z "$(newest_version)" ] || ! command -v pg_ctlcluster >/dev/null 2>&1; then
  say "PostgreSQL is not installed; installing it with apt-get."
  as_root apt-get update
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql
else
  say "PostgreSQL $(newest_version) is installed but does not answer on $HOST:$PORT."
fi

VERSION="$(newest_version)"
if [ -z "$VERSION" ]; then
  say "no cluster found in /etc/postgresql after installing; giving up." >&2
  exit 1
fi
if [ ! -d "/etc/postgresql/$VERSION/main" ]; then
  say "creating cluster $VERSION/main on port $PORT."
  as_root pg_createcluster "$VERSION" main --port "$PORT"
fi

HBA="/etc/postgresql/$VERSION/main/pg_hba.conf"
if as_root grep -qF "$MARK" "$HBA"; then
  say "trust auth already configured in $HBA."
else
  say "allowing trust auth for local and 127.0.0.1 connections in $HBA (first rules win)."
  as_root cp "$HBA" "$HBA.before-firstcontact"
  {
    echo "$MARK"
    echo "local   all   all                 trust"
    echo "host    all   all   127.0.0.1/32  trust"
    echo "host    all   all   ::1/128       trust"
    echo
    as_root cat "$HBA.before-firstcontact"
  } | as_root tee "$HBA" >/dev/null
fi

if as_root pg_lsclusters --no-header | awk -v v="$VERSION" '$1 == v && $2 == "main"' \
  | grep -q online; then
  say "cluster $VERSION/main is running; reloading it to apply the auth rules."
  as_root pg_ctlcluster --skip-systemctl-redirect "$VERSION" main reload
else
  say "starting cluster $VERSION/main."
  as_root pg_ctlcluster --skip-systemctl-redirect "$VERSION" main start
fi

for _ in $(seq 1 30); do
  reachable && break
  sleep 1
done
if ! reachable; then
  say "PostgreSQL still does not answer on $HOST:$PORT; see /var/log/postgresql/." >&2
  exit 1
fi
say "PostgreSQL answers on $HOST:$PORT."

if [ "$(as_postgres psql -h "$HOST" -p "$PORT" -tAc \
  "SELECT 1 FROM pg_database WHERE datname = '$DB'")" = "1" ]; then
  say "database $DB exists."
else
  say "creating database $DB."
  as_postgres createdb -h "$HOST" -p "$PORT" "$DB"
fi
