#!/usr/bin/env bash
# System packages the test suite and benchmarks need (headless Chromium for browser tests, zbar to
# decode label barcodes, wrk to drive the receiver benchmark) and a running PostgreSQL.
# Idempotent; installs only what is missing.
set -euo pipefail

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v chromedriver >/dev/null 2>&1 || missing+=(chromium-driver)
ldconfig -p 2>/dev/null | grep -q 'libzbar.so.0' || missing+=(libzbar0)
command -v wrk >/dev/null 2>&1 || missing+=(wrk)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing system packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# PostgreSQL: the Postgres-backed tests must run (and in CI they fail rather than skip).
if command -v pg_lsclusters >/dev/null 2>&1 && ! pg_isready -h 127.0.0.1 -p 5432 -q; then
  echo "starting the local PostgreSQL cluster"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start
  for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
fi
