#!/usr/bin/env bash
# The storage tests also run against PostgreSQL: start the local cluster when it is not running.
# SUTURA_TEST_POSTGRES_URL overrides where the tests look (default: the local server).
set -uo pipefail
if [ -n "${SUTURA_TEST_POSTGRES_URL:-}" ]; then exit 0; fi
if pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then exit 0; fi
if ! command -v pg_ctlcluster >/dev/null 2>&1; then
  bash "$(dirname "$0")/ensure-debian-packages.sh" postgresql
fi
version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1)
if [ -z "$version" ]; then
  echo "PostgreSQL is not installed; its tests will be skipped" >&2
  exit 0
fi
pg_ctlcluster --skip-systemctl-redirect "$version" main start 2>/dev/null \
  || pg_ctlcluster "$version" main start || true
for _ in $(seq 1 30); do
  pg_isready -q -h 127.0.0.1 -p 5432 && exit 0
  sleep 1
done
echo "PostgreSQL did not start; its tests will be skipped" >&2
exit 0
