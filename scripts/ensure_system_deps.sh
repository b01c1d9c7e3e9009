#!/usr/bin/env bash
# System packages the stack, the test suite and the benchmarks need: nginx (the receiver's
# buffering proxy, deploy/nginx/), headless Chromium and an emoji font for browser tests, zbar to decode label
# barcodes, wrk to drive the receiver benchmark; and a running PostgreSQL.
# `--proxy-only` (what `make run` uses) checks nginx alone. Idempotent; installs only what is missing.
set -euo pipefail

proxy_only=false
[ "${1:-}" = "--proxy-only" ] && proxy_only=true
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"

# Debian's nginx package starts the system-wide nginx on port 80. Perfile runs its own,
# unprivileged one, so keep the packaged service from starting: a policy-rc.d that denies
# starts during the install (only if the machine has none), and disabled afterwards.
install_nginx() {
  echo "installing system package: nginx"
  local policy=/usr/sbin/policy-rc.d added_policy=false status=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null
    $SUDO chmod +x "$policy"
    added_policy=true
  fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq nginx >/dev/null || status=$?
  if $added_policy; then $SUDO rm -f "$policy"; fi
  if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
    $SUDO systemctl disable --now nginx >/dev/null 2>&1 || true
  fi
  return "$status"
}
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || install_nginx
if $proxy_only; then exit 0; fi

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v chromedriver >/dev/null 2>&1 || missing+=(chromium-driver)
ldconfig -p 2>/dev/null | grep -q 'libzbar.so.0' || missing+=(libzbar0)
command -v wrk >/dev/null 2>&1 || missing+=(wrk)
# The dashboard's status and toast icons are emoji; without a colour emoji font, headless
# Chromium draws empty boxes in the browser tests' screenshots.
[ -e /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf ] || missing+=(fonts-noto-color-emoji)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing system packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# PostgreSQL: the Postgres-backed tests must run (and in CI they fail rather than skip).
if command -v pg_lsclusters >/dev/null 2>&1 && ! pg_isready -h 127.0.0.1 -p 5432 -q; then
  echo "starting the local PostgreSQL cluster"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start
  for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
fi
